"""Children who need a device or connectivity, and the allocations that link them to devices.

``Child`` holds as little personal data as the job needs. An ``Allocation`` moves through
planned -> handed over -> returned, or planned -> cancelled; the database allows at most one
active (planned or handed over) allocation per device. Writes go through
``allocations.services``.
"""

import calendar
import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import ScopedQuerySet
from devices.validators import format_uk_national


def add_months(day, months):
    """``day`` moved by whole calendar months (the 31st becomes the last day of a short month)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return day.replace(year=year, month=month, day=min(day.day, last))


class YearGroup(models.TextChoices):
    NURSERY = "N", _("Nursery")
    RECEPTION = "R", _("Reception")
    Y1 = "1", _("Year 1")
    Y2 = "2", _("Year 2")
    Y3 = "3", _("Year 3")
    Y4 = "4", _("Year 4")
    Y5 = "5", _("Year 5")
    Y6 = "6", _("Year 6")
    Y7 = "7", _("Year 7")
    Y8 = "8", _("Year 8")
    Y9 = "9", _("Year 9")
    Y10 = "10", _("Year 10")
    Y11 = "11", _("Year 11")
    Y12 = "12", _("Year 12")
    Y13 = "13", _("Year 13")


class Eligibility(models.TextChoices):
    FREE_SCHOOL_MEALS = "fsm", _("Free school meals")
    SOCIAL_WORKER = "social_worker", _("Has a social worker")
    CARE_LEAVER = "care_leaver", _("Care leaver")
    SHIELDING = "shielding", _("Shielding")
    OTHER = "other", _("Other")


class ChildQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = "school"

    def active(self):
        return self.filter(anonymised_at__isnull=True)

    def with_device_flag(self):
        """Annotate ``has_device``: whether the child has a laptop or tablet allocated or handed
        over (the ``has_active_laptop`` column the figures count; a 4G router is not a device
        here)."""
        return self.annotate(has_device=models.F("has_active_laptop"))

    def with_device(self):
        """The children the ``children_with_device`` figure counts (``reports.definitions``):
        not anonymised, needing a laptop, with a laptop or tablet allocated or handed over."""
        return self.active().filter(needs_laptop=True, has_active_laptop=True)

    def waiting_for_device(self):
        """The children the ``children_waiting`` figure counts (``reports.definitions``): not
        anonymised, needing a laptop, with no laptop or tablet allocated or handed over (a 4G
        router alone does not end the wait). The figure's aggregate SQL (``reports.figures``,
        ``reports.summaries``) reads the same three columns; the child list's "waiting" filter
        is this method."""
        return self.active().filter(needs_laptop=True, has_active_laptop=False)

    def due_for_anonymisation(self, *, today, months):
        """Children whose last device's three-year horizon (from handover) ended more than
        ``months`` months before ``today``, with nothing still planned for them; and children
        never handed a device (still waiting, or every allocation cancelled) whose record has
        not changed for as long (the horizon plus ``months``)."""
        cutoff = add_months(today, -(settings.HORIZON_MONTHS + months))
        cutoff_start = datetime.datetime.combine(cutoff, datetime.time.min, tzinfo=datetime.timezone.utc)
        return (
            self.active()
            .annotate(last_handover=models.Max("allocations__handed_over_on"))
            .filter(
                models.Q(last_handover__isnull=False, last_handover__lt=cutoff)
                | models.Q(last_handover__isnull=True, updated_at__lt=cutoff_start)
            )
            .exclude(models.Exists(Allocation.objects.filter(child=models.OuterRef("pk"), status=AllocationStatus.PLANNED)))
        )


#: What staff pages, tables, filters and exports show for a child with no school (one wording).
NO_SCHOOL_LABEL = _("No school (council)")

#: Columns of ``Child`` kept by the database (devices/cover.py).
CHILD_FLAG_FIELDS = ("has_active_laptop", "laptop_handed_over", "has_data")


class Child(models.Model):
    """A child the LA is supporting. ``reference`` is the LA's own ID (unique within the LA)."""

    local_authority = models.ForeignKey("accounts.LocalAuthority", on_delete=models.PROTECT, related_name="children", verbose_name=_("local authority"))
    # ``None``: the child belongs to the LA directly (a care leaver, a child missing education,
    # an LA-funded place, or a child just transferred in from another LA). School staff never
    # see such a child; the LA's officers do, and the figures count them on a line of their own.
    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("school")
    )
    reference = models.CharField(_("child reference"), max_length=40)
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    year_group = models.CharField(_("year group"), max_length=2, choices=YearGroup.choices, blank=True)
    preferred_language = models.CharField(_("family's preferred language"), max_length=8, default="en")
    guardian_name = models.CharField(_("parent or carer's name"), max_length=120, blank=True)
    # E.164 (+447700900123), set through devices.validators.normalise_uk_phone.
    guardian_phone = models.CharField(_("parent or carer's phone"), max_length=16, blank=True)
    guardian_email = models.EmailField(_("parent or carer's email"), blank=True)
    eligibility = models.CharField(_("eligibility"), max_length=20, choices=Eligibility.choices, default=Eligibility.FREE_SCHOOL_MEALS)
    needs_laptop = models.BooleanField(_("needs a laptop"), default=True)
    needs_connectivity = models.BooleanField(_("needs connectivity"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    # Kept by database triggers (devices/cover.py), never written by Python: whether the child
    # has an active (planned or handed-over) allocation of a laptop or tablet, and whether one
    # of those is handed over. The shortfall figures read these instead of grouping every
    # allocation by child.
    has_active_laptop = models.BooleanField(default=False, editable=False)
    laptop_handed_over = models.BooleanField(default=False, editable=False)
    # Kept by database triggers (reports/summaries.py): a data plan active on the summaries'
    # data date (``reports.summaries.data_date()``, today once the scheduler has rolled it) on
    # the SIM of a device actively allocated to the child. The children figures read it
    # instead of joining plans, SIMs and allocations.
    has_data = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords(
        excluded_fields=[
            "first_name", "last_name", "guardian_name", "guardian_phone", "guardian_email",
            "has_active_laptop", "laptop_handed_over", "has_data",
        ]
    )

    objects = ChildQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name", "pk"]
        verbose_name = _("child")
        verbose_name_plural = _("children")
        constraints = [models.UniqueConstraint(fields=["local_authority", "reference"], name="child_reference_unique_in_la")]
        indexes = [models.Index(fields=["school", "last_name"])]

    def __str__(self):
        if self.anonymised_at:
            return f"{self.reference}"
        return f"{self.first_name} {self.last_name} ({self.reference})".strip()

    def get_absolute_url(self):
        return reverse("allocations:child_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        from devices.cover import keep_database_columns

        super().save(*args, **keep_database_columns(self, kwargs, CHILD_FLAG_FIELDS))

    @property
    def school_label(self):
        """The school's name, or, for a child who belongs to the LA directly, the words the
        staff pages show instead (one wording for every table, page and export)."""
        return self.school.name if self.school_id else str(NO_SCHOOL_LABEL)

    @property
    def guardian_phone_display(self):
        return format_uk_national(self.guardian_phone)

    @property
    def language_name(self):
        """The family's language in its own name (``Soomaali``, ``اردو``), as settings.LANGUAGES lists it."""
        return dict(settings.LANGUAGES).get(self.preferred_language, self.preferred_language)


class AllocationStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    HANDED_OVER = "handed_over", _("Handed over")
    RETURNED = "returned", _("Returned")
    CANCELLED = "cancelled", _("Cancelled")


ACTIVE_ALLOCATION_STATUSES = (AllocationStatus.PLANNED, AllocationStatus.HANDED_OVER)


class AllocationQuerySet(ScopedQuerySet):
    scope_la_field = "child__local_authority"
    scope_school_field = "child__school"

    def active(self):
        return self.filter(status__in=ACTIVE_ALLOCATION_STATUSES)


class Allocation(models.Model):
    """A device given (or to be given) to a child."""

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("child"))
    device = models.ForeignKey("devices.Device", on_delete=models.PROTECT, related_name="allocations", verbose_name=_("device"))
    status = models.CharField(_("status"), max_length=12, choices=AllocationStatus.choices, default=AllocationStatus.PLANNED)
    planned_on = models.DateField(_("allocated on"), null=True, blank=True)
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    handed_over_by = models.CharField(_("handed over by"), max_length=120, blank=True)
    received_by = models.CharField(_("received by"), max_length=120, blank=True)
    ended_on = models.DateField(_("returned or cancelled on"), null=True, blank=True)
    replaces = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="replaced_by", verbose_name=_("replaces"))
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    objects = AllocationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("allocation")
        verbose_name_plural = _("allocations")
        constraints = [
            models.UniqueConstraint(
                fields=["device"],
                condition=models.Q(status__in=["planned", "handed_over"]),
                name="one_active_allocation_per_device",
            )
        ]
        indexes = [models.Index(fields=["child", "status"]), models.Index(fields=["status", "handed_over_on"])]

    def __str__(self):
        # The allocation's story, as its page is titled (templates/allocations/_allocation_name.html).
        return gettext("%(kind)s %(serial)s for %(child)s") % {
            "kind": self.device.get_kind_display(), "serial": self.device.serial, "child": self.child,
        }

    def get_absolute_url(self):
        return reverse("allocations:allocation_detail", args=[self.pk])

    @property
    def is_active(self):
        return self.status in ACTIVE_ALLOCATION_STATUSES


# Handover in person, readiness before ownership passes, returns ------------------------------


class KitItem(models.TextChoices):
    """What can be handed over with a device (and checked back in on its return)."""

    DEVICE = "device", _("The device itself")
    CHARGER = "charger", _("Charger")
    ROUTER = "router", _("4G router or dongle")
    SIM = "sim", _("SIM card")


def kit_for(device):
    """The kit items that go with ``device``: the device and its charger, and a SIM card with a
    4G router or with any device that has a SIM (``device.sim``)."""
    items = [KitItem.DEVICE, KitItem.CHARGER]
    if device.kind == "router" or _has_sim(device):
        items.append(KitItem.SIM)
    return items


def _has_sim(device):
    from django.core.exceptions import ObjectDoesNotExist

    try:
        return device.sim is not None
    except ObjectDoesNotExist:
        return False


class AllocationPartQuerySet(ScopedQuerySet):
    """Rows that belong to an allocation: scoped through its child."""

    scope_la_field = "allocation__child__local_authority"
    scope_school_field = "allocation__child__school"


class SignatureMethod(models.TextChoices):
    DRAWN = "drawn", _("Signed on screen")
    TYPED = "typed", _("Typed name")


class HandoverAcceptance(models.Model):
    """The family's signed acceptance of a device at a handover in person.

    Holds the kit handed over, the guardian's name, their signature (a PNG drawn on screen, or
    their typed name where there is no touch screen), who witnessed it and when, and the PDF of
    the acceptance in the family's language and English. The signature and the PDF are personal
    data: ``allocations.services.anonymise_child`` deletes them (docs/data-protection.md).
    Written only by ``allocations.services.record_acceptance``.
    """

    allocation = models.OneToOneField(Allocation, on_delete=models.CASCADE, related_name="acceptance", verbose_name=_("allocation"))
    language = models.CharField(_("family's language"), max_length=8)
    guardian_name = models.CharField(_("signed by"), max_length=120, blank=True)
    method = models.CharField(_("how it was signed"), max_length=8, choices=SignatureMethod.choices)
    signature_png = models.BinaryField(_("signature"), blank=True, default=b"", editable=False)
    kit_items = models.JSONField(_("kit handed over"), default=list)
    signed_at = models.DateTimeField(_("signed at"))
    witnessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("witnessed by"))
    pdf = models.BinaryField(_("acceptance PDF"), blank=True, default=b"", editable=False)
    pdf_languages = models.CharField(_("languages in the PDF"), max_length=40, blank=True)
    removed_at = models.DateTimeField(_("signature removed"), null=True, blank=True)

    objects = AllocationPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("handover acceptance")
        verbose_name_plural = _("handover acceptances")

    def __str__(self):
        return gettext("Acceptance of %(allocation)s") % {"allocation": self.allocation}

    def get_absolute_url(self):
        return reverse("allocations:acceptance_pdf", args=[self.allocation_id])

    def kit_labels(self):
        labels = dict(KitItem.choices)
        return [labels.get(item, item) for item in self.kit_items]


class ReadinessItem(models.TextChoices):
    """What must be done to a device before ownership passes to the family (the readiness list)."""

    FACTORY_RESET = "factory_reset", _("Factory reset done")
    REMOVED_FROM_MDM = "removed_from_mdm", _("Removed from device management")
    CONTENT_FILTER_REMOVED = "content_filter_removed", _("Content filter removed")
    PASSWORD_CLEARED = "password_cleared", _("BIOS or admin password cleared")


class ReadinessCheck(models.Model):
    """One item of the readiness list done for an allocation's device, with who and when.
    Written only by ``allocations.services.record_readiness``; ``transfer_ownership`` refuses
    until every ``ReadinessItem`` has one."""

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="readiness_checks", verbose_name=_("allocation"))
    item = models.CharField(_("item"), max_length=30, choices=ReadinessItem.choices)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("done by"))
    done_at = models.DateTimeField(_("done at"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AllocationPartQuerySet.as_manager()

    class Meta:
        ordering = ["allocation", "item"]
        verbose_name = _("readiness check")
        verbose_name_plural = _("readiness checks")
        constraints = [models.UniqueConstraint(fields=["allocation", "item"], name="one_readiness_check_per_item")]

    def __str__(self):
        return f"{self.get_item_display()} – {self.allocation}"

    def get_absolute_url(self):
        return reverse("allocations:allocation_readiness", args=[self.allocation_id])


class KitCondition(models.TextChoices):
    GOOD = "good", _("Good")
    DAMAGED = "damaged", _("Damaged")
    MISSING = "missing", _("Missing")


class WipeMethod(models.TextChoices):
    FACTORY_RESET = "factory_reset", _("Factory reset")
    MDM_WIPE = "mdm_wipe", _("Remote wipe from device management")
    DISK_ERASE = "disk_erase", _("Disk erase tool (for example NIST 800-88 purge)")
    REIMAGE = "reimage", _("Re-imaged")


class ReturnInspection(models.Model):
    """What came back with a returned device: each kit item's condition and the data-wipe
    confirmation (method, reference, who). Written only by ``allocations.services.return_device``."""

    allocation = models.OneToOneField(Allocation, on_delete=models.CASCADE, related_name="return_inspection", verbose_name=_("allocation"))
    kit_conditions = models.JSONField(_("condition of each item"), default=dict)
    wipe_method = models.CharField(_("data wipe method"), max_length=20, choices=WipeMethod.choices)
    wipe_reference = models.CharField(_("data wipe reference"), max_length=100)
    wiped_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("wipe confirmed by"))
    recorded_at = models.DateTimeField(_("recorded at"))

    objects = AllocationPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("return inspection")
        verbose_name_plural = _("return inspections")

    def __str__(self):
        return gettext("Return of %(allocation)s") % {"allocation": self.allocation}

    def get_absolute_url(self):
        return reverse("allocations:allocation_detail", args=[self.allocation_id])

    def conditions_display(self):
        items, conditions = dict(KitItem.choices), dict(KitCondition.choices)
        return [(items.get(k, k), conditions.get(v, v)) for k, v in self.kit_conditions.items()]
