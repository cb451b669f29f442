"""Every text, email and letter we send to a family, and every text or email a family sends us.

One row per message: what it is (template and language), who it is for, the text exactly as the
family receives it, and where it got to (``Status``). Tickets, letters and later SIM requests
send through ``messaging.services.send_to_family`` and nothing else; the background worker hands
each row to the configured driver (``messaging/drivers/``). A row is created once per
``idempotency_key``, and a row is handed to the provider at most once (see
``services.deliver``), so a retried task or a double click never texts a family twice.

Rows are scoped to the LA (and school) of the record they belong to.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from simple_history.models import HistoricalRecords

from core.languages import language_choices
from core.scoping import ScopedQuerySet
from support.models import HidesSafeguarding


class Channel(models.TextChoices):
    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")
    LETTER = "letter", _("Letter")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    DELIVERED = "delivered", _("Delivered")
    TEMPORARY_FAILURE = "temporary-failure", _("Not delivered yet (the phone or inbox was unavailable)")
    PERMANENT_FAILURE = "permanent-failure", _("Did not arrive (wrong number or address)")
    TECHNICAL_FAILURE = "technical-failure", _("Not sent (a technical problem)")
    OPTED_OUT = "opted-out", _("Not sent (the family asked us to stop texting)")


#: Statuses that mean the family did not get the message and someone should act.
FAILED_STATUSES = (Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE, Status.OPTED_OUT)
#: Statuses after which nothing more will happen to the row.
FINAL_STATUSES = (Status.DELIVERED, *FAILED_STATUSES)


class OutboundMessageQuerySet(HidesSafeguarding, ScopedQuerySet):
    """Messages in the user's scope; messages on safeguarding tickets only for designated leads."""

    scope_la_field = "local_authority"
    scope_school_field = "school"
    safeguarding_path = "ticket__is_safeguarding"

    def failed(self):
        return self.filter(status__in=FAILED_STATUSES)

    def due(self, now=None):
        now = now or timezone.now()
        return self.filter(status=Status.QUEUED).filter(Q(not_before__isnull=True) | Q(not_before__lte=now))


class OutboundMessage(models.Model):
    """One message to a family. ``body`` is the text exactly as they receive it.

    Guarantees: one row per ``idempotency_key``; ``provider_reference`` (sent to the provider
    as its ``reference``) is unique, so a send interrupted after the provider accepted it is
    found again instead of being sent twice."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    template = models.CharField(_("message type"), max_length=40)
    language = models.CharField(_("language"), max_length=8, choices=language_choices, default="en")
    recipient = models.CharField(_("to"), max_length=400)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.QUEUED, db_index=True)
    driver = models.CharField(_("sent through"), max_length=20, blank=True)
    provider_id = models.CharField(_("provider's id"), max_length=64, blank=True, db_index=True)
    provider_reference = models.CharField(max_length=64, unique=True, editable=False)
    idempotency_key = models.CharField(max_length=120, unique=True, editable=False)
    email_message_id = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    reply_to = models.CharField(max_length=254, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField(default=0)
    claim = models.CharField(max_length=32, blank=True, db_index=True, editable=False)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    not_before = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("queued"), default=timezone.now, db_index=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed"), null=True, blank=True)
    local_authority = models.ForeignKey(
        "accounts.LocalAuthority", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("local authority")
    )
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("school"))
    ticket = models.ForeignKey(
        "support.Ticket", on_delete=models.CASCADE, null=True, blank=True, related_name="outbound_messages", verbose_name=_("ticket")
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("sent by")
    )

    objects = OutboundMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message to a family")
        verbose_name_plural = _("messages to families")
        indexes = [
            models.Index(fields=["status", "not_before"]),
            models.Index(fields=["local_authority", "status", "-created_at"]),
            models.Index(fields=["ticket", "created_at"]),
        ]

    def __str__(self):
        return f"{self.get_channel_display()} {self.provider_reference[:8]}"

    def get_absolute_url(self):
        return reverse("messaging:message_detail", args=[self.pk])

    @property
    def is_failed(self):
        return self.status in FAILED_STATUSES

    @property
    def recipient_display(self):
        if self.channel == Channel.SMS:
            from devices.validators import format_uk_national

            return format_uk_national(self.recipient)
        return self.recipient


class InboundOutcome(models.TextChoices):
    THREADED = "threaded", _("Added to the family's ticket")
    NEW_TICKET = "new_ticket", _("Opened a new ticket")
    OPTED_OUT = "opted_out", _("The family asked us to stop texting")
    OPTED_IN = "opted_in", _("The family asked us to text again")
    AUTO_REPLY = "auto_reply", _("Automatic reply, not added")
    BOUNCE = "bounce", _("Delivery failure report, not added")
    REFUSED = "refused", _("Refused")
    # --- idle SIMs and check-ins
    CHECK_IN = "check_in", _("Answered a device check-in")


class InboundMessageQuerySet(HidesSafeguarding, ScopedQuerySet):
    scope_la_field = "ticket__local_authority"
    scope_school_field = "ticket__school"
    safeguarding_path = "ticket__is_safeguarding"


class InboundMessage(models.Model):
    """One text or email a family sent us, kept whatever became of it.

    Guarantees: one row per (channel, provider_id), so a callback or mailbox fetch delivered
    twice is taken once."""

    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    provider_id = models.CharField(max_length=200, editable=False)
    sender = models.CharField(_("from"), max_length=320)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"), blank=True)
    received_at = models.DateTimeField(_("received"), default=timezone.now, db_index=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=InboundOutcome.choices)
    detail = models.CharField(_("detail"), max_length=300, blank=True)
    ticket = models.ForeignKey(
        "support.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="inbound_messages", verbose_name=_("ticket")
    )
    ticket_message = models.ForeignKey("support.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = InboundMessageQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = _("message from a family")
        verbose_name_plural = _("messages from families")
        constraints = [models.UniqueConstraint(fields=["channel", "provider_id"], name="inbound_once_per_provider_id")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.received_at:%d/%m/%Y %H:%M}"


class NotifyTemplate(models.Model):
    """The GOV.UK Notify template to use for one message type, channel and language.

    Our text is rendered here (translated, as the outbox shows it) and passed to Notify as the
    personalisation ``body`` (and ``subject`` for email), so a Notify template whose content is
    ``((body))`` sends it unchanged. A row for the language wins; else the row for English."""

    template = models.CharField(_("message type"), max_length=40, help_text=_("For example ticket_reply; * for every type."))
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    language = models.CharField(_("language"), max_length=8, choices=language_choices, default="en")
    notify_template_id = models.UUIDField(_("Notify template id"))
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["template", "channel", "language"]
        verbose_name = _("Notify template")
        verbose_name_plural = _("Notify templates")
        constraints = [models.UniqueConstraint(fields=["template", "channel", "language"], name="one_notify_template_per_use")]

    def __str__(self):
        return f"{self.template} / {self.channel} / {self.language}"


class OptOut(models.Model):
    """A phone number that texted STOP: we send it no more texts until it texts START."""

    phone = models.CharField(_("phone"), max_length=16, unique=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("number that opted out of texts")
        verbose_name_plural = _("numbers that opted out of texts")

    def __str__(self):
        return self.phone
