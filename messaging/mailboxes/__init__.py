"""Mailboxes the service takes families' email from: one module per kind, the same interface.

``open_mailbox(url)`` returns a mailbox for ``MESSAGING_MAILBOX_URL``:

- ``maildir:///path/to/var/mailbox``: a local Maildir (the embedded default; drop ``.eml``
  files into its ``new/`` folder);
- ``imaps://user:password@host:993/INBOX`` (or ``imap://`` without TLS, for a local server).

A mailbox is a context manager with two methods:

- ``fetch()`` yields ``(mailbox_id, raw)`` for each message not yet done, oldest first, at most
  ``MESSAGING_MAILBOX_BATCH`` per call. ``raw`` is the message's bytes, or an ``Oversized``
  (its size and its headers only) for a message larger than ``MESSAGING_MAILBOX_MAX_BYTES``,
  which is never downloaded.
- ``mark_done(mailbox_id)`` records that the message has been stored, so the next ``fetch``
  skips it (IMAP: the ``\\Seen`` flag; Maildir: moved to ``cur/`` with the ``S`` flag). It is
  called only after the message's row is committed: a crash in between means the message is
  fetched again and recognised by its Message-ID, never lost.

Either raises ``MailboxUnavailable`` when it cannot reach the mail (server down, wrong
password, missing folder); the caller logs it and tries again at the next poll.
"""

from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from django.conf import settings


class MailboxUnavailable(Exception):
    """The mailbox could not be reached or read; nothing was taken from it."""


@dataclass
class Oversized:
    """A message too large to fetch: its size in bytes and its header block."""

    size: int
    headers: bytes = b""


def safe_url(url):
    """The mailbox URL without its password, for logs and command output."""
    parts = urlsplit(url or "")
    if parts.password is None:
        return url or ""
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    return parts._replace(netloc=f"{user}:***@{netloc}").geturl()


def open_mailbox(url=None, *, batch=None, max_bytes=None, timeout=None):
    """The mailbox named by ``url`` (default ``MESSAGING_MAILBOX_URL``); ValueError for an unknown scheme."""
    url = settings.MESSAGING_MAILBOX_URL if url is None else url
    batch = batch or settings.MESSAGING_MAILBOX_BATCH
    max_bytes = max_bytes or settings.MESSAGING_MAILBOX_MAX_BYTES
    timeout = timeout or settings.MESSAGING_MAILBOX_TIMEOUT
    parts = urlsplit(url or "")
    if parts.scheme == "maildir":
        from messaging.mailboxes.maildir import MaildirMailbox

        path = unquote(parts.netloc + parts.path)
        return MaildirMailbox(path, batch=batch, max_bytes=max_bytes)
    if parts.scheme in ("imap", "imaps"):
        from messaging.mailboxes.imap import ImapMailbox

        return ImapMailbox(
            host=parts.hostname or "localhost",
            port=parts.port or (993 if parts.scheme == "imaps" else 143),
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            folder=unquote(parts.path.lstrip("/")) or "INBOX",
            tls=parts.scheme == "imaps",
            batch=batch, max_bytes=max_bytes, timeout=timeout, ca_file=settings.MESSAGING_MAILBOX_CA_FILE,
        )
    raise ValueError(f"Unknown mailbox URL scheme {parts.scheme!r}: use maildir://, imap:// or imaps://")
