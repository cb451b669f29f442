"""Sending to and receiving from families: the only way the service reaches a family.

``send_to_family`` renders a message type's text in the family's language, stores it as an
``OutboundMessage`` (once per idempotency key) and queues it for the worker; ``deliver`` hands a
queued row to the channel's driver exactly once; ``record_delivery_receipt`` takes the
provider's callback; ``receive_text`` turns an inbound text into a ticket reply or a new ticket.

Guarantees:
- one row per idempotency key: calling ``send_to_family`` twice with the same key sends once;
- a row is handed to a provider at most once per attempt, and an attempt that may have reached
  the provider (the worker died, the provider timed out) is looked up there by its reference
  before anything is sent again, so a retry never texts a family twice;
- temporary failures (rate limits, a provider that is down) are retried with growing back-off,
  up to ``MESSAGING_MAX_ATTEMPTS``; permanent ones are final and listed for agents;
- numbers that texted STOP get no texts (the row is kept, marked opted out).
"""

import logging
import re
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.template.defaultfilters import truncatechars
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from devices.validators import normalise_uk_mobile, normalise_uk_phone
from messaging.drivers import driver_for
from messaging.drivers.base import PermanentFailure, TemporaryFailure
from messaging.models import (
    FINAL_STATUSES,
    Channel,
    InboundMessage,
    InboundOutcome,
    OptOut,
    OutboundMessage,
    Status,
)

log = logging.getLogger("messaging")

#: GOV.UK Notify's longest text message (6 fragments of 153 characters).
SMS_MAX_CHARS = 918
#: How long a worker may hold a row it is sending before another may take it over.
SEND_LEASE = timedelta(minutes=2)
STOP_WORDS = {"stop", "stopall", "unsubscribe", "cancel", "end", "quit"}
START_WORDS = {"start", "unstop", "yes"}


@dataclass
class Recipient:
    """How to reach one family. ``channel_for`` picks the channel when the caller does not."""

    phone: str = ""
    email: str = ""
    address: str = ""
    name: str = ""

    def channel_for(self, preferred=None):
        available = {Channel.SMS: self.phone, Channel.EMAIL: self.email, Channel.LETTER: self.address}
        if preferred and available.get(preferred):
            return preferred
        for channel in (Channel.EMAIL, Channel.SMS, Channel.LETTER):
            if available[channel]:
                return channel
        return None

    def address_for(self, channel):
        return {Channel.SMS: self.phone, Channel.EMAIL: self.email, Channel.LETTER: self.address}[channel]


def _templates(template, channel):
    body = get_template(f"messaging/{template}.{channel}.txt")
    subject = get_template(f"messaging/{template}.subject.txt") if channel == Channel.EMAIL else None
    return body, subject


def render(*, template, channel, context, language, compiled=None):
    """(subject, body) of a message type in ``language``, exactly as the family receives it."""
    body_template, subject_template = compiled or _templates(template, channel)
    with translation.override(language):
        context = {"service_name": settings.SERVICE_NAME, "support_phone": settings.SUPPORT_PHONE, **context}
        body = body_template.render(context).strip()
        subject = ""
        if subject_template is not None:
            subject = " ".join(subject_template.render(context).split())
    if channel == Channel.SMS and len(body) > SMS_MAX_CHARS:
        body = truncatechars(body, SMS_MAX_CHARS)
    return subject[:200], body


E164_UK_MOBILE = re.compile(r"^\+447\d{9}$")


def _normalise_stored_mobile(phone):
    """A number as our validators store it (E.164 UK mobile) is taken as it is; anything else is
    normalised (and refused if it is not a UK mobile). Saves phonenumbers' full check per family
    in a bulk send, where the numbers come from our own records."""
    return phone if E164_UK_MOBILE.match(phone or "") else normalise_uk_mobile(phone)


def is_opted_out(phone):
    return bool(phone) and OptOut.objects.filter(phone=phone).exists()


def _text_target(phone, *, opted_out):
    """(number, status, why) for a text. A landline or a mistyped number is kept as a message
    that did not arrive, so an agent sees it and reaches the family another way (never an
    error for the caller); a number that texted STOP is kept as opted out."""
    try:
        phone = _normalise_stored_mobile(phone)
    except ValidationError as error:
        return phone, Status.PERMANENT_FAILURE, error.messages[0]
    if opted_out(phone):
        return phone, Status.OPTED_OUT, _("This number texted STOP.")
    return phone, Status.QUEUED, ""


def send_to_family(*, recipient, template, context, language, channel=None, key=None, ticket=None,
                   local_authority=None, school=None, sent_by=None, subject_suffix="", threads_replies=True):
    """Queue one message to a family; returns the row (the existing one for a repeated ``key``),
    or None when there is no way to reach them on any channel.

    ``recipient`` is a ``Recipient``; ``channel`` is the one to use (None: email, then text,
    then letter, whichever the family gave). ``key`` makes the call idempotent: give one that
    names the event (``ticket-reply:<message id>:sms``). ``threads_replies=False`` (messages to
    staff about a ticket) gives the email no reply address that would thread into the ticket."""
    channel = recipient.channel_for(channel)
    if channel is None:
        return None
    address, status, why = recipient.address_for(channel), Status.QUEUED, ""
    if channel == Channel.SMS:
        address, status, why = _text_target(address, opted_out=is_opted_out)
    if language not in dict(settings.LANGUAGES):
        language = "en"
    key = (key or f"{template}:{uuid.uuid4().hex}")[:100] + f":{channel}"
    existing = OutboundMessage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    subject, body = render(template=template, channel=channel, context=context, language=language)
    if subject_suffix:
        subject = f"{subject} {subject_suffix}"[:200]
    if ticket is not None:
        local_authority = local_authority or ticket.local_authority
        school = school or ticket.school
    message = OutboundMessage(
        channel=channel, template=template, language=language, recipient=address, subject=subject, body=body,
        idempotency_key=key, provider_reference=uuid.uuid4().hex, ticket=ticket,
        local_authority=local_authority, school=school, sent_by=sent_by,
    )
    if channel == Channel.EMAIL:
        message.email_message_id = make_msgid(domain=settings.MESSAGING_EMAIL_DOMAIN)
        if ticket is not None and threads_replies:
            from messaging.threading import reply_address

            message.reply_to = reply_address(ticket)
    if why:
        message.status, message.failed_at, message.last_error = status, timezone.now(), why[:300]
    try:
        with transaction.atomic():
            message.save()
    except IntegrityError:
        # Someone else stored the same key a moment ago: theirs is the message.
        return OutboundMessage.objects.get(idempotency_key=key)
    if message.status == Status.QUEUED:
        transaction.on_commit(lambda: enqueue_delivery(message.pk))
    return message


def send_to_families(*, template, channel, items, sent_by=None):
    """Queue one message type to many families at once (a text to every family of an LA).

    ``items`` yields dicts with ``recipient`` (a ``Recipient``), ``context``, ``language``,
    ``key`` and optionally ``ticket``/``local_authority``/``school``. The same guarantees as
    ``send_to_family`` (one row per key, opted-out numbers kept but not sent, unreachable ones
    listed), written in batches, with one delivery task for the lot. Returns how many rows were
    new."""
    opted_out = set(OptOut.objects.values_list("phone", flat=True))
    batch, created = [], 0
    languages = dict(settings.LANGUAGES)

    def flush():
        nonlocal created
        if batch:
            keys = [m.idempotency_key for m in batch]
            before = OutboundMessage.objects.filter(idempotency_key__in=keys).count()
            OutboundMessage.objects.bulk_create(batch, batch_size=500, ignore_conflicts=True)
            created += OutboundMessage.objects.filter(idempotency_key__in=keys).count() - before
            batch.clear()

    now = timezone.now()
    compiled = _templates(template, channel)
    for item in items:
        recipient = item["recipient"]
        address, status, error = recipient.address_for(channel), Status.QUEUED, ""
        if not address:
            continue
        if channel == Channel.SMS:
            address, status, error = _text_target(address, opted_out=opted_out.__contains__)
        language = item.get("language") if item.get("language") in languages else "en"
        subject, body = render(template=template, channel=channel, context=item.get("context", {}), language=language,
                               compiled=compiled)
        ticket = item.get("ticket")
        batch.append(OutboundMessage(
            channel=channel, template=template, language=language, recipient=address, subject=subject, body=body,
            status=status, last_error=error[:300], failed_at=now if error else None,
            idempotency_key=f"{item['key'][:100]}:{channel}", provider_reference=uuid.uuid4().hex,
            email_message_id=make_msgid(domain=settings.MESSAGING_EMAIL_DOMAIN) if channel == Channel.EMAIL else "",
            ticket=ticket, local_authority=item.get("local_authority") or (ticket.local_authority if ticket else None),
            school=item.get("school") or (ticket.school if ticket else None), sent_by=sent_by, created_at=now,
        ))
        if len(batch) >= 1000:
            flush()
    flush()
    if created:
        transaction.on_commit(enqueue_pending)
    return created


def enqueue_pending():
    from messaging.tasks import deliver_pending

    return deliver_pending.enqueue()


def enqueue_delivery(pk, run_after=None):
    from messaging.tasks import deliver_message

    task = deliver_message
    if run_after is not None:
        from django_tasks import default_task_backend

        if not default_task_backend.supports_defer:
            return None  # picked up by the next deliver_pending run
        task = task.using(run_after=run_after)
    return task.enqueue(pk)


class RateLimiter:
    """A token bucket shaped like Notify's (``rate`` a minute, bursts of a third of it, at most
    1,001), so one worker never goes over the provider's documented limit."""

    def __init__(self, per_minute):
        self.rate = per_minute / 60.0
        self.capacity = min(per_minute // 3 + 1, 1001)
        self.tokens = float(self.capacity)
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
                self.updated = now
                if self.tokens >= 1:
                    self.tokens -= 1
                    return
                time.sleep((1 - self.tokens) / self.rate)


_limiters = {}


def limiter():
    rate = settings.MESSAGING_RATE_LIMIT_PER_MINUTE
    if rate not in _limiters:
        _limiters[rate] = RateLimiter(rate)
    return _limiters[rate]


def _due_q(now):
    """Rows a worker may take now: queued and due, or left mid-send by a worker whose lease ran out."""
    return (Q(status=Status.QUEUED) & (Q(not_before__isnull=True) | Q(not_before__lte=now))) | Q(
        status=Status.SENDING, not_before__lte=now
    )


def _claim(pks, now):
    """Take the due rows among ``pks`` for one attempt each, in one UPDATE; the rows this call
    won (another worker's UPDATE of the same rows finds them no longer due)."""
    token = uuid.uuid4().hex
    OutboundMessage.objects.filter(_due_q(now), pk__in=list(pks)).update(
        status=Status.SENDING, attempts=F("attempts") + 1, not_before=now + SEND_LEASE, claim=token
    )
    return list(OutboundMessage.objects.filter(claim=token, status=Status.SENDING).order_by("pk"))


def _attempt(message, rate_limit=True):
    """Send one claimed row; the changes to record and when to try again (or None)."""
    driver = driver_for(message.channel)
    resumed = message.attempts > 1
    try:
        found = driver.find_sent(message) if resumed else None
        if found is None:
            if rate_limit and driver.name != "outbox":
                limiter().take()
            found = driver.send(message)
    except TemporaryFailure as failure:
        return _retry_changes(message, failure, driver.name)
    except PermanentFailure as failure:
        return _final_changes(status=failure.status, error=failure.reason, driver=driver.name), None
    except Exception as error:  # a bug or an unexpected answer: keep the row, retry, log
        log.exception("messaging: sending message %s failed", message.pk)
        return _retry_changes(message, TemporaryFailure(f"Unexpected error: {error.__class__.__name__}"), driver.name)
    return _final_changes(status=found.status, provider_id=found.provider_id, driver=driver.name), None


def _final_changes(*, status, driver, provider_id="", error=""):
    now = timezone.now()
    changes = {"status": status, "driver": driver, "not_before": None, "last_error": error[:300], "claim": ""}
    if provider_id:
        changes["provider_id"] = provider_id
    if status in (Status.SENT, Status.DELIVERED):
        changes["sent_at"] = now
        if status == Status.DELIVERED:
            changes["delivered_at"] = now
    else:
        changes["failed_at"] = now
        log.warning("messaging: message not sent (%s): %s", status, error)
    return changes


def _retry_changes(message, failure, driver):
    if message.attempts >= settings.MESSAGING_MAX_ATTEMPTS:
        error = _("Gave up after %(n)s attempts: %(reason)s") % {"n": message.attempts, "reason": failure.reason}
        return _final_changes(status=Status.TECHNICAL_FAILURE, driver=driver, error=error), None
    delay = failure.retry_after or min(30 * 2 ** (message.attempts - 1), 3600)
    when = timezone.now() + timedelta(seconds=delay)
    return {"status": Status.QUEUED, "not_before": when, "last_error": failure.reason[:300], "driver": driver, "claim": ""}, when


def _record(outcomes):
    """Write a batch's outcomes in one transaction. Each write is conditional on the row still
    being ours, so a delivery receipt that arrived meanwhile is never overwritten."""
    retries = []
    with transaction.atomic():
        for message, (changes, retry_at) in outcomes:
            OutboundMessage.objects.filter(pk=message.pk, status=Status.SENDING, claim=message.claim).update(**changes)
            if retry_at is not None:
                retries.append((message.pk, retry_at))
    for pk, when in retries:
        enqueue_delivery(pk, run_after=when)


def deliver(pk, *, now=None, rate_limit=True):
    """Hand one queued message to its driver and record what happened. Safe to call any number
    of times for the same row, at once or one after another: it is sent once."""
    claimed = _claim([pk], now or timezone.now())
    if claimed:
        _record([(claimed[0], _attempt(claimed[0], rate_limit=rate_limit))])
    return OutboundMessage.objects.filter(pk=pk).first()


def deliver_pending(*, limit=None, now=None, batch_size=200):
    """Send every due queued message (and take over expired leases), oldest first, claiming and
    recording them a batch at a time; returns how many were sent."""
    now = now or timezone.now()
    # A batch must be sent well inside the lease, whatever the rate limit.
    batch_size = max(1, min(batch_size, settings.MESSAGING_RATE_LIMIT_PER_MINUTE // 2))
    due = list(OutboundMessage.objects.filter(_due_q(now)).order_by("pk").values_list("pk", flat=True)[: limit or None])
    sent = 0
    for start in range(0, len(due), batch_size):
        claimed = _claim(due[start:start + batch_size], timezone.now())
        outcomes = [(message, _attempt(message)) for message in claimed]
        _record(outcomes)
        sent += sum(1 for _m, (changes, _r) in outcomes if changes["status"] in (Status.SENT, Status.DELIVERED))
    return sent


def send_again(*, message, by, recipient=None, channel=None):
    """An agent's fallback for a message that did not arrive: the same text again, to a corrected
    address or by another channel (a text instead of an email, or a posted letter)."""
    if message.status not in FINAL_STATUSES or message.status == Status.DELIVERED:
        raise ValidationError(_("Only a message that did not arrive can be sent again."))
    channel = channel or message.channel
    target = (recipient or message.recipient).strip()
    if not target:
        raise ValidationError(_("Give the number, email address or postal address to send it to."))
    if channel == Channel.SMS:
        target = normalise_uk_mobile(target)
    elif channel == Channel.EMAIL:
        from django.core.validators import validate_email

        validate_email(target)
    context = {"text": message.body, "ticket": message.ticket}
    return send_to_family(
        recipient=Recipient(**{{Channel.SMS: "phone", Channel.EMAIL: "email", Channel.LETTER: "address"}[channel]: target}),
        template="resend", context=context, language=message.language, channel=channel,
        key=f"resend:{message.pk}:{target}", ticket=message.ticket, local_authority=message.local_authority,
        school=message.school, sent_by=by,
        subject_suffix=message.subject,
    )


# Delivery receipts ----------------------------------------------------------------------------


def record_delivery_receipt(*, provider_id="", reference="", status):
    """A provider's word on where a message got to. Unknown ids are ignored (returns None); a
    repeated receipt changes nothing; a final status is never moved back to an earlier one."""
    from messaging.drivers.notify import NOTIFY_STATUSES

    ours = NOTIFY_STATUSES.get(status)
    if ours is None:
        raise ValidationError(_("Unknown status."))
    lookup = Q(provider_reference=reference) if reference else Q(provider_id=provider_id)
    if not (reference or provider_id):
        return None
    with transaction.atomic():
        message = OutboundMessage.objects.select_for_update().filter(lookup).first()
        if message is None:
            return None
        if message.status in FINAL_STATUSES or message.status == ours:
            return message
        message.status = ours
        now = timezone.now()
        if ours == Status.DELIVERED:
            message.delivered_at = now
            message.sent_at = message.sent_at or now
        elif ours != Status.SENT:
            message.failed_at = now
            message.last_error = _("The provider reported: %(status)s") % {"status": status}
        if provider_id and not message.provider_id:
            message.provider_id = provider_id[:64]
        message.claim = ""  # a receipt before the worker recorded the send: the receipt wins
        message.save(update_fields=["status", "delivered_at", "sent_at", "failed_at", "last_error", "provider_id", "claim"])
    return message


# Inbound texts --------------------------------------------------------------------------------


def receive_text(*, sender, body, provider_id, received_at=None):
    """An inbound text: STOP/START, a reply on the sender's open ticket, or a new ticket.

    Idempotent on ``provider_id``. Returns the ``InboundMessage``; a sender that is not a phone
    number is stored as refused, never raised."""
    received_at = received_at or timezone.now()
    body = (body or "").replace("\x00", "").strip()
    existing = InboundMessage.objects.filter(channel=Channel.SMS, provider_id=provider_id).first()
    if existing is not None:
        return existing
    inbound = InboundMessage(channel=Channel.SMS, provider_id=provider_id[:200], sender=(sender or "")[:320],
                             body=body[:10000], received_at=received_at)
    try:
        phone = normalise_uk_phone(sender)
    except ValidationError:
        phone = ""
    with transaction.atomic():
        if not phone:
            inbound.outcome, inbound.detail = InboundOutcome.REFUSED, _("The sender is not a phone number we can reply to.")
        elif body.lower().strip(" .!") in STOP_WORDS:
            OptOut.objects.get_or_create(phone=phone)
            inbound.sender, inbound.outcome = phone, InboundOutcome.OPTED_OUT
        elif body.lower().strip(" .!") in START_WORDS and OptOut.objects.filter(phone=phone).exists():
            OptOut.objects.filter(phone=phone).delete()
            inbound.sender, inbound.outcome = phone, InboundOutcome.OPTED_IN
        elif not body:
            inbound.sender, inbound.outcome, inbound.detail = phone, InboundOutcome.REFUSED, _("The text was empty.")
        elif (reply := _answer_checkin(phone, body, received_at)) is not None:
            # --- idle SIMs and check-ins: a reply of 1, 2 or 3 to a device check-in (or a try at one)
            inbound.sender, inbound.outcome, inbound.ticket = phone, InboundOutcome.CHECK_IN, reply.checkin.ticket
            inbound.detail = reply.detail
        else:
            from support.services import message_from_family

            inbound.sender = phone
            ticket, ticket_message, created = message_from_family(
                channel=Channel.SMS, phone=phone, body=body, received_at=received_at
            )
            inbound.ticket, inbound.ticket_message = ticket, ticket_message
            inbound.outcome = InboundOutcome.NEW_TICKET if created else InboundOutcome.THREADED
        try:
            with transaction.atomic():
                inbound.save()
        except IntegrityError:
            # The same callback arrived twice at once: the other one stored it; undo ours
            # (its ticket and reply too) and answer with theirs, read after leaving the block.
            transaction.set_rollback(True)
            inbound = None
    if inbound is None:
        return InboundMessage.objects.filter(channel=Channel.SMS, provider_id=provider_id).first()
    return inbound


# --- idle SIMs and check-ins


def _answer_checkin(phone, body, received_at):
    """What a reply to a device check-in did (``connectivity.checkins.TextReply``), or None."""
    from connectivity.checkins import answer_from_text

    return answer_from_text(phone=phone, body=body, now=received_at)
