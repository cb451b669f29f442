"""Check-ins with families about idle SIMs: "Do you still have the device?"

``send_checkins`` (the daily check) texts each idle SIM's family once a month (SMS where they
gave a mobile, else email), in the child's family language, with a private link answered with
one tap (``/help/<lang>/check-in/<token>/``) or by replying 1, 2 or 3 (``answer_from_text``,
which texts back what the answer did, or asks again). ``answer_checkin`` records
the answer once: a note in the device's custody log, and

* "Yes, it works": nothing more;
* "It is not working": a family support ticket in the family's language (the agents' queue);
* "We no longer need it": a ``return_requested`` alert for the LA's officers (the allocation
  lifecycle has no "return requested" state; the officer arranges the return and records it
  with ``allocations.services.return_device``).

The token is 32 random bytes sent only in the message; the check-in stores its SHA-256. A link
works for ``CONNECTIVITY_CHECKIN_LINK_DAYS`` days and for one answer.
"""

import datetime
import hashlib
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from allocations.models import Child
from connectivity.idle import STOPPED, idle_sims
from connectivity.models import CheckIn
from devices.models import Alert, DeviceEvent

TEMPLATE = "checkin"
#: What a reply of 1, 2 or 3 means.
REPLIES = {"1": CheckIn.Answer.WORKS, "2": CheckIn.Answer.NOT_WORKING, "3": CheckIn.Answer.NOT_NEEDED}
REPLY_RE = re.compile(r"^\s*([123])\s*[.)!]?\s*$")


class CheckInError(Exception):
    """Why a check-in link cannot be answered: ``code`` is "unknown", "expired" or "answered"."""

    def __init__(self, code, checkin=None):
        super().__init__(code)
        self.code = code
        self.checkin = checkin


def hash_token(token):
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def link_for(token, language):
    from support.family_messages import site_url

    return site_url() + reverse("connectivity:checkin_answer", kwargs={"lang": language, "token": token})


def expires_at(checkin):
    return checkin.sent_at + datetime.timedelta(days=settings.CONNECTIVITY_CHECKIN_LINK_DAYS)


def _language(child):
    return child.preferred_language if child.preferred_language in dict(settings.LANGUAGES) else "en"


def send_checkin(*, idle, child, period, now=None):
    """Create the check-in for one idle SIM and month and queue its message. Returns the
    ``CheckIn``, or None when one exists for that SIM and month or the family gave no phone or
    email. The message's idempotency key names the SIM and month: never sent twice."""
    from messaging.services import Recipient, send_to_family

    now = now or timezone.now()
    if not (child.guardian_phone or child.guardian_email):
        return None
    language = _language(child)
    token = secrets.token_urlsafe(32)
    channel = "sms" if child.guardian_phone else "email"
    checkin = CheckIn(
        sim_id=idle.sim_id, device_id=idle.device_id, allocation_id=idle.allocation_id, child=child,
        local_authority_id=idle.local_authority_id, school_id=idle.school_id, period=period,
        reason=CheckIn.Reason.STOPPED if idle.reason == STOPPED else CheckIn.Reason.IDLE,
        language=language, phone=child.guardian_phone if channel == "sms" else "", token_hash=hash_token(token),
        sent_at=now, follow_up_at=(now + datetime.timedelta(days=settings.CONNECTIVITY_CHECKIN_FOLLOW_UP_DAYS)).date(),
    )
    try:
        with transaction.atomic():
            checkin.save()
            message = send_to_family(
                recipient=Recipient(phone=child.guardian_phone, email=child.guardian_email, name=child.guardian_name),
                template=TEMPLATE, channel=channel, language=language,
                # ``from_council``: the child belongs to the LA directly, so the device is the council's, not a school's.
                context={"link": link_for(token, language), "name": child.guardian_name, "from_council": child.school_id is None},
                key=f"checkin:sim:{idle.sim_id}:{period:%Y-%m}", local_authority=child.local_authority, school=child.school,
            )
            if message is not None:
                checkin.message = message
                if message.channel == "sms":
                    checkin.phone = message.recipient[:16]
                checkin.save(update_fields=["message", "phone"])
    except IntegrityError:
        return None  # this SIM's check-in for the month exists (another run made it)
    return checkin


def send_checkins(today, *, now=None):
    """The daily check: a check-in for every idle SIM with a child that has none this month.
    Returns (window, idle SIMs, check-ins sent)."""
    win, idle = idle_sims(today)
    if not idle:
        return win, idle, 0
    period = today.replace(day=1)
    done = set()
    ids = [s.sim_id for s in idle]
    for i in range(0, len(ids), 5000):
        done.update(CheckIn.objects.filter(period=period, sim_id__in=ids[i : i + 5000]).values_list("sim_id", flat=True))
    todo = [s for s in idle if s.sim_id not in done]
    children = {}
    child_ids = sorted({s.child_id for s in todo})
    for i in range(0, len(child_ids), 5000):
        for child in Child.objects.filter(pk__in=child_ids[i : i + 5000]).select_related("school", "local_authority"):
            children[child.pk] = child
    sent = 0
    for s in todo:
        if send_checkin(idle=s, child=children[s.child_id], period=period, now=now) is not None:
            sent += 1
    return win, idle, sent


def find(token):
    """The check-in a link's token names, or CheckInError("unknown")."""
    if not token or len(token) > 100:
        raise CheckInError("unknown")
    checkin = CheckIn.objects.filter(token_hash=hash_token(token)).select_related("device").first()
    if checkin is None:
        raise CheckInError("unknown")
    return checkin


def check_open(checkin, now=None):
    """Raise CheckInError when the check-in can no longer be answered."""
    now = now or timezone.now()
    if checkin.answered_at is not None:
        raise CheckInError("answered", checkin)
    if now > expires_at(checkin):
        raise CheckInError("expired", checkin)


def _note(answer, channel):
    with translation.override(settings.LANGUAGE_CODE):
        by = _("by text") if channel == CheckIn.AnsweredBy.SMS else _("on the check-in page")
        return _("Family check-in answered %(by)s: “%(answer)s”.") % {"by": by, "answer": CheckIn.Answer(answer).label}


def _open_ticket(checkin, channel, now):
    from support.models import Category, Channel, Source
    from support.services import create_ticket

    child = checkin.child
    with translation.override(settings.LANGUAGE_CODE):
        description = _(
            "Device check-in: the family answered that the device is not working. "
            "The SIM in it has used no data recently."
        )
    ticket, _token = create_ticket(
        category=Category.NO_INTERNET, description=description, source=Source.FAMILY, language=checkin.language,
        requester_name=child.guardian_name[:120], requester_phone=child.guardian_phone, requester_email=child.guardian_email,
        device=checkin.device, child=child, channel=Channel.SMS if channel == CheckIn.AnsweredBy.SMS else Channel.WEB,
        reply_channel="sms" if child.guardian_phone else ("email" if child.guardian_email else ""), now=now,
    )
    return ticket


def _return_alert(checkin):
    device = checkin.device
    message = _("The family with device %(serial)s say they no longer need it: arrange its return.") % {"serial": device.serial}
    Alert.objects.get_or_create(
        key=f"return_requested:checkin:{checkin.pk}",
        defaults={
            "kind": Alert.Kind.RETURN_REQUESTED, "local_authority_id": checkin.local_authority_id,
            "school_id": checkin.school_id, "device": device, "sim_id": checkin.sim_id, "message": message[:300],
            "due": timezone.localdate(),
        },
    )


@transaction.atomic
def answer_checkin(*, checkin, answer, channel, now=None):
    """Record a family's answer once. Raises CheckInError("answered"/"expired") when the
    check-in was already answered (by another tap or text, even a moment ago) or has expired;
    nothing is recorded twice. Returns the check-in."""
    now = now or timezone.now()
    answer = CheckIn.Answer(answer)
    # Only the check-in row is locked: the child's school may be empty (an outer join PostgreSQL will not lock).
    checkin = CheckIn.objects.select_for_update(of=("self",)).select_related("device", "child", "child__school").get(pk=checkin.pk)
    check_open(checkin, now)
    checkin.answer, checkin.answered_at, checkin.answered_by = answer, now, channel
    DeviceEvent.objects.create(
        device=checkin.device, kind=DeviceEvent.Kind.NOTE, at=now, note=_note(answer, channel), allocation_id=checkin.allocation_id,
    )
    if answer == CheckIn.Answer.NOT_WORKING:
        checkin.ticket = _open_ticket(checkin, channel, now)
    elif answer == CheckIn.Answer.NOT_NEEDED:
        _return_alert(checkin)
    checkin.save(update_fields=["answer", "answered_at", "answered_by", "ticket"])
    return checkin


#: What a text about a check-in did (``TextReply.outcome``).
ANSWERED, ALREADY_ANSWERED, NOT_UNDERSTOOD = "answered", "already_answered", "not_understood"
#: A short reply that is not 1, 2 or 3 (a number, or one word such as "yes"), from a number with
#: an open check-in, is taken as a try at answering it; a longer text goes to the ticket path.
ATTEMPT_RE = re.compile(r"^\s*\S{1,12}\s*$")
REPLY_TEMPLATE = "checkin_reply"


@dataclass(frozen=True)
class TextReply:
    """A text that was about a check-in: the check-in, and what the text did."""

    checkin: CheckIn
    outcome: str

    @property
    def detail(self):
        ref = self.checkin.reference
        if self.outcome == ANSWERED:
            return _("Check-in %(ref)s answered: %(answer)s") % {"ref": ref, "answer": self.checkin.get_answer_display()}
        if self.outcome == ALREADY_ANSWERED:
            return _("Check-in %(ref)s was already answered: this reply changed nothing.") % {"ref": ref}
        return _("Reply to check-in %(ref)s was not 1, 2 or 3: the family was asked again.") % {"ref": ref}


def _text_family(checkin, *, phone, what, key):
    """Text the family what their reply did (``templates/messaging/checkin_reply.sms.txt``), in
    the check-in's language, through the one send service; ``key`` makes it once only."""
    from messaging.services import Recipient, send_to_family

    ticket = checkin.ticket.reference if checkin.ticket_id else ""
    return send_to_family(
        recipient=Recipient(phone=phone), template=REPLY_TEMPLATE, channel="sms", language=checkin.language,
        context={"what": what, "answer": checkin.answer, "reference": checkin.reference, "ticket": ticket},
        key=key, local_authority=checkin.local_authority, school=checkin.school,
    )


def answer_from_text(*, phone, body, now=None):
    """A text about the newest open check-in sent to ``phone`` in the last
    ``CONNECTIVITY_CHECKIN_LINK_DAYS`` days. Returns a ``TextReply``, or None when the text is
    not about a check-in (it is then handled as any other: a ticket reply).

    * 1, 2 or 3 answers it (``answer_checkin``) and the family gets a short text confirming
      what their answer did (once per check-in);
    * 1, 2 or 3 when the check-in was already answered (by the page, or an earlier text)
      changes nothing and the family is told so;
    * a short reply that is not 1, 2 or 3 (``ATTEMPT_RE``) to an open check-in records nothing
      and asks again.

    The last two texts go at most once a day per check-in (their key names the day), so an
    automatic reply on the family's phone cannot start a loop."""
    text = (body or "").strip()
    match = REPLY_RE.match(text)
    if not phone or not (match or ATTEMPT_RE.match(text)):
        return None
    now = now or timezone.now()
    oldest = now - datetime.timedelta(days=settings.CONNECTIVITY_CHECKIN_LINK_DAYS)
    recent = (CheckIn.objects.filter(phone=phone, sent_at__gte=oldest)
              .select_related("local_authority", "school", "ticket").order_by("-sent_at", "-pk"))
    day = timezone.localdate(now).isoformat()
    checkin = recent.filter(answered_at__isnull=True).first()
    if checkin is None:
        answered = recent.first() if match else None
        if answered is None:
            return None
        _text_family(answered, phone=phone, what=ALREADY_ANSWERED, key=f"checkin:{answered.pk}:already:{day}")
        return TextReply(answered, ALREADY_ANSWERED)
    if not match:
        _text_family(checkin, phone=phone, what=NOT_UNDERSTOOD, key=f"checkin:{checkin.pk}:unclear:{day}")
        return TextReply(checkin, NOT_UNDERSTOOD)
    try:
        checkin = answer_checkin(checkin=checkin, answer=REPLIES[match.group(1)], channel=CheckIn.AnsweredBy.SMS, now=now)
    except CheckInError as exc:
        if exc.code != "answered":
            return None  # expired this very moment: an ordinary text
        checkin = recent.get(pk=checkin.pk)  # answered a moment ago, by a tap or another text
        _text_family(checkin, phone=phone, what=ALREADY_ANSWERED, key=f"checkin:{checkin.pk}:already:{day}")
        return TextReply(checkin, ALREADY_ANSWERED)
    _text_family(checkin, phone=phone, what=ANSWERED, key=f"checkin:{checkin.pk}:answered")
    return TextReply(checkin, ANSWERED)
