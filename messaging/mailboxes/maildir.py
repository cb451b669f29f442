"""A local Maildir (stdlib ``mailbox.Maildir``): the embedded default mailbox.

New mail is every file in ``new/`` (and any in ``cur/`` without the ``S`` flag); a message
that has been stored moves to ``cur/`` with the ``S`` ("seen") flag, as a mail client would
file it (a rename, so its bytes are untouched), so it stays on disk and is not taken again.
The folder and its ``new``/``cur``/``tmp`` subfolders are created when missing, so the demo
can drop ``.eml`` files into ``new/``.
"""

import mailbox
import os

from messaging.mailboxes import MailboxUnavailable, Oversized


class MaildirMailbox:
    def __init__(self, path, *, batch, max_bytes):
        self.path = path
        self.batch = batch
        self.max_bytes = max_bytes
        self.box = None
        self.paths = {}

    def __enter__(self):
        try:
            self.box = mailbox.Maildir(self.path, factory=None, create=True)
        except OSError as error:
            raise MailboxUnavailable(f"Cannot open the Maildir {self.path}: {error.strerror or error}") from error
        return self

    def __exit__(self, *exc):
        self.box = None
        return False

    def _pending(self):
        """(mtime, key, path, info) of each message not yet done, oldest first."""
        colon = self.box.colon
        found = []
        for subdir in ("new", "cur"):
            folder = os.path.join(self.path, subdir)
            try:
                entries = list(os.scandir(folder))
            except OSError as error:
                raise MailboxUnavailable(f"Cannot read {folder}: {error.strerror or error}") from error
            for entry in entries:
                if entry.name.startswith(".") or not entry.is_file():
                    continue
                key, _sep, info = entry.name.partition(colon)
                if subdir == "cur" and "S" in info.partition(",")[2]:
                    continue
                found.append((entry.stat().st_mtime, key, entry.path, info))
        found.sort()
        return found

    def fetch(self):
        for _mtime, key, path, info in self._pending()[: self.batch]:
            self.paths[key] = (path, info)
            try:
                size = os.path.getsize(path)
                if size > self.max_bytes:
                    with open(path, "rb") as handle:
                        head = handle.read(64 * 1024)
                    yield key, Oversized(size=size, headers=head.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0])
                    continue
                with open(path, "rb") as handle:
                    raw = handle.read()
            except FileNotFoundError:
                continue  # taken by another poller a moment ago
            except OSError as error:
                raise MailboxUnavailable(f"Cannot read {path}: {error.strerror or error}") from error
            yield key, raw

    def mark_done(self, mailbox_id):
        """Move the file to ``cur/`` with the ``S`` flag added (a rename: its bytes are kept as they are)."""
        path, info = self.paths.pop(mailbox_id, (None, ""))
        if path is None:
            return
        flags = set(info.partition(",")[2]) | {"S"}
        target = os.path.join(self.path, "cur", f"{mailbox_id}{self.box.colon}2,{''.join(sorted(flags))}")
        try:
            os.rename(path, target)
        except FileNotFoundError:
            pass  # already filed by another poller
