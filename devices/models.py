"""Devices, delivery batches, licences, the custody log and alerts.

SIMs, networks, data plans and usage readings are in ``connectivity.models``.

A device's ``status`` changes only through ``devices.services.transition`` (allowed
transitions are listed there); each change writes a ``DeviceEvent``.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import ScopedQuerySet
from devices.validators import validate_imei


class DeviceKind(models.TextChoices):
    LAPTOP = "laptop", _("Laptop")
    TABLET = "tablet", _("Tablet")
    ROUTER = "router", _("4G router or dongle")


#: The kinds that meet a child's need for a device (the rest give connectivity).
LAPTOP_KINDS = (DeviceKind.LAPTOP, DeviceKind.TABLET)


class DeviceStatus(models.TextChoices):
    DELIVERED = "delivered", _("Delivered")
    IN_STOCK = "in_stock", _("In stock")
    ALLOCATED = "allocated", _("Allocated")
    HANDED_OVER = "handed_over", _("Handed over")
    OWNERSHIP_TRANSFERRED = "ownership_transferred", _("Ownership transferred")
    FAULT_REPORTED = "fault_reported", _("Fault reported")
    IN_REPAIR = "in_repair", _("In repair")
    REPLACED = "replaced", _("Replaced")
    RETURNED = "returned", _("Returned")
    LOST = "lost", _("Lost")
    STOLEN = "stolen", _("Stolen")
    WRITTEN_OFF = "written_off", _("Written off")


class Ownership(models.TextChoices):
    LA = "la", _("Owned by the council")
    FAMILY = "family", _("Transferred to the family")


class DeliveryBatchQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = "devices__school"


class DeliveryBatch(models.Model):
    """One delivery from a supplier to an LA, as listed on its manifest."""

    local_authority = models.ForeignKey(
        "accounts.LocalAuthority", on_delete=models.PROTECT, related_name="delivery_batches", verbose_name=_("local authority")
    )
    supplier = models.CharField(_("supplier"), max_length=100, blank=True)
    order_reference = models.CharField(_("order reference"), max_length=60, blank=True)
    delivered_on = models.DateField(_("delivered on"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    #: The delivery import that recorded this batch (none when typed in, scanned or posted by
    #: the API): its result page links to exactly the devices it created.
    import_job = models.ForeignKey(
        "core.ImportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="delivery_batches", verbose_name=_("import")
    )
    history = HistoricalRecords()

    objects = DeliveryBatchQuerySet.as_manager()

    class Meta:
        ordering = ["-delivered_on", "-pk"]
        verbose_name = _("delivery batch")
        verbose_name_plural = _("delivery batches")

    def __str__(self):
        return f"{self.order_reference or self.pk} ({self.delivered_on:%d/%m/%Y})"


class DeviceQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = "school"

    def active(self):
        """Devices still in service (not lost, stolen, written off or replaced)."""
        return self.exclude(status__in=INACTIVE_STATUSES)


INACTIVE_STATUSES = (DeviceStatus.LOST, DeviceStatus.STOLEN, DeviceStatus.WRITTEN_OFF, DeviceStatus.REPLACED)


class Device(models.Model):
    """A laptop, tablet or 4G router, from delivery to the child who receives it."""

    kind = models.CharField(_("kind"), max_length=10, choices=DeviceKind.choices)
    make = models.CharField(_("make"), max_length=60, blank=True)
    model = models.CharField(_("model"), max_length=100, blank=True)
    serial = models.CharField(_("serial number"), max_length=60, unique=True)
    imei = models.CharField(_("IMEI"), max_length=15, null=True, blank=True, unique=True, validators=[validate_imei])
    asset_tag = models.CharField(_("asset tag"), max_length=40, blank=True)
    local_authority = models.ForeignKey(
        "accounts.LocalAuthority", on_delete=models.PROTECT, related_name="devices", verbose_name=_("owning local authority")
    )
    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, null=True, blank=True, related_name="devices", verbose_name=_("school")
    )
    batch = models.ForeignKey(
        DeliveryBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="devices", verbose_name=_("delivery batch")
    )
    status = models.CharField(_("status"), max_length=24, choices=DeviceStatus.choices, default=DeviceStatus.DELIVERED)
    ownership = models.CharField(_("ownership"), max_length=10, choices=Ownership.choices, default=Ownership.LA)
    delivered_on = models.DateField(_("delivered on"), null=True, blank=True)
    handed_over_on = models.DateField(_("handed over on"), null=True, blank=True)
    warranty_end = models.DateField(_("warranty ends"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Cover ends kept by database triggers (see devices/cover.py), never written by Python:
    # the latest end of the device's licences, the latest end of its SIM's data plans, and
    # whether its active allocation is to a child who needs connectivity. The horizon
    # aggregates read these instead of joining four national tables.
    licence_cover_end = models.DateField(null=True, blank=True, editable=False)
    plan_cover_end = models.DateField(null=True, blank=True, editable=False)
    child_needs_data = models.BooleanField(default=False, editable=False)
    history = HistoricalRecords(excluded_fields=["licence_cover_end", "plan_cover_end", "child_needs_data"])

    objects = DeviceQuerySet.as_manager()

    class Meta:
        ordering = ["-pk"]
        verbose_name = _("device")
        verbose_name_plural = _("devices")
        indexes = [
            models.Index(fields=["local_authority", "status"]),
            # Counts by LA, kind and status (the shortfall figures, the London view) read only
            # this index (0.25 s instead of 0.5-0.75 s for 2M devices).
            models.Index(fields=["local_authority", "kind", "status"]),
            models.Index(fields=["school", "status"]),
            models.Index(fields=["local_authority", "-id"]),
            models.Index(fields=["asset_tag"]),
        ]
        constraints = [
            models.CheckConstraint(name="device_serial_not_blank", condition=~models.Q(serial="")),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.serial}"

    def get_absolute_url(self):
        return reverse("devices:device_detail", args=[self.pk])

    def save(self, *args, **kwargs):
        # Serials are matched case-insensitively: store them upper-cased and trimmed.
        self.serial = (self.serial or "").strip().upper()
        from devices.cover import keep_database_columns

        super().save(*args, **keep_database_columns(self, kwargs, COVER_FIELDS))


#: Columns of ``Device`` kept by the database (devices/cover.py).
COVER_FIELDS = ("licence_cover_end", "plan_cover_end", "child_needs_data")


class LicenceQuerySet(ScopedQuerySet):
    scope_la_field = "device__local_authority"
    scope_school_field = "device__school"

    def active_on(self, day):
        return self.filter(start__lte=day, end__gte=day)


class Licence(models.Model):
    """Software cover for a device: OS management, security, office suite..."""

    class Product(models.TextChoices):
        OS_MANAGEMENT = "os_management", _("Device management")
        SECURITY = "security", _("Security and filtering")
        OFFICE = "office", _("Office suite")
        OTHER = "other", _("Other")

    class Payer(models.TextChoices):
        DFE = "dfe", _("DfE")
        LA = "la", _("Council")
        SCHOOL = "school", _("School")
        FAMILY = "family", _("Family")

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="licences", verbose_name=_("device"))
    product = models.CharField(_("product"), max_length=20, choices=Product.choices, default=Product.OS_MANAGEMENT)
    start = models.DateField(_("start"))
    end = models.DateField(_("end"))
    payer = models.CharField(_("paid by"), max_length=10, choices=Payer.choices, default=Payer.DFE)
    annual_cost = models.DecimalField(_("annual cost (£)"), max_digits=8, decimal_places=2, null=True, blank=True)
    history = HistoricalRecords()

    objects = LicenceQuerySet.as_manager()

    class Meta:
        ordering = ["start"]
        verbose_name = _("licence")
        verbose_name_plural = _("licences")
        indexes = [models.Index(fields=["device", "start", "end"])]
        constraints = [models.CheckConstraint(name="licence_end_after_start", condition=models.Q(end__gte=models.F("start")))]

    def __str__(self):
        return f"{self.get_product_display()} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"


class DeviceEventQuerySet(ScopedQuerySet):
    scope_la_field = "device__local_authority"
    scope_school_field = "device__school"


class DeviceEvent(models.Model):
    """The custody log: one row per thing that happened to a device, never edited."""

    class Kind(models.TextChoices):
        DELIVERED = "delivered", _("Delivered")
        STOCKED = "stocked", _("Put in stock")
        ALLOCATED = "allocated", _("Allocated")
        HANDED_OVER = "handed_over", _("Handed over")
        OWNERSHIP_TRANSFERRED = "ownership_transferred", _("Ownership transferred")
        FAULT_REPORTED = "fault_reported", _("Fault reported")
        IN_REPAIR = "in_repair", _("Sent for repair")
        REPAIRED = "repaired", _("Repaired")
        REPLACED = "replaced", _("Replaced")
        RETURNED = "returned", _("Returned")
        LOST = "lost", _("Lost")
        STOLEN = "stolen", _("Stolen")
        WRITTEN_OFF = "written_off", _("Written off")
        MOVED_OUT = "moved_out", _("Moved to another council")
        MOVED_IN = "moved_in", _("Received from another council")
        NOTE = "note", _("Note")

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="events", verbose_name=_("device"))
    kind = models.CharField(_("event"), max_length=24, choices=Kind.choices)
    from_status = models.CharField(_("from"), max_length=24, blank=True)
    to_status = models.CharField(_("to"), max_length=24, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("when"), db_index=True)
    note = models.TextField(_("note"), blank=True)
    # The allocation this event is about, if any. The child is shown from this relation and
    # only to viewers who may see the allocation; notes never carry a child reference.
    allocation = models.ForeignKey(
        "allocations.Allocation", on_delete=models.SET_NULL, null=True, blank=True, related_name="device_events",
        verbose_name=_("allocation"),
    )

    objects = DeviceEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("device event")
        verbose_name_plural = _("device events")
        indexes = [models.Index(fields=["device", "-at"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.at:%d/%m/%Y}"


class AlertQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = "school"

    def open(self):
        return self.filter(acknowledged_at__isnull=True)

    def grouped(self):
        """One row (a dict) per condition: kind, LA, school and the month it is due, with how
        many alerts it covers (``n``), how many are open (``open_n``), the latest raised and
        the highest primary key (what "acknowledge all" may acknowledge). A service-wide kind
        (``Alert.SERVICE_WIDE_KINDS``, raised once per LA) is one row whatever the LAs.
        """
        from django.db.models import Case, CharField, Count, F, Max, Q, Value, When
        from django.db.models.functions import TruncMonth

        service_wide = Q(kind__in=Alert.SERVICE_WIDE_KINDS)
        return (
            self.order_by()
            .annotate(
                group_la=Case(When(service_wide, then=Value(None)), default=F("local_authority_id"), output_field=models.BigIntegerField()),
                group_la_name=Case(When(service_wide, then=Value("")), default=F("local_authority__name"), output_field=CharField()),
                month=TruncMonth("due", output_field=models.DateField()),
            )
            .values("kind", "group_la", "group_la_name", "school_id", "school__name", "month")
            .annotate(
                n=Count("pk"),
                open_n=Count("pk", filter=Q(acknowledged_at__isnull=True)),
                la_count=Count("local_authority_id", distinct=True),
                latest=Max("raised_at"),
                last_pk=Max("pk"),
            )
            .order_by("-latest", "kind")
        )

    def in_group(self, *, kind, local_authority=None, school=None, month=None):
        """The alerts of one ``grouped()`` row: ``school`` and ``month`` of ``None`` mean none
        (``month`` is the first of the month); ``local_authority`` is ignored for service-wide
        kinds."""
        return self.filter(alert_group_q(kind=kind, local_authority=local_authority, school=school, month=month))


def alert_group_q(*, kind, local_authority=None, school=None, month=None):
    """The condition selecting one ``grouped()`` row's alerts (see ``AlertQuerySet.in_group``)."""
    import datetime

    from django.db.models import Q

    q = Q(kind=kind)
    if kind not in Alert.SERVICE_WIDE_KINDS:
        q &= Q(local_authority_id=local_authority)
    q &= Q(school_id=school) if school else Q(school__isnull=True)
    if month:
        end = (month.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return q & Q(due__gte=month, due__lt=end)
    return q & Q(due__isnull=True)


class Alert(models.Model):
    """Something an officer should act on, raised by ``run_daily_checks`` or a service.

    ``key`` identifies the item and condition (for example ``allowance_warning:sim:12:2026-11``);
    it is unique, so raising the same alert twice is a no-op.
    """

    class Kind(models.TextChoices):
        ALLOWANCE_WARNING = "allowance_warning", _("Data allowance at 80%")
        ALLOWANCE_EXHAUSTED = "allowance_exhausted", _("Data allowance used up")
        PLAN_ENDING = "plan_ending", _("Data plan ending within 30 days")
        LICENCE_ENDING = "licence_ending", _("Licence ending within 60 days")
        HORIZON_GAP = "horizon_gap", _("Gap in three-year cover")
        LOST_STOLEN = "lost_stolen", _("Device lost or stolen: suspend SIM")
        SLA_BREACH = "sla_breach", _("Support ticket past its SLA")
        JOB_OVERDUE = "job_overdue", _("Scheduled check not run for 26 hours")
        # --- idle SIMs and check-ins
        SIM_IDLE = "sim_idle", _("SIM with a child but no data used")
        USAGE_STOPPED = "usage_stopped", _("SIM data use stopped suddenly")
        RETURN_REQUESTED = "return_requested", _("Family no longer needs the device: arrange its return")

        # --- requests: the council's and school's side
        REQUEST_OVERDUE = "request_overdue", _("Network request with no change for several working days")

    #: Kinds about the service, not one council: raised once per LA (so each officer sees
    #: it in their own scope) and grouped into one line for whoever sees several LAs.
    SERVICE_WIDE_KINDS = ("job_overdue",)

    key = models.CharField(max_length=120, unique=True)
    kind = models.CharField(_("alert"), max_length=24, choices=Kind.choices)
    local_authority = models.ForeignKey("accounts.LocalAuthority", on_delete=models.CASCADE, related_name="alerts", verbose_name=_("local authority"))
    school = models.ForeignKey("accounts.School", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts", verbose_name=_("school"))
    device = models.ForeignKey(Device, on_delete=models.CASCADE, null=True, blank=True, related_name="alerts", verbose_name=_("device"))
    sim = models.ForeignKey("connectivity.Sim", on_delete=models.CASCADE, null=True, blank=True, related_name="alerts", verbose_name=_("SIM"))
    message = models.CharField(_("message"), max_length=300)
    due = models.DateField(_("due"), null=True, blank=True)
    raised_at = models.DateTimeField(_("raised"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = AlertQuerySet.as_manager()
    #: Acknowledging an alert is audited: who acknowledged it and when, kept even if the alert
    #: row changes later.
    history = HistoricalRecords()

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        indexes = [models.Index(fields=["local_authority", "acknowledged_at", "-raised_at"])]

    def __str__(self):
        return self.message
