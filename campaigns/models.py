"""Recall and fix-up campaigns: a set of an LA's devices that must be brought in or fixed
(every laptop of one model needs re-imaging), each with its own status and story.

A ``Campaign`` belongs to one LA; its ``CampaignDevice`` rows are the devices in it, each with a
status that changes only through ``campaigns.services.move`` (the lifecycle is
``services.MOVES``), every change a ``CampaignEvent``. School staff see a campaign when it holds
one of their school's devices, and only those devices.
"""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import ScopedQuerySet


class CampaignQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = "items__device__school"

    def open(self):
        return self.filter(status=Campaign.Status.OPEN)

    def with_progress(self):
        """Each campaign's count of devices in each status (one grouped query)."""
        return self.annotate(
            n_total=Count("items", distinct=True),
            **{f"n_{s}": Count("items", filter=Q(items__status=s), distinct=True) for s in ItemStatus.values},
        )


class Campaign(models.Model):
    """A recall or fix-up of some of one LA's devices, with what families are asked to do."""

    class Kind(models.TextChoices):
        RECALL = "recall", _("Recall")
        FIX_UP = "fix_up", _("Fix-up")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    local_authority = models.ForeignKey(
        "accounts.LocalAuthority", on_delete=models.PROTECT, related_name="campaigns", verbose_name=_("local authority")
    )
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    instructions = models.TextField(
        _("what families should do"), max_length=600,
        help_text=_("Sent to families as you write it, for example: bring the laptop and charger to school on Monday 7 December."),
    )
    #: The criteria the devices were selected by (model, batch, supplier, product), as chosen.
    criteria = models.JSONField(_("selected by"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    history = HistoricalRecords()

    objects = CampaignQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        indexes = [models.Index(fields=["local_authority", "status"])]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("campaigns:campaign_detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class ItemStatus(models.TextChoices):
    TO_DO = "to_do", _("To do")
    CONTACTED = "contacted", _("Contacted")
    FIXED = "fixed", _("Fixed")
    RETURNED = "returned", _("Returned")
    CANNOT_REACH = "cannot_reach", _("Cannot reach")


#: Statuses in which a device's part in the campaign is finished.
DONE_STATUSES = (ItemStatus.FIXED, ItemStatus.RETURNED)


class CampaignDeviceQuerySet(ScopedQuerySet):
    scope_la_field = "campaign__local_authority"
    scope_school_field = "device__school"


class CampaignDevice(models.Model):
    """One device in one campaign: at most once per campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="items", verbose_name=_("campaign"))
    device = models.ForeignKey("devices.Device", on_delete=models.PROTECT, related_name="campaign_items", verbose_name=_("device"))
    status = models.CharField(_("status"), max_length=14, choices=ItemStatus.choices, default=ItemStatus.TO_DO)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    changed_at = models.DateTimeField(_("last change"), auto_now_add=True)
    #: Why the last notice could not be sent to the family (no number, texted STOP, ...).
    not_sent_reason = models.CharField(_("not sent because"), max_length=300, blank=True)

    objects = CampaignDeviceQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("device in a campaign")
        verbose_name_plural = _("devices in the campaign")
        constraints = [models.UniqueConstraint(fields=["campaign", "device"], name="campaign_device_once")]
        indexes = [models.Index(fields=["campaign", "status"])]

    def __str__(self):
        return gettext("%(serial)s in %(campaign)s") % {"serial": self.device.serial, "campaign": self.campaign.title}

    def get_absolute_url(self):
        return reverse("campaigns:item_detail", args=[self.pk])


class CampaignEventQuerySet(ScopedQuerySet):
    scope_la_field = "item__campaign__local_authority"
    scope_school_field = "item__device__school"


class CampaignEvent(models.Model):
    """A status change of a device in a campaign (or a message sent about it): who, when, why."""

    item = models.ForeignKey(CampaignDevice, on_delete=models.CASCADE, related_name="events", verbose_name=_("device"))
    from_status = models.CharField(_("from"), max_length=14, blank=True)
    to_status = models.CharField(_("to"), max_length=14, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by"))
    at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True, max_length=1000)
    message = models.ForeignKey("messaging.OutboundMessage", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = CampaignEventQuerySet.as_manager()

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("campaign event")
        verbose_name_plural = _("campaign events")
