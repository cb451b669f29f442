"""Families' email into tickets: read one email, recognise what it is, and store it once.

``receive_email(raw)`` takes one message as it came from the mailbox and returns its
``InboundMessage`` with an outcome:

1. **bounce**: a delivery status report (``multipart/report; report-type=delivery-status``) or
   mail from ``MAILER-DAEMON``. When it names one of our emails (the Message-ID in the returned
   headers, or our reference), that ``OutboundMessage`` becomes ``permanent-failure`` with the
   reason, so it is listed with the messages that did not arrive. Opens nothing.
2. **auto_reply**: out-of-office and other automatic mail (``Auto-Submitted``, ``X-Autoreply``,
   ``Precedence: bulk``, an empty return path, read receipts, "Automatic reply" subjects) and
   mail loops (``X-Loop`` naming us, mail from our own addresses or our own Message-ID coming
   back). Opens nothing, so two auto-responders never answer each other.
3. **threaded**: a reply on the ticket named by a thread token (``messaging.threading``): in the
   ``support+<token>@`` address it was sent to, in ``In-Reply-To``/``References`` matching one
   of our emails' Message-IDs, or in the ``[#token]`` subject tag. A token that fails its HMAC is
   ignored; the ticket's reference never threads.
4. **new_ticket** (or threaded on the sender's own open ticket): anything else from a family,
   through ``support.services.message_from_family``.
5. **refused**, with the reason in ``detail``: no sender we can reply to, no text and no file,
   too many emails from one address in an hour (a loop), too large to download.

Guarantees: parsing never raises (broken MIME, unknown or wrong charsets are read with
replacement characters); one row per Message-ID (or the SHA-256 of the bytes when there is
none), so a message fetched twice is stored once; attachments pass the help form's checks
(``support.services.check_upload``) and every refused one is named in ``detail``. A failure
that may pass (the database or file storage unavailable) raises ``TryLater``: the message stays
in the mailbox and is read again at the next poll.

``poll_mailbox()`` reads the configured mailbox (``messaging.mailboxes``) and reports counts.
"""

import hashlib
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from datetime import timezone as dt_timezone
from email import policy
from email.header import decode_header, make_header
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.validators import validate_email
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from messaging.mailboxes import MailboxUnavailable, Oversized, open_mailbox, safe_url
from messaging.models import FAILED_STATUSES, Channel, InboundMessage, InboundOutcome, OutboundMessage, Status
from messaging.threading import ticket_pk_from_token, token_in_address, token_in_subject

log = logging.getLogger("messaging")

MAX_BODY_CHARS = 10_000
MSGID_RE = re.compile(r"<[^<>\s]{1,250}>")
REFERENCE_RE = re.compile(r"\b[0-9a-f]{32}\b")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SUBJECT_TAG_STRIP_RE = re.compile(r"\s*\[#[0-9a-z]{1,10}-[a-z2-7]{12}\]", re.IGNORECASE)
AUTO_SUBJECT_RE = re.compile(
    r"^\s*(?:out of (?:the )?office|automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|away from (?:the )?office"
    r"|on holiday|on vacation|vacation reply|odpowied[zź] automatyczna|respuesta autom[aá]tica|resposta autom[aá]tica"
    r"|r[eé]ponse automatique|otomatik yan[ıi]t|r[aă]spuns automat|abwesenheitsnotiz|automatische antwort)\b",
    re.IGNORECASE,
)
BOUNCE_SUBJECT_RE = re.compile(
    r"undeliver|delivery status notification|delivery failure|mail delivery failed|returned mail|failure notice"
    r"|delivery has failed|could not be delivered",
    re.IGNORECASE,
)
# "On Mon, 1 Dec 2026 at 10:00, Support <support@...> wrote:" and its common translations.
WROTE_RE = re.compile(
    r"(?:wrote|writes|pisze|napisa[lł]\(a\)|napisa[lł]a?|escribi[oó]|escreveu|a [eé]crit|yazd[ıi]|a scris|schrieb)\s*:\s*$",
    re.IGNORECASE,
)
WROTE_OPENER_RE = re.compile(r"^(?:on|w dniu|el|em|le|în|in|am|op|le)\s", re.IGNORECASE)
SKIPPED_TYPES = {"application/pgp-signature", "application/pkcs7-signature", "application/x-pkcs7-signature"}


class TryLater(Exception):
    """Not stored now, and not refused: leave the message in the mailbox for the next poll."""


# Reading an email that may be broken ----------------------------------------------------------


def _clean(text):
    """Text safe to store: lone surrogates from undecodable header bytes re-read (UTF-8, else
    Windows-1252), control characters (NUL included) removed."""
    text = str(text or "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raw = text.encode("utf-8", "surrogateescape") if _only_escapes(text) else text.encode("utf-8", "replace")
        text = _decode(raw, "")
    return CONTROL_RE.sub("", text)


def _only_escapes(text):
    try:
        text.encode("utf-8", "surrogateescape")
        return True
    except UnicodeEncodeError:
        return False


def _decode(payload, charset):
    """Bytes to text without ever raising. ASCII and Latin-1 labels are read as Windows-1252 (as
    browsers do: mail labelled Latin-1 usually is), unless the bytes are valid UTF-8; an unknown
    charset is read as UTF-8, else Windows-1252; undecodable bytes become U+FFFD."""
    charset = (charset or "").strip().strip("\"'").lower()
    if charset in ("", "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin-1", "latin1", "windows-1252", "cp1252"):
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", "replace")
    try:
        return payload.decode(charset, "replace")
    except Exception:  # LookupError for a made-up charset; some codecs refuse "replace"
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", "replace")


def parse(raw):
    """The message, parsed with the modern policy; the legacy one if that fails (it never should)."""
    try:
        return BytesParser(policy=policy.default).parsebytes(raw)
    except Exception:
        log.warning("messaging: email could not be parsed with policy.default; reading it the old way", exc_info=True)
        return BytesParser(policy=policy.compat32).parsebytes(raw)


def _header(message, name):
    """A header's text ('' when absent), decoded; malformed headers read from their raw value."""
    try:
        value = message.get(name)
        text = "" if value is None else str(value)
    except Exception:
        raw = next((v for k, v in message.raw_items() if k.lower() == name.lower()), "")
        try:
            text = str(make_header(decode_header(raw)))
        except Exception:
            text = raw
    return " ".join(_clean(text).split())


def _all_headers(message, *names):
    values = []
    for name in names:
        try:
            found = message.get_all(name) or []
            values.extend(str(v) for v in found)
        except Exception:
            values.extend(v for k, v in message.raw_items() if k.lower() == name.lower())
    return [_clean(v) for v in values]


def _addresses(message, *names):
    try:
        return [addr.lower() for _name, addr in getaddresses(_all_headers(message, *names)) if "@" in addr]
    except Exception:
        return []


def _message_ids(*values):
    return [match for value in values for match in MSGID_RE.findall(value or "")]


def _content_type(part):
    try:
        return part.get_content_type()
    except Exception:
        return "application/octet-stream"


def _part_text(part):
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        payload = None
    if payload is None:
        try:
            payload = part.get_payload()
        except Exception:
            payload = ""
        if not isinstance(payload, str):
            return ""
        payload = payload.encode("utf-8", "surrogateescape")
    try:
        charset = part.get_content_charset() or ""
    except Exception:
        charset = ""
    return _decode(payload, charset)


class _HtmlText(HTMLParser):
    """The text of an HTML body: tags dropped, scripts, styles and quoted blocks left out."""

    BLOCKS = {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "pre"}
    SKIPPED = {"script", "style", "head", "title", "blockquote"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skipping = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in self.SKIPPED:
            self.skipping += 1
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in self.SKIPPED:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup):
    parser = _HtmlText()
    try:
        parser.feed(markup)
        parser.close()
    except Exception:
        pass  # keep what was read before the markup went wrong
    lines = [" ".join(line.split()) for line in "".join(parser.parts).splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def trim_quoted(text):
    """The new text of a reply: stops at a signature (``-- ``), an "On ... wrote:" line, an
    Outlook "Original Message" or "From: / Sent:" block; drops lines quoted with ``>``."""
    lines = text.splitlines()
    kept = []
    for index, line in enumerate(lines):
        stripped = line.strip()
        following = lines[index + 1].strip() if index + 1 < len(lines) else ""
        if line.rstrip() == "--" or re.fullmatch(r"-{3,}\s*original message\s*-{3,}", stripped, re.IGNORECASE):
            break
        # A client may wrap "On <date>, <name> <address>" and "wrote:" onto two lines.
        wrapped = not WROTE_RE.search(stripped) and WROTE_OPENER_RE.match(stripped)
        joined = f"{stripped} {following}" if wrapped else stripped
        if WROTE_RE.search(joined) and re.search(r"\d|@", joined) and not stripped.startswith(">"):
            break
        if re.match(r"^\*?from:\*?\s", stripped, re.IGNORECASE) and any(
            re.match(r"^\*?(sent|date):", later.strip(), re.IGNORECASE) for later in lines[index + 1: index + 4]
        ):
            break
        if re.fullmatch(r"_{10,}", stripped) and re.match(r"^\*?from:", following, re.IGNORECASE):
            break
        if stripped.startswith(">"):
            continue
        kept.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


@dataclass
class Parsed:
    """What ``receive_email`` needs from one email."""

    message: object
    message_id: str
    sender: str
    sender_name: str
    subject: str
    text: str
    attachments: list = field(default_factory=list)  # (name, content_type, bytes)


def _filename(part, number):
    try:
        name = part.get_filename() or ""
    except Exception:
        name = ""
    name = _clean(name).replace("\\", "/").rsplit("/", 1)[-1].strip() or f"attachment-{number}"
    return name[-200:]


def read(raw, *, repairing=False):
    """Parse ``raw`` into a ``Parsed``; never raises."""
    message = parse(raw)
    if repairing:
        message.repaired = True
    body_part = None
    try:
        body_part = message.get_body(preferencelist=("plain", "html"))
    except Exception:
        body_part = None
    if body_part is None:
        for part in message.walk():
            if _content_type(part) in ("text/plain", "text/html") and not _is_attachment(part):
                body_part = part
                break
    text = ""
    if body_part is not None:
        text = _part_text(body_part)
        if _content_type(body_part) == "text/html":
            text = html_to_text(text)
    elif _content_type(message).startswith("multipart/"):
        repaired = _repair_multipart(message, raw)
        if repaired is not None:
            return repaired
        text = _broken_multipart_text(message)
    attachments = []
    for part in message.walk():
        if part is body_part or _is_container(part) or _content_type(part).startswith("multipart/"):
            continue
        kind = _content_type(part)
        if kind in SKIPPED_TYPES:
            continue
        if kind in ("text/plain", "text/html") and not _is_attachment(part):
            continue  # the other half of a multipart/alternative body
        try:
            content = part.get_payload(decode=True) or b""
        except Exception:
            content = b""
        attachments.append((_filename(part, len(attachments) + 1), kind, content))
    sender_header = _header(message, "From") or _header(message, "Sender")
    name, address = parseaddr(sender_header)
    return Parsed(
        message=message,
        message_id=(_message_ids(_header(message, "Message-ID")) or [""])[0],
        sender=address.strip().lower(),
        sender_name=name.strip()[:120],
        subject=_header(message, "Subject"),
        text=_clean(text).replace("\r\n", "\n").strip(),
        attachments=attachments,
    )


def _repair_multipart(message, raw):
    """A multipart email whose boundary parameter is missing or wrong but whose parts are
    delimited (``--something`` lines): parsed again with the boundary its body uses."""
    try:
        parts = message.get_payload()
    except Exception:
        parts = None
    if getattr(message, "repaired", False) or (isinstance(parts, list) and parts):
        return None  # its parts were read: nothing to repair (it just has no text part)
    head, sep, body = raw.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = raw.partition(b"\n\n")
    match = re.search(rb"^--([^\s-][^\r\n]{0,69}?)\r?$", body, re.MULTILINE)
    if not sep or not match:
        return None
    boundary = match.group(1).rstrip(b"-").decode("ascii", "replace")
    header_text = re.sub(rb"(?im)^content-type:.*(?:\r?\n[ \t].*)*", b"", head)
    fixed = header_text.rstrip(b"\r\n") + f'\r\nContent-Type: multipart/mixed; boundary="{boundary}"'.encode() + sep + body
    parsed = read(fixed, repairing=True)
    return parsed if (parsed.text or parsed.attachments) else None


def _broken_multipart_text(message):
    """What text there is in a multipart email with no readable parts: its preamble, or its
    raw body without MIME delimiters and part headers."""
    payload = message.get_payload() if not isinstance(message.get_payload(), list) else ""
    text = payload if isinstance(payload, str) else ""
    if not text.strip():
        text = "\n".join(x for x in (getattr(message, "preamble", "") or "", getattr(message, "epilogue", "") or "") if x)
    lines = [line for line in text.splitlines() if not re.match(r"^(--\S*|content-[\w-]+:.*)$", line.strip(), re.IGNORECASE)]
    return _clean("\n".join(lines))


def _is_container(part):
    try:
        return part.is_multipart()
    except Exception:
        return False


def _is_attachment(part):
    try:
        return (part.get_content_disposition() or "") == "attachment" or bool(part.get_filename())
    except Exception:
        return False


# Recognising automatic mail --------------------------------------------------------------------


def own_addresses():
    addresses = {parseaddr(settings.DEFAULT_FROM_EMAIL)[1].lower(), settings.MESSAGING_REPLY_ADDRESS.lower(),
                 parseaddr(getattr(settings, "SERVER_EMAIL", ""))[1].lower()}
    addresses.update(a.lower() for a in settings.MESSAGING_OWN_ADDRESSES)
    return {a for a in addresses if "@" in a}


def is_own_address(address):
    address = (address or "").lower()
    if "@" not in address:
        return False
    local, domain = address.rsplit("@", 1)
    return address in own_addresses() or f"{local.split('+', 1)[0]}@{domain}" in own_addresses()


def bounce_kind(parsed):
    """'' or why this is a delivery failure report."""
    message = parsed.message
    try:
        report_type = (message.get_param("report-type") or "").lower()
    except Exception:
        report_type = ""
    if _content_type(message) == "multipart/report" and report_type == "delivery-status":
        return "report"
    local = parsed.sender.split("@", 1)[0]
    if local == "mailer-daemon" or _header(message, "X-Failed-Recipients"):
        return "daemon"
    if local == "postmaster" and BOUNCE_SUBJECT_RE.search(parsed.subject):
        return "daemon"
    return ""


def auto_reply_reason(parsed):
    """'' or why this email is automatic (an out-of-office, a list, a loop) and opens nothing."""
    message = parsed.message
    auto = _header(message, "Auto-Submitted").lower()
    if auto and not auto.startswith("no"):
        return f"Auto-Submitted: {auto}"
    present = {name.lower() for name, _value in message.raw_items()}
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        if name.lower() in present:
            return f"{name} header"
    precedence = _header(message, "Precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    if _header(message, "Return-Path").replace(" ", "") == "<>":
        return _("sent with an empty return path (automatic mail)")
    try:
        report_type = (message.get_param("report-type") or "").lower()
    except Exception:
        report_type = ""
    if _content_type(message) == "multipart/report" and report_type == "disposition-notification":
        return _("a read receipt")
    loop = _header(message, "X-Loop").lower()
    if loop and any(address in loop for address in own_addresses()):
        return _("X-Loop names us (a mail loop)")
    if is_own_address(parsed.sender):
        return _("sent from our own address (a mail loop)")
    if parsed.sender.split("@", 1)[0] == "postmaster":
        return _("sent by a postmaster")
    if parsed.message_id and OutboundMessage.objects.filter(email_message_id=parsed.message_id).exists():
        return _("one of our own emails came back (a mail loop)")
    if AUTO_SUBJECT_RE.search(re.sub(r"^\s*(?:re|aw|fw|fwd)\s*:\s*", "", parsed.subject, flags=re.IGNORECASE)):
        return _("the subject says it is an automatic reply")
    return ""


# Bounces -----------------------------------------------------------------------------------


def _bounce_facts(parsed):
    """(permanent, reason, our message ids, our references) from a bounce."""
    action, status, diagnostic, recipient = "", "", "", ""
    ids, texts = [], []
    for part in parsed.message.walk():
        kind = _content_type(part)
        try:
            if kind == "message/delivery-status":
                blocks = part.get_payload()
                blocks = blocks if isinstance(blocks, list) else []
                for block in blocks:
                    if block.get("Action") or block.get("Status"):
                        action = action or _header(block, "Action").lower()
                        status = status or _header(block, "Status")
                        diagnostic = diagnostic or _header(block, "Diagnostic-Code")
                        recipient = recipient or _header(block, "Final-Recipient")
                if not blocks:
                    texts.append(_part_text(part))
            elif kind == "message/rfc822":
                inner = part.get_payload()
                inner = inner[0] if isinstance(inner, list) and inner else None
                if inner is not None:
                    ids.extend(_message_ids(_header(inner, "Message-ID")))
            elif kind == "text/rfc822-headers":
                returned = part.get_payload(decode=True) or b""
                headers = BytesParser(policy=policy.default).parsebytes(returned, headersonly=True)
                ids.extend(_message_ids(_header(headers, "Message-ID")))
            elif kind.startswith("text/"):
                texts.append(_part_text(part))
        except Exception:
            log.info("messaging: part of a bounce could not be read", exc_info=True)
    text = "\n".join(texts)
    if not status:
        match = re.search(r"^Status:\s*([245]\.\d{1,3}\.\d{1,3})", text, re.IGNORECASE | re.MULTILINE)
        status = match.group(1) if match else ""
    if not action:
        match = re.search(r"^Action:\s*(\w+)", text, re.IGNORECASE | re.MULTILINE)
        action = match.group(1).lower() if match else ""
    domain = settings.MESSAGING_EMAIL_DOMAIN.lower()
    ids.extend(i for i in _message_ids(text) if i.lower().endswith(f"@{domain}>"))
    ids.extend(_message_ids(_header(parsed.message, "In-Reply-To"), _header(parsed.message, "References")))
    temporary = action in ("delayed", "relayed", "delivered", "expanded") or status.startswith("4")
    reason = " ".join(x for x in (status, diagnostic.split(";", 1)[-1].strip()) if x) or parsed.subject
    if recipient:
        reason = f"{recipient.split(';', 1)[-1].strip()}: {reason}"
    return not temporary, reason, set(ids), set(REFERENCE_RE.findall(text))


def _record_bounce(parsed, inbound):
    permanent, reason, ids, references = _bounce_facts(parsed)
    lookup = Q(email_message_id__in=ids) if ids else Q(pk__in=[])
    if references:
        lookup |= Q(provider_reference__in=references)
    ours = list(OutboundMessage.objects.filter(lookup, channel=Channel.EMAIL).order_by("pk"))
    inbound.outcome = InboundOutcome.BOUNCE
    if not ours:
        inbound.detail = _("A delivery failure report that names none of our emails: %(reason)s") % {"reason": reason}
        return
    inbound.ticket = next((m.ticket for m in ours if m.ticket_id), None)
    if not permanent:
        inbound.detail = _("Delivery delayed, the mail server is still trying: %(reason)s") % {"reason": reason}
        return
    error = (_("The email bounced: %(reason)s") % {"reason": reason})[:300]
    now = timezone.now()
    changed = OutboundMessage.objects.filter(pk__in=[m.pk for m in ours]).exclude(status__in=FAILED_STATUSES).update(
        status=Status.PERMANENT_FAILURE, failed_at=now, last_error=error, not_before=None
    )
    inbound.detail = _("%(n)s of our emails did not arrive: %(reason)s") % {"n": len(ours), "reason": reason}
    if not changed:
        inbound.detail += " " + _("(already marked)")


# Routing -----------------------------------------------------------------------------------


def _ticket_for_token(token):
    from support.models import Ticket

    pk = ticket_pk_from_token(token)
    return Ticket.objects.filter(pk=pk).first() if pk else None


def find_thread(parsed):
    """(ticket or None, how it was found, whether a token failed its check)."""
    message = parsed.message
    forged = False
    for address in _addresses(message, "Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc"):
        token = token_in_address(address)
        if token:
            ticket = _ticket_for_token(token)
            if ticket is not None:
                return ticket, _("Threaded by the reply address."), False
            forged = True
    ids = _message_ids(_header(message, "In-Reply-To"), _header(message, "References"))
    if ids:
        ours = (
            OutboundMessage.objects.filter(email_message_id__in=ids, ticket__isnull=False)
            .exclude(template="safeguarding_lead")  # a lead's reply is not the family's
            .select_related("ticket").order_by("-created_at", "-pk").first()
        )
        if ours is not None:
            return ours.ticket, _("Threaded by In-Reply-To."), forged
    token = token_in_subject(parsed.subject)
    if token:
        ticket = _ticket_for_token(token)
        if ticket is not None:
            return ticket, _("Threaded by the subject tag."), forged
        forged = True
    return None, "", forged


def _uploads(parsed):
    """(accepted uploads, refusal notes) after the help form's checks."""
    from support.services import check_upload

    limit = settings.MESSAGING_INBOUND_MAX_ATTACHMENTS
    accepted, refused = [], []
    for name, content_type, content in parsed.attachments:
        upload = SimpleUploadedFile(name, content, content_type=content_type)
        try:
            check_upload(upload)
        except ValidationError as error:
            refused.append(f"{name} ({' '.join(error.messages)})")
            continue
        if len(accepted) >= limit:
            refused.append(f"{name} ({_('more than %(n)s files') % {'n': limit}})")
            continue
        accepted.append(upload)
    return accepted, refused


def provider_id_for(raw, message_id):
    if message_id and len(message_id) <= 200:
        return message_id
    if message_id:
        return "sha256:" + hashlib.sha256(message_id.encode("utf-8", "replace")).hexdigest()
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def _received_at(message, now):
    """The Date header when it is believable (not in the future, under two weeks old), else now."""
    try:
        when = parsedate_to_datetime(_header(message, "Date"))
    except Exception:
        return now
    if when is None:
        return now
    if timezone.is_naive(when):  # "-0000" or no zone: read as UTC
        when = when.replace(tzinfo=dt_timezone.utc)
    return when if now - timedelta(days=14) <= when <= now else now


def receive_email(raw, *, mailbox_id=""):
    """Store one email from a family (or an automatic one) and act on it; returns its
    ``InboundMessage``. A message already stored (same Message-ID) returns the stored row with
    ``already_stored = True`` and changes nothing. Raises ``TryLater`` only for failures that may
    pass (file storage); database errors propagate for the caller to retry."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8", "surrogateescape")
    raw = bytes(raw or b"")
    parsed = read(raw)
    provider_id = provider_id_for(raw, parsed.message_id)
    existing = InboundMessage.objects.filter(channel=Channel.EMAIL, provider_id=provider_id).first()
    if existing is not None:
        existing.already_stored = True
        return existing
    now = timezone.now()
    received_at = _received_at(parsed.message, now)
    inbound = InboundMessage(
        channel=Channel.EMAIL, provider_id=provider_id, sender=(parsed.sender or _header(parsed.message, "From"))[:320],
        subject=parsed.subject[:200], received_at=received_at,
    )
    lost_race = False
    with transaction.atomic():
        _route(parsed, inbound, now=now)
        inbound.detail = inbound.detail[:300]
        try:
            with transaction.atomic():
                inbound.save()
        except IntegrityError:
            # Another poller stored the same email a moment ago: theirs is the row; undo ours
            # (the ticket, its message and the family's confirmation go with it).
            transaction.set_rollback(True)
            lost_race = True
    if lost_race:
        stored = InboundMessage.objects.get(channel=Channel.EMAIL, provider_id=provider_id)
        stored.already_stored = True
        return stored
    inbound.already_stored = False
    if mailbox_id:
        log.info("messaging: email %s from the mailbox (%s): %s", inbound.pk, mailbox_id, inbound.outcome)
    return inbound


def _codes(error):
    errors = [e for found in error.error_dict.values() for e in found] if hasattr(error, "error_dict") else error.error_list
    return {getattr(e, "code", None) for e in errors}


def _route(parsed, inbound, *, now):
    text = parsed.text
    new_text = trim_quoted(text)
    inbound.body = (new_text or text)[:MAX_BODY_CHARS]
    if bounce_kind(parsed):
        _record_bounce(parsed, inbound)
        return
    reason = auto_reply_reason(parsed)
    if reason:
        inbound.outcome, inbound.detail = InboundOutcome.AUTO_REPLY, reason
        return
    try:
        validate_email(parsed.sender)
        if len(parsed.sender) > 254:
            raise ValidationError("too long")
    except ValidationError:
        inbound.outcome = InboundOutcome.REFUSED
        inbound.detail = _("The email has no sender address we can reply to.")
        return
    recent = InboundMessage.objects.filter(
        channel=Channel.EMAIL, sender=parsed.sender, received_at__gte=now - timedelta(hours=1),
        outcome__in=(InboundOutcome.THREADED, InboundOutcome.NEW_TICKET),
    ).count()
    if recent >= settings.MESSAGING_INBOUND_EMAIL_MAX_PER_HOUR:
        inbound.outcome = InboundOutcome.REFUSED
        inbound.detail = _("More than %(n)s emails from this address in an hour: probably a mail loop.") % {
            "n": settings.MESSAGING_INBOUND_EMAIL_MAX_PER_HOUR}
        return
    uploads, refused = _uploads(parsed)
    notes = []
    if refused:
        notes.append(_("Files refused: %(files)s.") % {"files": "; ".join(refused)})
    if len(new_text) > MAX_BODY_CHARS:
        notes.append(_("Text cut to %(max)s characters (it had %(n)s).")
                     % {"max": f"{MAX_BODY_CHARS:,}", "n": f"{len(new_text):,}"})
    if not new_text and not uploads:
        inbound.outcome = InboundOutcome.REFUSED
        if text:
            empty = _("The email had no new text (only the earlier message it quoted) and no file we could accept.")
        else:
            empty = _("The email had no text and no file we could accept.")
        inbound.detail = " ".join([empty, *notes])
        return
    body = new_text[:MAX_BODY_CHARS] or _("(No text: %(n)s file(s) attached.)") % {"n": len(uploads)}
    subject = SUBJECT_TAG_STRIP_RE.sub("", parsed.subject).strip()
    ticket, how, forged = find_thread(parsed)
    if forged and ticket is None:
        notes.insert(0, _("A thread token that is not ours was ignored."))
    from support.services import message_from_family

    try:
        with transaction.atomic():
            ticket, message, created = message_from_family(
                channel=Channel.EMAIL, body=body, email=parsed.sender, name=parsed.sender_name, ticket=ticket,
                subject=subject[:200], received_at=inbound.received_at, uploads=uploads,
            )
    except ValidationError as error:
        if "storage" in _codes(error):
            raise TryLater(" ".join(error.messages)) from error
        inbound.outcome = InboundOutcome.REFUSED
        inbound.detail = " ".join([_("Not added: %(reason)s") % {"reason": " ".join(error.messages)}, *notes])
        return
    inbound.ticket, inbound.ticket_message = ticket, message
    if created:
        inbound.outcome = InboundOutcome.NEW_TICKET
    else:
        inbound.outcome = InboundOutcome.THREADED
        notes.insert(0, how or _("Threaded on the sender's open ticket."))
    inbound.detail = " ".join(notes)


def _size_text(size):
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{-(-size // 1024)} KB"


def record_oversized(item, *, mailbox_id=""):
    """A message too large to download: stored as refused with its sender and subject."""
    headers = parse(item.headers or b"")
    message_id = (_message_ids(_header(headers, "Message-ID")) or [""])[0]
    provider_id = provider_id_for(b"oversized:%d:" % item.size + (item.headers or mailbox_id.encode()), message_id)
    existing = InboundMessage.objects.filter(channel=Channel.EMAIL, provider_id=provider_id).first()
    if existing is not None:
        existing.already_stored = True
        return existing
    name, address = parseaddr(_header(headers, "From"))
    limit = settings.MESSAGING_MAILBOX_MAX_BYTES
    inbound = InboundMessage(
        channel=Channel.EMAIL, provider_id=provider_id, sender=(address or name)[:320],
        subject=_header(headers, "Subject")[:200],
        outcome=InboundOutcome.REFUSED,
        detail=(_("The email was %(size)s, over the %(limit)s limit: not downloaded; it is still in the mailbox.")
                % {"size": _size_text(item.size), "limit": _size_text(limit)})[:300],
    )
    try:
        with transaction.atomic():
            inbound.save()
    except IntegrityError:
        inbound = InboundMessage.objects.get(channel=Channel.EMAIL, provider_id=provider_id)
        inbound.already_stored = True
        return inbound
    inbound.already_stored = False
    return inbound


# Polling -----------------------------------------------------------------------------------


@dataclass
class PollResult:
    """What one poll did: ``outcomes`` counts new rows by outcome."""

    mailbox: str = ""
    outcomes: Counter = field(default_factory=Counter)
    duplicates: int = 0
    retry_later: int = 0
    error: str = ""

    @property
    def stored(self):
        return sum(self.outcomes.values())

    def as_dict(self):
        return {"mailbox": self.mailbox, "outcomes": dict(self.outcomes), "duplicates": self.duplicates,
                "retry_later": self.retry_later, "error": self.error}

    def summary(self):
        counts = ", ".join(f"{outcome} {n}" for outcome, n in sorted(self.outcomes.items())) or "nothing new"
        text = f"{self.mailbox}: stored {self.stored} ({counts}); already stored {self.duplicates}"
        text += f"; retry later {self.retry_later}"
        return text + (f"; error: {self.error}" if self.error else "")


#: After this many messages in a row that could not be stored, the poll stops (the database or
#: the disk is probably down) and the rest wait for the next poll.
MAX_FAILURES_IN_A_ROW = 3


def _store_unreadable(raw, mailbox_id, error):
    inbound = InboundMessage(
        channel=Channel.EMAIL, provider_id=provider_id_for(raw, ""), sender="", outcome=InboundOutcome.REFUSED,
        detail=(_("The email could not be read (%(error)s); it is still in the mailbox (%(id)s).")
                % {"error": error.__class__.__name__, "id": mailbox_id})[:300],
    )
    with transaction.atomic():
        if not InboundMessage.objects.filter(channel=Channel.EMAIL, provider_id=inbound.provider_id).exists():
            inbound.save()
    return inbound


def poll_mailbox(*, url=None):
    """Take new mail from the mailbox (``MESSAGING_MAILBOX_URL``) into tickets; a ``PollResult``.

    Each message is marked done in the mailbox only after its row is committed. A mailbox that
    cannot be reached is logged and reported in ``error`` (never raised): the next poll tries
    again and nothing has been taken."""
    url = settings.MESSAGING_MAILBOX_URL if url is None else url
    result = PollResult(mailbox=safe_url(url))
    if not url:
        result.error = "no mailbox configured (MESSAGING_MAILBOX_URL is empty)"
        return result
    failures = 0
    try:
        with open_mailbox(url) as box:
            for mailbox_id, raw in box.fetch():
                try:
                    if isinstance(raw, Oversized):
                        inbound = record_oversized(raw, mailbox_id=mailbox_id)
                    else:
                        inbound = receive_email(raw, mailbox_id=mailbox_id)
                except (TryLater, DatabaseError, OSError) as error:
                    log.warning("messaging: email %s left in the mailbox for the next poll: %s", mailbox_id, error)
                    result.retry_later += 1
                    failures += 1
                    if failures >= MAX_FAILURES_IN_A_ROW:
                        result.error = f"stopped after {failures} emails in a row could not be stored: {error}"[:300]
                        break
                    continue
                except Exception as error:  # a bug on one email must not hold up the others
                    log.exception("messaging: email %s could not be read", mailbox_id)
                    try:
                        inbound = _store_unreadable(raw, mailbox_id, error)
                        inbound.already_stored = False
                    except Exception:
                        log.exception("messaging: email %s could not be recorded either", mailbox_id)
                        result.retry_later += 1
                        continue
                failures = 0
                box.mark_done(mailbox_id)
                if inbound.already_stored:
                    result.duplicates += 1
                else:
                    result.outcomes[inbound.outcome] += 1
    except MailboxUnavailable as error:
        log.warning("messaging: mailbox %s unavailable, will try again at the next poll: %s", result.mailbox, error)
        result.error = str(error)
    return result
