"""The token that threads a family's email reply into its ticket.

Not the ticket's reference (which is printed on letters and could be guessed or read over a
shoulder): ``<pk in base 36>-<12 characters of an HMAC of it>``, so it names one ticket and
cannot be made up for another. It travels in the ``Reply-To`` address
(``support+<token>@example``, where the mail server allows plus addressing) and in the subject
(``[#<token>]``) so replies through Notify, which cannot set per-message headers, thread too.
"""

import base64
import hashlib
import hmac
import re

from django.conf import settings

TOKEN_RE = re.compile(r"\b([0-9a-z]{1,10})-([a-z2-7]{12})\b", re.IGNORECASE)
SUBJECT_TAG_RE = re.compile(r"\[#([0-9a-z]{1,10}-[a-z2-7]{12})\]", re.IGNORECASE)


def _mac(pk_text):
    digest = hmac.new(settings.SECRET_KEY.encode(), f"messaging-thread:{pk_text}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode().lower()[:12]


def _base36(number):
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rem = divmod(number, 36)
        out = digits[rem] + out
        if not number:
            return out


def thread_token(ticket):
    pk_text = _base36(ticket.pk)
    return f"{pk_text}-{_mac(pk_text)}"


def ticket_pk_from_token(token):
    """The ticket id a token names, or None when it is not one of ours."""
    match = TOKEN_RE.fullmatch((token or "").strip().lower())
    if not match:
        return None
    pk_text, mac = match.groups()
    if not hmac.compare_digest(mac, _mac(pk_text)):
        return None
    try:
        return int(pk_text, 36)
    except ValueError:
        return None


def subject_tag(ticket):
    return f"[#{thread_token(ticket)}]"


def reply_address(ticket):
    """``support+<token>@domain`` from ``MESSAGING_REPLY_ADDRESS`` (``support@domain``), or ''."""
    address = settings.MESSAGING_REPLY_ADDRESS
    if not address or "@" not in address:
        return ""
    local, domain = address.rsplit("@", 1)
    return f"{local}+{thread_token(ticket)}@{domain}"


def token_in_address(address):
    """The thread token in ``support+<token>@domain``, or ''."""
    local = (address or "").rsplit("@", 1)[0]
    return local.split("+", 1)[1] if "+" in local else ""


def token_in_subject(subject):
    match = SUBJECT_TAG_RE.search(subject or "")
    return match.group(1) if match else ""
