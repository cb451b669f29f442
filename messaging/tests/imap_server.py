"""A small IMAP4rev1 server on 127.0.0.1 for the tests, so the mailbox driver's real imaplib
client is exercised over a real socket (imaplib is never mocked).

It speaks what the driver uses and answers the rest with the errors a real server gives:
CAPABILITY, NOOP, LOGIN, SELECT/EXAMINE, UID SEARCH (ALL/SEEN/UNSEEN), UID FETCH (UID, FLAGS,
RFC822.SIZE, RFC822, RFC822.HEADER, BODY[], BODY.PEEK[] and BODY[.PEEK][HEADER.FIELDS (...)]),
UID STORE (+FLAGS, -FLAGS, FLAGS, .SILENT), EXPUNGE, CLOSE, UNSELECT, LOGOUT; BAD for unknown
commands and bad syntax, NO for a wrong password or an unknown mailbox. Fetching ``RFC822`` or
``BODY[]`` (without PEEK) sets ``\\Seen``, as RFC 3501 says.

With ``tls=`` (a server-side ``ssl.SSLContext``) it speaks IMAP over TLS, for ``imaps://``.

Test hooks: ``fail_login`` (every LOGIN answered NO), ``drop_on`` (the connection is cut,
without an answer, when that command arrives: a server or network failure mid-poll), and
``log`` (every command received).
"""

import re
import socketserver
import threading


class Stored:
    def __init__(self, uid, raw, flags):
        self.uid, self.raw, self.flags = uid, raw, set(flags)


def _crlf(raw):
    return re.sub(rb"(?<!\r)\n", b"\r\n", raw)


def _uid_set(text, highest):
    """The UIDs in an IMAP sequence set such as ``1,3:5,7:*``."""
    uids = set()
    for piece in text.split(","):
        if ":" in piece:
            low, high = piece.split(":", 1)
            low = highest if low == "*" else int(low)
            high = highest if high == "*" else int(high)
            uids.update(range(min(low, high), max(low, high) + 1))
        else:
            uids.add(highest if piece == "*" else int(piece))
    return uids


def _header_fields(raw, names):
    head = raw.split(b"\r\n\r\n", 1)[0]
    fields, current = [], []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and current:
            current.append(line)
            continue
        if current:
            fields.append(current)
        current = [line]
    if current:
        fields.append(current)
    wanted = {n.upper() for n in names}
    kept = [b"\r\n".join(f) for f in fields if f[0].split(b":", 1)[0].strip().decode("latin-1").upper() in wanted]
    return b"".join(line + b"\r\n" for line in kept) + b"\r\n"


class ImapTestServer:
    """``with ImapTestServer() as server: server.add(raw); url = server.url``."""

    def __init__(self, user="support@devices.example", password="p@ss word", folder="INBOX", tls=None):
        self.user, self.password, self.folder = user, password, folder
        self.tls = tls  # an ssl.SSLContext for the server side: imaps://
        self.messages = []
        self.next_uid = 1
        self.uidvalidity = 1789
        self.fail_login = False
        self.drop_on = None
        self.log = []
        self.lock = threading.Lock()
        self.server = None

    def add(self, raw, flags=()):
        with self.lock:
            stored = Stored(self.next_uid, _crlf(raw), flags)
            self.next_uid += 1
            self.messages.append(stored)
            return stored.uid

    def flags(self, uid):
        return next(m.flags for m in self.messages if m.uid == uid)

    @property
    def url(self):
        from urllib.parse import quote

        scheme = "imaps" if self.tls else "imap"
        return f"{scheme}://{quote(self.user, safe='')}:{quote(self.password, safe='')}@127.0.0.1:{self.port}/{self.folder}"

    @property
    def port(self):
        return self.server.server_address[1]

    def start(self):
        outer = self

        class Handler(_Session):
            server_state = outer

        class Server(socketserver.ThreadingTCPServer):
            def get_request(self):
                sock, address = super().get_request()
                if outer.tls is not None:
                    # The handshake runs in the session's thread (Handler.setup), not here.
                    sock = outer.tls.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
                return sock, address

            def handle_error(self, request, client_address):
                pass  # a client that gave up (a refused certificate, a cut connection): not our failure

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False


class _Session(socketserver.StreamRequestHandler):
    server_state = None  # set by ImapTestServer.start

    def setup(self):
        if hasattr(self.request, "do_handshake"):
            self.request.do_handshake()
        super().setup()

    def send(self, line):
        self.wfile.write(line if isinstance(line, bytes) else line.encode() + b"\r\n")

    def handle(self):
        self.authenticated = False
        self.selected = False
        self.send("* OK IMAP4rev1 test server ready")
        while True:
            line = self.rfile.readline(65536)
            if not line:
                return
            text = line.decode("utf-8", "replace").rstrip("\r\n")
            parts = text.split(" ", 2)
            if len(parts) < 2:
                self.send(f"{parts[0] or '*'} BAD Missing command")
                continue
            tag, command, rest = parts[0], parts[1].upper(), parts[2] if len(parts) > 2 else ""
            state = self.server_state
            state.log.append(f"{command} {rest}".strip())
            if state.drop_on and (command == state.drop_on or f"{command} {rest}".upper().startswith(state.drop_on)):
                return  # the connection is cut without an answer
            try:
                if not self.dispatch(tag, command, rest):
                    return
            except (ValueError, IndexError):
                self.send(f"{tag} BAD Invalid arguments")

    def dispatch(self, tag, command, rest):
        state = self.server_state
        if command == "CAPABILITY":
            self.send("* CAPABILITY IMAP4rev1 UIDPLUS UNSELECT")
            self.send(f"{tag} OK CAPABILITY completed")
        elif command == "NOOP":
            self.send(f"{tag} OK NOOP completed")
        elif command == "LOGOUT":
            self.send("* BYE Logging out")
            self.send(f"{tag} OK LOGOUT completed")
            return False
        elif command == "LOGIN":
            user, password = _strings(rest)
            if state.fail_login or (user, password) != (state.user, state.password):
                self.send(f"{tag} NO [AUTHENTICATIONFAILED] Invalid credentials")
            else:
                self.authenticated = True
                self.send(f"{tag} OK LOGIN completed")
        elif not self.authenticated:
            self.send(f"{tag} BAD Log in first")
        elif command in ("SELECT", "EXAMINE"):
            (name,) = _strings(rest)
            if name.upper() != state.folder.upper():
                self.selected = False
                self.send(f"{tag} NO [NONEXISTENT] Unknown mailbox")
                return True
            self.selected = True
            unseen = [i + 1 for i, m in enumerate(state.messages) if "\\Seen" not in m.flags]
            self.send(r"* FLAGS (\Answered \Flagged \Deleted \Seen \Draft)")
            self.send(f"* {len(state.messages)} EXISTS")
            self.send("* 0 RECENT")
            if unseen:
                self.send(f"* OK [UNSEEN {unseen[0]}] First unseen")
            self.send(f"* OK [UIDVALIDITY {state.uidvalidity}] UIDs valid")
            self.send(f"* OK [UIDNEXT {state.next_uid}] Predicted next UID")
            mode = "READ-ONLY" if command == "EXAMINE" else "READ-WRITE"
            self.send(f"{tag} OK [{mode}] {command} completed")
        elif not self.selected:
            self.send(f"{tag} BAD No mailbox selected")
        elif command == "UID":
            sub, _sep, args = rest.partition(" ")
            return self.uid_command(tag, sub.upper(), args)
        elif command == "EXPUNGE":
            with state.lock:
                for index in range(len(state.messages), 0, -1):
                    if "\\Deleted" in state.messages[index - 1].flags:
                        del state.messages[index - 1]
                        self.send(f"* {index} EXPUNGE")
            self.send(f"{tag} OK EXPUNGE completed")
        elif command in ("CLOSE", "UNSELECT"):
            self.selected = False
            self.send(f"{tag} OK {command} completed")
        else:
            self.send(f"{tag} BAD Unknown command {command}")
        return True

    def uid_command(self, tag, sub, args):
        state = self.server_state
        if sub == "SEARCH":
            criteria = args.upper().split()
            found = []
            for message in state.messages:
                if criteria in (["ALL"], []) or (criteria == ["UNSEEN"] and "\\Seen" not in message.flags) or (
                    criteria == ["SEEN"] and "\\Seen" in message.flags
                ):
                    found.append(str(message.uid))
                elif criteria not in (["UNSEEN"], ["SEEN"]):
                    self.send(f"{tag} BAD Unsupported search criteria")
                    return True
            self.send("* SEARCH" + "".join(f" {uid}" for uid in found))
            self.send(f"{tag} OK UID SEARCH completed")
        elif sub == "FETCH":
            uid_text, _sep, items = args.partition(" ")
            highest = state.messages[-1].uid if state.messages else 0
            uids = _uid_set(uid_text, highest)
            items = items.strip()
            if not (items.startswith("(") and items.endswith(")")):
                items = f"({items})"
            for seq, message in enumerate(state.messages, 1):
                if message.uid in uids:
                    self.send(b"* %d FETCH (" % seq + self.fetch_items(message, items[1:-1]) + b")\r\n")
            self.send(f"{tag} OK UID FETCH completed")
        elif sub == "STORE":
            uid_text, mode, flags = args.split(" ", 2)
            highest = state.messages[-1].uid if state.messages else 0
            uids = _uid_set(uid_text, highest)
            names = set(flags.strip("()").split())
            mode = mode.upper()
            for seq, message in enumerate(state.messages, 1):
                if message.uid not in uids:
                    continue
                if mode.startswith("+FLAGS"):
                    message.flags |= names
                elif mode.startswith("-FLAGS"):
                    message.flags -= names
                elif mode.startswith("FLAGS"):
                    message.flags = set(names)
                else:
                    self.send(f"{tag} BAD Unknown STORE mode")
                    return True
                if not mode.endswith(".SILENT"):
                    self.send(f"* {seq} FETCH (UID {message.uid} FLAGS ({' '.join(sorted(message.flags))}))")
            self.send(f"{tag} OK UID STORE completed")
        else:
            self.send(f"{tag} BAD Unknown UID command {sub}")
        return True

    def fetch_items(self, message, items):
        out = [b"UID %d" % message.uid]
        for item in re.findall(r"BODY(?:\.PEEK)?\[[^\]]*\]|\S+", items, re.IGNORECASE):
            upper = item.upper()
            if upper == "UID":
                continue
            if upper == "FLAGS":
                out.append(("FLAGS (" + " ".join(sorted(message.flags)) + ")").encode())
            elif upper == "RFC822.SIZE":
                out.append(b"RFC822.SIZE %d" % len(message.raw))
            elif upper in ("RFC822", "BODY[]", "BODY.PEEK[]"):
                if not upper.startswith("BODY.PEEK"):
                    message.flags.add("\\Seen")
                name = b"RFC822" if upper == "RFC822" else b"BODY[]"
                out.append(name + b" {%d}\r\n" % len(message.raw) + message.raw)
            elif upper == "RFC822.HEADER":
                head = message.raw.split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
                out.append(b"RFC822.HEADER {%d}\r\n" % len(head) + head)
            elif re.fullmatch(r"BODY(\.PEEK)?\[HEADER\.FIELDS \(([^)]*)\)\]", upper):
                names = re.fullmatch(r"BODY(?:\.PEEK)?\[HEADER\.FIELDS \(([^)]*)\)\]", upper).group(1).split()
                if not upper.startswith("BODY.PEEK"):
                    message.flags.add("\\Seen")
                head = _header_fields(message.raw, names)
                label = upper.replace("BODY.PEEK[", "BODY[").encode()
                out.append(label + b" {%d}\r\n" % len(head) + head)
            else:
                raise ValueError(item)
        return b" ".join(out)


def _strings(text):
    """The atoms and quoted strings in a command's arguments."""
    values = []
    for match in re.finditer(r'"((?:[^"\\]|\\.)*)"|(\S+)', text):
        quoted, atom = match.groups()
        values.append(re.sub(r"\\(.)", r"\1", quoted) if quoted is not None else atom)
    return values
