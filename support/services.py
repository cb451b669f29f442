"""Domain writes for support: raising tickets, claiming, replying, status changes, languages.

Every function takes keyword-only arguments and runs in a transaction. Messages to families
go through ``support.family_messages`` (the messaging layer): the message row is written in the
same transaction as the change it reports, and handed to the worker only when it commits, so
nothing is sent for a write that rolled back and nothing is lost for one that committed.
"""

import hashlib
import hmac
import logging
import secrets
import unicodedata
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Count, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from support import family_messages, sla, uploads
from support.language import detect_language
from support.models import (
    OPEN_STATUSES,
    REFERENCE_ALPHABET,
    REFERENCE_LENGTH,
    AgentLanguage,
    AgentProfile,
    Attachment,
    Category,
    Channel,
    FamilyAccessCode,
    Message,
    Priority,
    SafeguardingAccessLog,
    Source,
    Status,
    Ticket,
    hash_token,
)

ALLOWED_TYPES = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WebP", "application/pdf": "PDF"}


# Attachments --------------------------------------------------------------------------------


def sniff_content_type(head):
    """The content type from a file's first bytes (never from its name), or ""."""
    return uploads.sniff(head)


def check_upload(upload):
    """Raise ValidationError unless ``upload`` is a photo or PDF within the size limit.

    The first bytes name the type; the whole file must then hold up as that type (see
    ``support.uploads``): a broken or disguised image is refused as not a photo, a PDF with
    scripts, actions or embedded files is refused with its own message. Returns the type."""
    limit = settings.SUPPORT_ATTACHMENT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file must be smaller than %(mb)s MB.") % {"mb": limit // (1024 * 1024)}, code="too_big"
        )
    upload.seek(0)
    data = upload.read(limit + 1)
    upload.seek(0)
    content_type = sniff_content_type(data[:16])
    check = uploads.STRUCTURE_CHECKS.get(content_type)
    if not content_type or (check and not check(data)):
        raise ValidationError(_("The file must be a photo (JPEG, PNG or WebP) or a PDF."), code="bad_type")
    if content_type == "application/pdf" and uploads.pdf_active_content(data):
        raise ValidationError(
            _("This PDF contains active content (such as scripts or embedded files), so we cannot accept it. "
              "Save or print it again as a plain PDF, or send a photo of it instead."),
            code="active_pdf",
        )
    return content_type


def _store_attachments(*, ticket, message, uploads):
    for upload in uploads or ():
        content_type = check_upload(upload)
        attachment = Attachment(
            ticket=ticket,
            message=message,
            original_name=(upload.name or "file")[-200:],
            content_type=content_type,
            size=upload.size,
        )
        try:
            attachment.file.save("upload", upload, save=False)
        except OSError:
            # A full or failing disk: the caller's transaction rolls back, so nothing is saved.
            logging.getLogger(__name__).exception("attachment could not be stored")
            raise ValidationError(
                _("We could not store your file just now, so nothing was saved. Try again in a few minutes."), code="storage"
            ) from None
        attachment.save()


# Creating tickets ---------------------------------------------------------------------------


def new_reference():
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


def new_token():
    return secrets.token_urlsafe(32)


def suggest_agent(*, language, local_authority_id, safeguarding=False, exclude_user_id=None):
    """The least-loaded active support agent in scope who speaks ``language``, or None.

    For a safeguarding concern only designated safeguarding leads are considered."""
    speakers = AgentLanguage.objects.filter(language=language).values("profile__user_id")
    from accounts.models import User

    agents = User.objects.filter(role="support_agent", is_active=True, pk__in=speakers)
    if local_authority_id:
        agents = agents.filter(Q(local_authority_id=local_authority_id) | Q(local_authority__isnull=True))
    else:
        agents = agents.filter(local_authority__isnull=True)
    if safeguarding:
        agents = agents.filter(is_safeguarding_lead=True)
    if exclude_user_id:
        agents = agents.exclude(pk=exclude_user_id)
    agents = agents.annotate(load=Count("assigned_tickets", filter=Q(assigned_tickets__status__in=OPEN_STATUSES)))
    return agents.order_by("load", "pk").first()


def _set_sla(ticket, start):
    first, resolution = sla.targets_for(ticket.priority)
    ticket.first_response_due = sla.add_business_hours(start, first)
    ticket.resolution_due = sla.add_business_hours(start, resolution)


@transaction.atomic
def create_ticket(
    *,
    category,
    description,
    source,
    language="",
    requester_user=None,
    requester_name="",
    requester_phone="",
    requester_email="",
    device=None,
    serial_given="",
    school=None,
    local_authority=None,
    needs_interpreter=False,
    priority=Priority.NORMAL,
    uploads=(),
    channel=Channel.WEB,
    reply_channel="",
    child=None,
    now=None,
):
    """Raise a ticket and return ``(ticket, token)``; the token is shown once, never stored.

    Device, child and school fill themselves in from the device's active allocation. The
    language is the one chosen, or detected offline from the text (the agent confirms it). A
    safeguarding concern is flagged, made urgent and escalated at once."""
    from allocations.models import Allocation

    now = now or timezone.now()
    if device is not None:
        allocation = Allocation.objects.active().filter(device=device).select_related("child__school").first()
        if allocation:
            child = allocation.child
            school = school or child.school
        school = school or device.school
        local_authority = device.local_authority
    if school is not None and local_authority is None:
        local_authority = school.local_authority
    if requester_user is not None and school is None and requester_user.school_id:
        school = requester_user.school
        local_authority = local_authority or school.local_authority

    if child is not None:
        school = school or child.school
        local_authority = local_authority or child.local_authority
    detected = detect_language(description)
    chosen = language if language in dict(settings.LANGUAGES) else ""
    if not chosen and source == Source.STAFF and child is not None and child.preferred_language in dict(settings.LANGUAGES):
        # Staff raise tickets for a family: the child's family language, not English, by default.
        chosen = child.preferred_language
    token = new_token()
    safeguarding = category == Category.SAFEGUARDING
    ticket = Ticket(
        reference=new_reference(),
        access_token_hash=hash_token(token),
        source=source,
        local_authority=local_authority,
        school=school,
        child=child,
        device=device,
        serial_given=(serial_given or "")[:60],
        requester_user=requester_user,
        requester_name=requester_name,
        requester_phone=requester_phone,
        requester_email=requester_email,
        category=category,
        priority=Priority.URGENT if safeguarding else priority,
        description=description,
        language=chosen or detected or "en",
        detected_language=detected,
        language_confirmed=bool(chosen),
        needs_interpreter=needs_interpreter,
        is_safeguarding=safeguarding,
        channel=channel,
        reply_channel=reply_channel,
        created_at=now,
    )
    _set_sla(ticket, now)
    if safeguarding:
        ticket.escalated_at = now
    suggested = suggest_agent(
        language=ticket.language, local_authority_id=ticket.local_authority_id, safeguarding=safeguarding
    )
    ticket.suggested_agent = suggested
    while Ticket.objects.filter(reference=ticket.reference).exists():
        ticket.reference = new_reference()
    ticket.full_clean(exclude=["access_token_hash", "reference"])
    ticket.save()
    _store_attachments(ticket=ticket, message=None, uploads=uploads)
    if safeguarding:
        _raise_alert(ticket, now)
        family_messages.tell_safeguarding_leads(ticket)
    if ticket.source == Source.FAMILY:
        family_messages.tell_family(ticket, "created")
    return ticket, token


def _raise_alert(ticket, now):
    """An alert for the LA's officers; it names the reference only, never the concern."""
    if not ticket.local_authority_id:
        return
    from devices.models import Alert

    Alert.objects.get_or_create(
        key=f"sla_breach:ticket:{ticket.pk}",
        defaults={
            "kind": Alert.Kind.SLA_BREACH,
            "local_authority_id": ticket.local_authority_id,
            "school_id": ticket.school_id,
            "message": (_("Support ticket %(ref)s needs urgent attention.") % {"ref": ticket.reference})[:300],
            "due": timezone.localdate(now),
        },
    )


# The queue ----------------------------------------------------------------------------------


def claim_ticket(*, ticket, agent):
    """Make ``agent`` the assignee if nobody is; True if this call won.

    One conditional UPDATE (``WHERE assignee_id IS NULL``): the database decides, so two agents
    claiming at once can never both own the ticket, on PostgreSQL or SQLite."""
    with transaction.atomic():
        won = Ticket.objects.filter(pk=ticket.pk, assignee__isnull=True).update(
            assignee=agent,
            status=Case(When(status=Status.NEW, then=Value(Status.OPEN)), default=F("status")),
            updated_at=timezone.now(),
        )
        ticket.refresh_from_db()
        if won:
            # A queryset update skips simple_history: record the claim in the audit trail.
            Ticket.history.bulk_history_create([ticket], update=True, default_user=agent, default_change_reason="claimed")
    return won == 1


@transaction.atomic
def reassign_ticket(*, ticket, agent, by):
    """Give the ticket to ``agent`` (a support agent who may see it), or unassign with None."""
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if agent is not None:
        if agent.role != "support_agent" or not Ticket.objects.visible_to(agent).filter(pk=ticket.pk).exists():
            raise ValidationError(_("That person cannot see this ticket."))
    ticket.assignee = agent
    if agent is not None and ticket.status == Status.NEW:
        ticket.status = Status.OPEN
    ticket.save(update_fields=["assignee", "status", "updated_at"])
    return ticket


def _pause(ticket, now):
    if ticket.sla_paused_at is None:
        ticket.sla_paused_at = now


def _resume(ticket, now):
    if ticket.sla_paused_at is not None:
        paused = sla.business_seconds_between(ticket.sla_paused_at, now)
        ticket.sla_paused_seconds += paused
        if ticket.resolution_due:
            ticket.resolution_due = sla.add_business_seconds(ticket.resolution_due, paused)
        ticket.sla_paused_at = None


def _apply_status(ticket, status, now):
    if status == Status.WAITING:
        _pause(ticket, now)
    elif ticket.status == Status.WAITING:
        _resume(ticket, now)
    if status in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = ticket.resolved_at or now
        ticket.sla_paused_at = None
    elif ticket.status in (Status.RESOLVED, Status.CLOSED):
        ticket.resolved_at = None
    ticket.status = status


@transaction.atomic
def change_status(*, ticket, status, by, now=None, notify=True):
    """Move the ticket to ``status``; waiting on the requester pauses the SLA clock."""
    now = now or timezone.now()
    if status not in Status.values:
        raise ValidationError(_("Choose a status."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if status == ticket.status:
        return ticket
    _apply_status(ticket, status, now)
    ticket.save()
    if notify:
        family_messages.tell_family(ticket, "status", by=by)
    return ticket


@transaction.atomic
def add_message(*, ticket, body, by=None, internal=False, language=None, canned_response=None, uploads=(), now=None,
                channel=None):
    """Add a reply or internal note from staff (``by``) or, with ``by=None``, from the requester.

    A staff public reply counts as the first response; a requester reply reopens a ticket that
    was waiting, resolved or closed and restarts the SLA clock. Public staff replies are emailed
    to the requester in the ticket's language."""
    now = now or timezone.now()
    body = (body or "").strip()
    if not body:
        raise ValidationError(_("Write a message."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    # School staff write on the requester's side of the conversation (they raised it, or they
    # speak for the family at their school); agents and officers answer.
    from_requester = by is None or by.role == "school_staff"
    if from_requester:
        internal = False
    message = Message(
        ticket=ticket,
        kind=Message.Kind.INTERNAL if internal else Message.Kind.PUBLIC,
        author=by,
        from_requester=bool(from_requester),
        body=body,
        language=language or (ticket.language if not by or from_requester else "en"),
        canned_response=canned_response,
        channel=channel or (Channel.WEB if by is None else Channel.STAFF),
        created_at=now,
    )
    message.full_clean()
    message.save()
    _store_attachments(ticket=ticket, message=message, uploads=uploads)
    if from_requester:
        if ticket.status in (Status.WAITING, Status.RESOLVED, Status.CLOSED):
            _apply_status(ticket, Status.OPEN, now)
    elif not internal:
        ticket.first_responded_at = ticket.first_responded_at or now
        if ticket.status == Status.NEW:
            ticket.status = Status.OPEN
    ticket.save()
    if not from_requester and not internal:
        family_messages.tell_family(ticket, "reply", message=message, by=by)
    return message


@transaction.atomic
def confirm_language(*, ticket, language, needs_interpreter, by):
    """The agent confirms (or corrects) the ticket's language and the interpreter flag."""
    if language not in dict(settings.LANGUAGES):
        raise ValidationError(_("Choose a language."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    ticket.language = language
    ticket.language_confirmed = True
    ticket.needs_interpreter = needs_interpreter
    if ticket.assignee_id is None:
        ticket.suggested_agent = suggest_agent(
            language=language, local_authority_id=ticket.local_authority_id, safeguarding=ticket.is_safeguarding
        )
    ticket.save()
    return ticket


@transaction.atomic
def set_agent_languages(*, user, languages):
    """Record the languages ``user`` speaks (replacing the previous list)."""
    valid = dict(settings.LANGUAGES)
    unknown = [code for code in languages if code not in valid]
    if unknown:
        raise ValidationError(_("Unknown language: %(codes)s") % {"codes": ", ".join(unknown)})
    profile, _created = AgentProfile.objects.get_or_create(user=user)
    profile.languages.exclude(language__in=languages).delete()
    existing = set(profile.languages.values_list("language", flat=True))
    AgentLanguage.objects.bulk_create(
        [AgentLanguage(profile=profile, language=code) for code in languages if code not in existing]
    )
    return profile


def record_safeguarding_access(*, ticket, user, action=SafeguardingAccessLog.Action.VIEWED):
    """Log a read of a safeguarding ticket (every detail view and download by a lead)."""
    if ticket.is_safeguarding:
        SafeguardingAccessLog.objects.create(ticket=ticket, user=user, action=action)


# Daily checks -------------------------------------------------------------------------------


def escalate_breaches(*, now=None):
    """Flag and escalate open tickets past their SLA. Idempotent: a ticket escalates once.

    Escalation raises the priority one step (to urgent at most), sets ``breached_at`` and
    ``escalated_at`` and raises an ``sla_breach`` alert for the LA. Returns the count."""
    now = now or timezone.now()
    bump = {Priority.LOW: Priority.NORMAL, Priority.NORMAL: Priority.HIGH, Priority.HIGH: Priority.URGENT}
    count = 0
    candidates = Ticket.objects.breached(now).filter(breached_at__isnull=True).order_by("pk")
    for pk in candidates.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            ticket = Ticket.objects.select_for_update().get(pk=pk)
            if ticket.breached_at is not None:
                continue
            ticket.breached_at = now
            ticket.escalated_at = ticket.escalated_at or now
            ticket.priority = bump.get(ticket.priority, ticket.priority)
            ticket.save(update_fields=["breached_at", "escalated_at", "priority", "updated_at"])
            _raise_alert(ticket, now)
            count += 1
    return count


# Messages from families by text or email ------------------------------------------------------


def _family_for_phone(phone):
    """(local authority, school, child) that a guardian's phone number points to, as far as it
    does: a child only when exactly one has that number, a school only when they share one."""
    from allocations.models import Child

    children = list(Child.objects.filter(guardian_phone=phone, anonymised_at__isnull=True).select_related("school")[:10])
    if not children:
        return None, None, None
    las = {c.local_authority_id for c in children}
    schools = {c.school_id for c in children}
    child = children[0] if len(children) == 1 else None
    school = children[0].school if len(schools) == 1 else None
    la = children[0].local_authority if len(las) == 1 else None
    return la, school, child


@transaction.atomic
def message_from_family(*, channel, body, phone="", email="", name="", ticket=None, subject="", received_at=None, uploads=()):
    """A text or email from a family: a reply on their ticket, or a new ticket.

    ``ticket`` is the ticket an email's thread token named; otherwise the sender's most recent
    open ticket (by phone for a text, by address for an email); otherwise a new ticket, in the
    language detected from the text (the child's family language when the number is known and
    the text says too little), with the LA, school and child the number points to. Returns
    ``(ticket, message or None, created)``."""
    received_at = received_at or timezone.now()
    body = (body or "").strip()
    if ticket is None:
        candidates = Ticket.objects.filter(status__in=OPEN_STATUSES, source=Source.FAMILY)
        if channel == Channel.SMS and phone:
            ticket = candidates.filter(requester_phone=phone).order_by("-created_at", "-pk").first()
        elif email:
            ticket = candidates.filter(requester_email__iexact=email).order_by("-created_at", "-pk").first()
    if ticket is not None:
        if ticket.is_safeguarding and not body:
            return ticket, None, False
        message = add_message(
            ticket=ticket, body=body or subject, by=None, language=detect_language(body) or ticket.language,
            now=received_at, channel=channel, uploads=uploads,
        )
        if message.language not in dict(settings.LANGUAGES):
            message.language = ticket.language
        return ticket, message, False
    la, school, child = _family_for_phone(phone) if phone else (None, None, None)
    detected = detect_language(body)
    language = detected or (child.preferred_language if child else "") or "en"
    text = body if not subject else f"{subject}\n\n{body}"
    ticket, _token = create_ticket(
        category=Category.OTHER, description=text[:10000] or "—", source=Source.FAMILY, language="",
        requester_name=name[:120], requester_phone=phone, requester_email=email[:254],
        school=school, local_authority=la, child=child, channel=channel,
        reply_channel=channel if channel in (Channel.SMS, Channel.EMAIL) else "", now=received_at, uploads=uploads,
    )
    if not detected and language != ticket.language:
        ticket.language = language
        ticket.save(update_fields=["language", "updated_at"])
    return ticket, None, True


# Getting back to a ticket with its reference ---------------------------------------------------


def _code_hash(code_id, code):
    return hmac.new(settings.SECRET_KEY.encode(), f"access-code:{code_id}:{code}".encode(), hashlib.sha256).hexdigest()


def _contact_matches(ticket, contact):
    from devices.validators import normalise_uk_phone

    contact = (contact or "").strip()
    if "@" in contact:
        return bool(ticket.requester_contact_email) and ticket.requester_contact_email.lower() == contact.lower()
    try:
        phone = normalise_uk_phone(contact)
    except ValidationError:
        return False
    return bool(ticket.requester_phone) and ticket.requester_phone == phone


@transaction.atomic
def request_access_code(*, reference, contact, now=None):
    """Send a one-time code to the phone or email given on the ticket ``reference``, if they match.

    Always returns a ``FamilyAccessCode`` (its id goes in the family's session): for details
    that match no ticket it has no ticket and nothing is sent, so the answer is the same whether
    the reference exists or not."""
    now = now or timezone.now()
    reference = "".join(ch for ch in (reference or "").upper() if ch.isalnum())[:REFERENCE_LENGTH]
    ticket = Ticket.objects.filter(reference=reference).first() if len(reference) == REFERENCE_LENGTH else None
    if ticket is not None and not _contact_matches(ticket, contact):
        ticket = None
    if ticket is not None and FamilyAccessCode.objects.filter(
        ticket=ticket, created_at__gte=now - timedelta(hours=1)
    ).count() >= settings.SUPPORT_ACCESS_CODES_PER_HOUR:
        # Enough codes for one ticket this hour: the same answer, and no more texts to the family.
        ticket = None
    code = f"{secrets.randbelow(1_000_000):06d}"
    row = FamilyAccessCode.objects.create(
        ticket=ticket, code_hash="", created_at=now,
        expires_at=now + timedelta(minutes=settings.SUPPORT_ACCESS_CODE_MINUTES),
    )
    row.code_hash = _code_hash(row.pk, code)
    row.save(update_fields=["code_hash"])
    if ticket is not None:
        channel = "email" if "@" in contact else "sms"
        family_messages.send_access_code(ticket=ticket, code=code, channel=channel)
    return row


@transaction.atomic
def redeem_access_code(*, code_id, code, now=None):
    """The ticket a one-time code opens, or None. A code works once, for a limited time, and
    after ``SUPPORT_ACCESS_CODE_ATTEMPTS`` wrong tries it stops working."""
    now = now or timezone.now()
    row = FamilyAccessCode.objects.select_for_update(of=("self",)).filter(pk=code_id).select_related("ticket").first()
    # Digits as typed on any phone keyboard (Arabic-Indic, Bengali, ...) count as the same digits.
    code = "".join(str(unicodedata.digit(ch)) for ch in (code or "")[:40] if unicodedata.digit(ch, None) is not None)
    if row is None or row.used_at or row.expires_at < now or row.attempts >= settings.SUPPORT_ACCESS_CODE_ATTEMPTS:
        return None
    row.attempts += 1
    if row.ticket is None or len(code) != 6 or not hmac.compare_digest(row.code_hash, _code_hash(row.pk, code)):
        row.save(update_fields=["attempts"])
        return None
    row.used_at = now
    row.save(update_fields=["attempts", "used_at"])
    return row.ticket
