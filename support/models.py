"""Support tickets raised by school staff or families, the conversation on them, and the
people and texts that answer them.

A ``Ticket`` has a short public ``reference`` (8 characters from an unambiguous alphabet) and,
for a family, a long random access token of which only the SHA-256 is stored: the family's
private link carries both, and the reference alone opens nothing. Safeguarding concerns are
hidden from everyone but designated safeguarding leads by ``TicketQuerySet.visible_to``.
Writes go through ``support.services``.
"""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.db.models import Case, Exists, F, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from core.languages import language_choices
from core.scoping import ScopedQuerySet

LANGUAGE_CHOICES = language_choices  # a callable: a new language needs no migration
REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L
REFERENCE_LENGTH = 8


def language_name(code):
    """A language shown in its own name and script (``ur`` -> ``اردو``)."""
    return dict(settings.LANGUAGES).get(code, code or "")


class Category(models.TextChoices):
    HARDWARE = "hardware", _("The device is broken or will not turn on")
    SOFTWARE = "software", _("A problem with software or signing in")
    NO_INTERNET = "no_internet", _("No internet, or the data has run out")
    LOST_STOLEN = "lost_stolen", _("The device is lost or stolen")
    DAMAGE = "damage", _("The device is damaged")
    SAFEGUARDING = "safeguarding", _("I am worried about a child's safety")
    OTHER = "other", _("Something else")


class Priority(models.TextChoices):
    URGENT = "urgent", _("Urgent")
    HIGH = "high", _("High")
    NORMAL = "normal", _("Normal")
    LOW = "low", _("Low")


PRIORITY_RANK = {Priority.URGENT: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class Status(models.TextChoices):
    NEW = "new", pgettext_lazy("ticket status", "New")
    OPEN = "open", pgettext_lazy("ticket status", "Open")
    WAITING = "waiting", pgettext_lazy("ticket status", "Waiting for your reply")
    RESOLVED = "resolved", pgettext_lazy("ticket status", "Resolved")
    CLOSED = "closed", pgettext_lazy("ticket status", "Closed")


OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.WAITING)


class Source(models.TextChoices):
    STAFF = "staff", _("School staff")
    FAMILY = "family", _("Family")


class Channel(models.TextChoices):
    """How a ticket or a message came in (``WEB``: the help form or the family's ticket page)."""

    WEB = "web", _("Web form")
    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")
    STAFF = "staff", _("Staff page")


class ReplyChannel(models.TextChoices):
    SMS = "sms", _("Text message")
    EMAIL = "email", _("Email")


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class HidesSafeguarding:
    """For a ScopedQuerySet of tickets or rows about a ticket: ``visible_to`` also hides
    safeguarding concerns (``safeguarding_path``) from everyone but designated leads."""

    safeguarding_path = "is_safeguarding"

    def visible_to(self, user):
        qs = super().visible_to(user)
        if not getattr(user, "is_safeguarding_lead", False):
            qs = qs.exclude(**{self.safeguarding_path: True})
        return qs


class TicketQuerySet(HidesSafeguarding, ScopedQuerySet):
    """Tickets in the user's scope; safeguarding concerns only for designated leads."""

    scope_la_field = "local_authority"
    scope_school_field = "school"

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def breached(self, now=None):
        now = now or timezone.now()
        return self.filter(breach_q(now))

    def by_urgency(self):
        """Safeguarding first, then the SLA time that falls due soonest (first response while
        unanswered, else resolution), then age."""
        due = Case(
            When(first_responded_at__isnull=True, then=F("first_response_due")),
            default=F("resolution_due"),
        )
        return self.annotate(sla_due=due).order_by(
            "-is_safeguarding", F("sla_due").asc(nulls_last=True), "created_at", "pk"
        )

    def with_flags(self, now=None):
        """Annotate ``is_breached``, ``has_speaker`` and ``priority_rank`` in the same query."""
        now = now or timezone.now()
        speaker = AgentLanguage.objects.filter(
            language=OuterRef("language"),
            profile__user__is_active=True,
            profile__user__role="support_agent",
        ).filter(Q(profile__user__local_authority__isnull=True) | Q(profile__user__local_authority=OuterRef("local_authority")))
        return self.annotate(
            is_breached=Case(When(breach_q(now), then=Value(True)), default=Value(False), output_field=models.BooleanField()),
            has_speaker=Exists(speaker),
            priority_rank=Case(*[When(priority=p, then=Value(r)) for p, r in PRIORITY_RANK.items()], default=Value(9)),
        )


def breach_q(now):
    """Open tickets past a due time; a paused clock (waiting on the requester) cannot breach resolution."""
    return Q(status__in=OPEN_STATUSES) & (
        Q(first_responded_at__isnull=True, first_response_due__lt=now)
        | Q(sla_paused_at__isnull=True, resolution_due__lt=now)
    )


class Ticket(models.Model):
    """A request for help about a device, from school staff or a family.

    Guarantees: ``reference`` is unique and random; the family's access token is stored only as
    a SHA-256 hash; ``language`` is an ISO 639-1 code from ``settings.LANGUAGES``.
    """

    reference = models.CharField(_("reference"), max_length=REFERENCE_LENGTH, unique=True, editable=False)
    access_token_hash = models.CharField(max_length=64, editable=False)
    source = models.CharField(_("raised by"), max_length=10, choices=Source.choices, default=Source.FAMILY)
    local_authority = models.ForeignKey(
        "accounts.LocalAuthority", on_delete=models.PROTECT, null=True, blank=True, related_name="tickets",
        verbose_name=_("local authority"),
    )
    school = models.ForeignKey("accounts.School", on_delete=models.PROTECT, null=True, blank=True, related_name="tickets", verbose_name=_("school"))
    child = models.ForeignKey("allocations.Child", on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets", verbose_name=_("child"))
    device = models.ForeignKey("devices.Device", on_delete=models.SET_NULL, null=True, blank=True, related_name="tickets", verbose_name=_("device"))
    serial_given = models.CharField(_("serial number given"), max_length=60, blank=True)
    requester_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="requested_tickets",
        verbose_name=_("requested by"),
    )
    requester_name = models.CharField(_("name"), max_length=120, blank=True)
    requester_phone = models.CharField(_("phone"), max_length=16, blank=True)  # E.164
    requester_email = models.EmailField(_("email"), blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    description = models.TextField(_("description"))
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="en")
    detected_language = models.CharField(_("detected language"), max_length=8, blank=True)
    language_confirmed = models.BooleanField(_("language confirmed"), default=False)
    needs_interpreter = models.BooleanField(_("needs an interpreter"), default=False)
    channel = models.CharField(_("came in by"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    reply_channel = models.CharField(
        _("family's replies go by"), max_length=10, choices=ReplyChannel.choices, blank=True,
        help_text=_("Blank: email if they gave one, else a text."),
    )
    is_safeguarding = models.BooleanField(_("safeguarding concern"), default=False)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="assigned_tickets",
        verbose_name=_("assigned to"),
    )
    suggested_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="suggested_tickets",
        verbose_name=_("suggested agent"),
    )
    created_at = models.DateTimeField(_("raised"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    first_responded_at = models.DateTimeField(_("first response"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    # SLA pause bookkeeping: the clock stops while waiting on the requester; on resume the due
    # times move on by the business time that passed.
    sla_paused_at = models.DateTimeField(null=True, blank=True)
    sla_paused_seconds = models.PositiveIntegerField(default=0)
    breached_at = models.DateTimeField(_("SLA breached"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    # Personal details and the description stay out of the audit trail (anonymisation must reach them).
    history = HistoricalRecords(excluded_fields=["requester_name", "requester_phone", "requester_email", "description", "access_token_hash"])
    objects = TicketQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("ticket")
        verbose_name_plural = _("tickets")
        indexes = [
            models.Index(fields=["local_authority", "status", "-created_at"]),
            models.Index(fields=["school", "status"]),
            models.Index(fields=["assignee", "status"]),
            models.Index(fields=["language", "status"]),
        ]
        constraints = [
            models.CheckConstraint(name="ticket_reference_length", condition=Q(reference__regex=r"^[A-Z0-9]{8}$")),
        ]

    def __str__(self):
        return self.reference

    def get_absolute_url(self):
        return reverse("support:ticket_detail", args=[self.pk])

    def token_matches(self, token):
        """The private link's token: the one shown when the ticket was raised, or the link token
        we put in every message (``family_link_token``). Both stop working if the ticket's
        ``access_token_hash`` is replaced."""
        if not token or not self.access_token_hash:
            return False
        return hmac.compare_digest(self.access_token_hash, hash_token(token)) or hmac.compare_digest(
            self.family_link_token().encode(), token.encode("utf-8", "surrogatepass")
        )

    def family_link_token(self):
        """A token for the private link that we can make again for every message (an HMAC of the
        reference and the stored token hash with the server's secret), so texts and emails can
        carry the link although the token shown at first is never stored."""
        digest = hmac.new(
            settings.SECRET_KEY.encode(), f"family-link:{self.reference}:{self.access_token_hash}".encode(), hashlib.sha256
        ).hexdigest()
        return digest[:40]

    def family_url(self, token=None):
        return reverse("support:family_ticket", kwargs={"reference": self.reference, "token": token or self.family_link_token()})

    @property
    def family_reply_channel(self):
        """How replies reach the family: the channel they chose, else email if they gave one, else text."""
        if self.reply_channel == ReplyChannel.SMS and self.requester_phone:
            return ReplyChannel.SMS
        if self.reply_channel == ReplyChannel.EMAIL and self.requester_contact_email:
            return ReplyChannel.EMAIL
        if self.requester_contact_email:
            return ReplyChannel.EMAIL
        if self.requester_phone:
            return ReplyChannel.SMS
        return ""

    @property
    def sla_due_at(self):
        return self.first_response_due if self.first_responded_at is None else self.resolution_due

    @property
    def language_name(self):
        return language_name(self.language)

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES

    @property
    def requester_display(self):
        """Who asked: the staff member, the name the family gave, else how to reach them (a
        ticket opened by a text or email may come with no name)."""
        if self.requester_user_id:
            return self.requester_user.get_full_name() or self.requester_user.username
        return self.requester_name or self.requester_phone_display or self.requester_email

    @property
    def requester_phone_display(self):
        from devices.validators import format_uk_national

        return format_uk_national(self.requester_phone)

    @property
    def requester_contact_email(self):
        if self.requester_user_id:
            return self.requester_user.email
        return self.requester_email


class MessageQuerySet(models.QuerySet):
    def public(self):
        return self.filter(kind=Message.Kind.PUBLIC)


class Message(models.Model):
    """One entry in a ticket's conversation: a public reply (the requester sees it) or an
    internal note (staff only). Records the language it was written in."""

    class Kind(models.TextChoices):
        PUBLIC = "public", _("Reply to the requester")
        INTERNAL = "internal", _("Internal note")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages", verbose_name=_("ticket"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PUBLIC)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("author"))
    from_requester = models.BooleanField(default=False)
    channel = models.CharField(_("came in by"), max_length=10, choices=Channel.choices, default=Channel.WEB)
    body = models.TextField(_("message"))
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES, default="en")
    canned_response = models.ForeignKey("CannedResponse", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self):
        return f"{self.ticket.reference} {self.created_at:%d/%m/%Y %H:%M}"

    @property
    def language_name(self):
        return language_name(self.language)


class AttachmentQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Attachments on tickets the user may see (so safeguarding rules apply too)."""
        return self.filter(ticket__in=Ticket.objects.visible_to(user).values("pk"))


def attachment_path(instance, filename):
    # The stored name is random: the original name is kept in a field, never in the path.
    import secrets

    ext = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}.get(instance.content_type, "bin")
    return f"support/{timezone.now():%Y/%m}/{secrets.token_hex(16)}.{ext}"


class Attachment(models.Model):
    """A photo or PDF sent with a ticket or message. Stored under MEDIA_ROOT (outside the web
    root) with a random name; served only by views that check who may see the ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("ticket"))
    message = models.ForeignKey(Message, on_delete=models.CASCADE, null=True, blank=True, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("size"))
    uploaded_at = models.DateTimeField(default=timezone.now)

    objects = AttachmentQuerySet.as_manager()

    class Meta:
        ordering = ["uploaded_at", "pk"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return self.original_name

    def get_absolute_url(self):
        return reverse("support:attachment", args=[self.pk])

    @property
    def download_name(self):
        """The name a download is served under: the uploader's name with the extension of the
        detected type (``evil.svg`` holding a PNG is served as ``evil.png``)."""
        from support.uploads import EXTENSIONS

        stem = (self.original_name or "file").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
        stem = stem.rsplit(".", 1)[0] if "." in stem.lstrip(".") else stem
        return f"{stem.strip() or 'file'}.{EXTENSIONS.get(self.content_type, 'bin')}"


class CannedResponse(models.Model):
    """A ready-made reply with a text per language; agents edit and send the family's version."""

    title = models.CharField(_("title"), max_length=120, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices, blank=True)
    is_active = models.BooleanField(_("in use"), default=True)

    history = HistoricalRecords()
    class Meta:
        ordering = ["title"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self):
        return self.title

    def text_in(self, language):
        texts = {t.language: t.body for t in self.texts.all()}
        return texts.get(language) or texts.get("en", "")


class CannedResponseText(models.Model):
    """One language's text of a canned response."""

    canned_response = models.ForeignKey(CannedResponse, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)
    body = models.TextField(_("text"))

    history = HistoricalRecords()
    class Meta:
        ordering = ["language"]
        constraints = [models.UniqueConstraint(fields=["canned_response", "language"], name="one_text_per_language")]

    def __str__(self):
        return f"{self.canned_response} ({self.language})"


class AgentProfile(models.Model):
    """A support agent's languages, used to route tickets to someone who speaks the family's."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile")

    history = HistoricalRecords()
    class Meta:
        verbose_name = _("agent profile")

    def __str__(self):
        return str(self.user)

    @property
    def language_codes(self):
        return [lang.language for lang in self.languages.all()]


class AgentLanguage(models.Model):
    """One language an agent speaks (one row each so routing can filter on it)."""

    profile = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(_("language"), max_length=8, choices=LANGUAGE_CHOICES)

    history = HistoricalRecords()
    class Meta:
        constraints = [models.UniqueConstraint(fields=["profile", "language"], name="agent_language_once")]
        indexes = [models.Index(fields=["language"])]

    def __str__(self):
        return self.language


class SafeguardingAccessLog(models.Model):
    """Who opened or read a safeguarding ticket, and when. Written on every read, never edited."""

    class Action(models.TextChoices):
        VIEWED = "viewed", _("opened the ticket")
        DOWNLOADED = "downloaded", _("downloaded a file")
        ADMIN_VIEWED = "admin_viewed", _("opened in the admin")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="access_log")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=30, choices=Action.choices, default=Action.VIEWED)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("safeguarding access record")
        verbose_name_plural = _("safeguarding access records")

    def __str__(self):
        return f"{self.user} {self.action} {self.ticket} {self.at:%d/%m/%Y %H:%M}"


class FamilyAccessCode(models.Model):
    """A one-time code that lets a family back into their ticket with its reference and the phone
    or email they gave. Only the code's hash is kept. A request whose details match no ticket
    gets a row too (``ticket`` empty, nothing sent), so the answer never says whether a
    reference exists."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("ticket access code")
        verbose_name_plural = _("ticket access codes")
        indexes = [models.Index(fields=["ticket", "created_at"])]

    def __str__(self):
        return f"{self.pk} {self.created_at:%d/%m/%Y %H:%M}"
