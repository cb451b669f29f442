"""Moving a child, with their devices, allocations, tickets and history, to another council.

A ``ChildTransfer`` is proposed by an officer of the child's council (the sender) and accepted
or declined by an officer of the receiving council; the sender may withdraw it while it waits.
Its status moves only through ``transfers.services`` (``MOVES``). Both councils see the
transfer row itself (``local_authorities`` holds the two of them: that is its scope); what it
shows each of them is limited by the views: before acceptance the receiver sees no name,
contact or serial number of the sender's, and after acceptance the sender keeps this record
(its own former reference, the date, who did it, what kinds of device went) and nothing more.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import ScopedQuerySet


class TransferStatus(models.TextChoices):
    PROPOSED = "proposed", _("Waiting for the receiving council")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class ChildTransferQuerySet(ScopedQuerySet):
    # Both councils: the sender and the receiver (kept in ``local_authorities``).
    scope_la_field = "local_authorities"
    scope_school_field = None

    def waiting(self):
        return self.filter(status=TransferStatus.PROPOSED)

    def incoming_to(self, local_authority_id):
        return self.filter(to_local_authority_id=local_authority_id)

    def outgoing_from(self, local_authority_id):
        return self.filter(from_local_authority_id=local_authority_id)


class ChildTransfer(models.Model):
    """One proposed move of a child to another council, and what became of it."""

    child = models.ForeignKey("allocations.Child", on_delete=models.PROTECT, related_name="transfers", verbose_name=_("child"))
    from_local_authority = models.ForeignKey(
        "accounts.LocalAuthority", on_delete=models.PROTECT, related_name="transfers_out", verbose_name=_("from council")
    )
    to_local_authority = models.ForeignKey(
        "accounts.LocalAuthority", on_delete=models.PROTECT, related_name="transfers_in", verbose_name=_("to council")
    )
    #: The two councils above: the transfer's scope (``ChildTransferQuerySet``).
    local_authorities = models.ManyToManyField("accounts.LocalAuthority", related_name="+", editable=False)
    status = models.CharField(_("status"), max_length=12, choices=TransferStatus.choices, default=TransferStatus.PROPOSED)
    #: The sender's own reference for the child, kept on the record after the move.
    from_reference = models.CharField(_("sending council's reference"), max_length=40)
    #: The receiver's reference for the child, given on acceptance.
    to_reference = models.CharField(_("receiving council's reference"), max_length=40, blank=True)
    #: Whether lent devices (not yet the family's) stay on the sender's stock records.
    lent_devices_stay = models.BooleanField(_("lent devices stay on the sending council's records"), default=False)
    note = models.TextField(_("note for the receiving council"), blank=True, max_length=2000)
    #: What went (or stayed), written on acceptance: kind and model only, never a serial, so
    #: the sender's record shows nothing of the receiver's rows.
    devices_moved = models.JSONField(_("devices moved"), default=list, blank=True)
    devices_kept = models.JSONField(_("devices kept by the sending council"), default=list, blank=True)
    tickets_moved = models.PositiveIntegerField(_("tickets moved"), default=0)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("proposed by"))
    proposed_at = models.DateTimeField(_("proposed"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decision_reason = models.TextField(_("reason"), blank=True, max_length=2000)
    history = HistoricalRecords()

    objects = ChildTransferQuerySet.as_manager()

    class Meta:
        ordering = ["-proposed_at", "-pk"]
        verbose_name = _("move to another council")
        verbose_name_plural = _("moves between councils")
        constraints = [
            # A child is being moved at most once at a time.
            models.UniqueConstraint(fields=["child"], condition=Q(status="proposed"), name="one_waiting_transfer_per_child"),
            models.CheckConstraint(condition=~Q(from_local_authority=models.F("to_local_authority")), name="transfer_between_two_councils"),
        ]
        indexes = [models.Index(fields=["to_local_authority", "status"]), models.Index(fields=["from_local_authority", "status"])]

    def __str__(self):
        return _("Move %(reference)s from %(sender)s to %(receiver)s") % {
            "reference": self.from_reference, "sender": self.from_local_authority.name, "receiver": self.to_local_authority.name,
        }

    def get_absolute_url(self):
        return reverse("transfers:transfer_detail", args=[self.pk])

    @property
    def is_waiting(self):
        return self.status == TransferStatus.PROPOSED
