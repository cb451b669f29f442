"""An IMAP mailbox (stdlib ``imaplib``): how production takes families' email.

UID-based, so ids stay valid across connections (``<UIDVALIDITY>:<UID>``). Each poll takes at
most ``batch`` unseen messages, oldest first; a message's size is asked for first
(``RFC822.SIZE``) and one over ``max_bytes`` is never downloaded, only its headers. Messages
are read with ``BODY.PEEK[]``, which leaves them unseen: ``\\Seen`` is set by ``mark_done``,
after the message's row is committed, so a crash mid-poll re-reads a message rather than loses
it. Nothing is deleted or expunged: the mailbox stays the record of what arrived.
"""

import imaplib
import re
import socket
import ssl

from messaging.mailboxes import MailboxUnavailable, Oversized

SIZE_RE = re.compile(rb"RFC822\.SIZE (\d+)", re.IGNORECASE)
UID_RE = re.compile(rb"UID (\d+)", re.IGNORECASE)
UIDVALIDITY_RE = re.compile(rb"UIDVALIDITY (\d+)", re.IGNORECASE)
HEADER_FIELDS = "FROM TO CC SUBJECT MESSAGE-ID DATE"
#: What goes wrong talking to a server: refused or dropped connections, timeouts, bad
#: certificates, NO/BAD answers and answers imaplib cannot read.
IMAP_ERRORS = (imaplib.IMAP4.error, OSError, socket.timeout, ssl.SSLError, EOFError)


def _fail(what, error):
    detail = error.args[0] if isinstance(error, Exception) and len(error.args) == 1 else error
    if isinstance(detail, (bytes, bytearray)):
        reason = bytes(detail).decode("utf-8", "replace")
    else:
        reason = str(error) or error.__class__.__name__
    return MailboxUnavailable(f"IMAP {what} failed: {reason}"[:300])


class ImapMailbox:
    def __init__(self, *, host, port, user, password, folder="INBOX", tls=True, batch=50, max_bytes=25 * 1024 * 1024,
                 timeout=30, ca_file=""):
        self.host, self.port, self.user, self.password = host, port, user, password
        self.folder, self.tls, self.batch, self.max_bytes, self.timeout = folder, tls, batch, max_bytes, timeout
        self.ca_file = ca_file  # "" trusts the system's certificate authorities
        self.conn = None
        self.uidvalidity = ""

    # Connection --------------------------------------------------------------------------------

    def __enter__(self):
        try:
            if self.tls:
                context = ssl.create_default_context(cafile=self.ca_file or None)
                self.conn = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=self.timeout)
            else:
                self.conn = imaplib.IMAP4(self.host, self.port, timeout=self.timeout)
        except IMAP_ERRORS as error:
            raise _fail(f"connection to {self.host}:{self.port}", error) from error
        try:
            self.conn.login(self.user, self.password)
            status, data = self.conn.select(self._quoted(self.folder))
            if status != "OK":
                raise imaplib.IMAP4.error(b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace"))
            _status, validity = self.conn.response("UIDVALIDITY")
            self.uidvalidity = (validity[0] or b"0").decode() if validity and validity[0] else "0"
        except IMAP_ERRORS as error:
            self._close()
            raise _fail(f"sign-in or SELECT {self.folder!r}", error) from error
        return self

    def __exit__(self, *exc):
        self._close()
        return False

    def _close(self):
        if self.conn is None:
            return
        try:
            self.conn.logout()  # not CLOSE, which would expunge messages someone else deleted
        except IMAP_ERRORS:
            pass
        self.conn = None

    @staticmethod
    def _quoted(name):
        return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'

    def _uid(self, command, *args):
        try:
            status, data = self.conn.uid(command, *args)
        except IMAP_ERRORS as error:
            raise _fail(f"UID {command}", error) from error
        if status != "OK":
            raise _fail(f"UID {command}", b" ".join(d for d in data if isinstance(d, bytes)))
        return data

    # The interface --------------------------------------------------------------------------------

    def fetch(self):
        data = self._uid("SEARCH", "UNSEEN")
        uids = sorted({int(n) for chunk in data if chunk for n in chunk.split()})
        for uid in uids[: self.batch]:
            size = self._size(uid)
            if size is None:
                continue  # gone since the search (expunged by someone else)
            mailbox_id = f"{self.uidvalidity}:{uid}"
            if size > self.max_bytes:
                yield mailbox_id, Oversized(size=size, headers=self._body(uid, f"BODY.PEEK[HEADER.FIELDS ({HEADER_FIELDS})]"))
                continue
            raw = self._body(uid, "BODY.PEEK[]")
            if raw is not None:
                yield mailbox_id, raw

    def mark_done(self, mailbox_id):
        uid = mailbox_id.rsplit(":", 1)[-1]
        self._uid("STORE", uid, "+FLAGS.SILENT", r"(\Seen)")

    # Reading answers ------------------------------------------------------------------------------

    @staticmethod
    def _responses_for(data, uid):
        """The FETCH answers in ``data`` about ``uid``: servers may add unsolicited ones for other
        messages, and some put ``UID n`` after the literal, where imaplib leaves it out of the head."""
        answers = [item for item in data if isinstance(item, tuple) or isinstance(item, (bytes, bytearray))]
        answers = [item for item in answers if (item[0] if isinstance(item, tuple) else item).strip() not in (b")", b"")]
        matching = []
        for item in answers:
            head = item[0] if isinstance(item, tuple) else item
            match = UID_RE.search(head)
            if match and int(match.group(1)) == uid:
                matching.append(item)
        if not matching and len(answers) == 1:
            matching = answers
        return matching

    def _size(self, uid):
        for item in self._responses_for(self._uid("FETCH", str(uid), "(UID RFC822.SIZE)"), uid):
            head = item[0] if isinstance(item, tuple) else item
            match = SIZE_RE.search(head)
            if match:
                return int(match.group(1))
        return None

    def _body(self, uid, what):
        data = self._uid("FETCH", str(uid), f"(UID {what})")
        literals = [item for item in data if isinstance(item, tuple) and len(item) >= 2 and isinstance(item[1], bytes)]
        for item in literals:
            match = UID_RE.search(item[0])
            if match and int(match.group(1)) == uid:
                return item[1]
        if len(literals) == 1:
            return literals[0][1]  # UID came after the literal
        return None
