"""A local GOV.UK Notify for the tests: an HTTP server on 127.0.0.1 that speaks the part of
Notify's API we use, so the real ``notifications-python-client`` is exercised end to end.

It checks the client's JWT (issuer = service id, signed with the key's secret, with the client
library's own ``decode_jwt_token``, as Notify does), validates requests as Notify does for the
fields we send, stores each notification, and answers with Notify's shapes and errors:

- ``POST /v2/notifications/{sms,email,letter}``: 201 with ``id``, ``reference``, ``content``;
  400 ``ValidationError`` for a number that is not a UK mobile, an address without a postcode
  line, or a missing personalisation; 400 ``BadRequestError`` for an unknown template;
  403 ``AuthError`` for a bad token; 429 ``RateLimitError`` past ``rate_limit`` a window.
- ``GET /v2/notifications?reference=...`` and ``GET /v2/notifications/<id>``.

``fail_next`` holds (status, errors) answers to give before working normally again;
``accept_then_fail`` stores the next notification and still answers 500 (Notify took it, the
answer was lost), for the never-twice tests.
"""

import json
import re
import threading
import uuid
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"test_key-{SERVICE_ID}-{SECRET}"
UK_MOBILE = re.compile(r"^(\+44|0044|44|0)7\d{9}$")


class NotifyState:
    def __init__(self):
        self.lock = threading.Lock()
        self.notifications = []
        self.templates = set()
        self.fail_next = []
        self.accept_then_fail = 0
        self.rate_limit = None
        self.requests = 0
        self.sent_in_window = 0

    def reset(self):
        with self.lock:
            self.notifications.clear()
            self.fail_next.clear()
            self.accept_then_fail = 0
            self.rate_limit = None
            self.requests = 0
            self.sent_in_window = 0


def _error(status, error, message):
    return status, {"status_code": status, "errors": [{"error": error, "message": message}]}


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeNotify/1.0"

    def log_message(self, *args):  # quiet
        pass

    @property
    def state(self):
        return self.server.state

    def reply(self, status, payload):
        body = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def authorised(self):
        header = self.headers.get("Authorization", "")
        if not header.startswith("Bearer "):
            return _error(401, "AuthError", "Unauthorized: authentication token must be provided")
        token = header[7:]
        try:
            if get_token_issuer(token) != SERVICE_ID:
                return _error(403, "AuthError", "Invalid token: service not found")
            decode_jwt_token(token, SECRET)
        except TokenError as error:
            return _error(403, "AuthError", f"Invalid token: {error.message}")
        return None

    def do_GET(self):
        refused = self.authorised()
        if refused:
            return self.reply(*refused)
        url = urlparse(self.path)
        if url.path == "/v2/notifications":
            reference = parse_qs(url.query).get("reference", [None])[0]
            with self.state.lock:
                found = [n for n in self.state.notifications if reference is None or n["reference"] == reference]
            return self.reply(200, {"notifications": found, "links": {"current": self.path}})
        match = re.fullmatch(r"/v2/notifications/([0-9a-f-]{36})", url.path)
        if match:
            with self.state.lock:
                found = [n for n in self.state.notifications if n["id"] == match.group(1)]
            if not found:
                return self.reply(*_error(404, "NoResultFound", "No result found"))
            return self.reply(200, found[0])
        return self.reply(*_error(404, "NotFound", "Not found"))

    def do_POST(self):
        with self.state.lock:
            self.state.requests += 1
        refused = self.authorised()
        if refused:
            return self.reply(*refused)
        match = re.fullmatch(r"/v2/notifications/(sms|email|letter)", urlparse(self.path).path)
        if not match:
            return self.reply(*_error(404, "NotFound", "Not found"))
        kind = match.group(1)
        length = int(self.headers.get("Content-Length") or 0)
        try:
            data = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self.reply(*_error(400, "BadRequestError", "Invalid JSON supplied in POST data"))
        with self.state.lock:
            if self.state.fail_next:
                status, errors = self.state.fail_next.pop(0)
                return self.reply(status, {"status_code": status, "errors": errors})
            if self.state.rate_limit is not None:
                if self.state.sent_in_window >= self.state.rate_limit:
                    return self.reply(*_error(429, "RateLimitError", "Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds"))
                self.state.sent_in_window += 1
        problem = self.validate(kind, data)
        if problem:
            return self.reply(*problem)
        notification = {
            "id": str(uuid.uuid4()), "reference": data.get("reference"), "type": kind, "status": "created",
            "template": {"id": data["template_id"], "version": 1, "uri": f"/v2/template/{data['template_id']}"},
            "personalisation": data.get("personalisation") or {},
            "phone_number": data.get("phone_number"), "email_address": data.get("email_address"),
            "body": (data.get("personalisation") or {}).get("body", ""),
            "created_at": datetime.now(timezone.utc).isoformat(),
        }
        with self.state.lock:
            self.state.notifications.append(notification)
            lost = self.state.accept_then_fail > 0
            if lost:
                self.state.accept_then_fail -= 1
        if lost:
            return self.reply(*_error(500, "Exception", "Internal server error"))
        content = {"body": notification["body"]}
        if kind == "sms":
            content["from_number"] = "DevicesLDN"
        elif kind == "email":
            content.update(subject=notification["personalisation"].get("subject", ""), from_email="devices@notifications.service.gov.uk")
        return self.reply(201, {"id": notification["id"], "reference": notification["reference"], "content": content,
                                "template": notification["template"], "uri": f"/v2/notifications/{notification['id']}"})

    def validate(self, kind, data):
        template_id = data.get("template_id")
        if template_id not in self.state.templates:
            return _error(400, "BadRequestError", "Template not found")
        personalisation = data.get("personalisation") or {}
        if "body" not in personalisation:
            return _error(400, "BadRequestError", "Missing personalisation: body")
        if kind == "sms":
            number = re.sub(r"[\s()-]", "", data.get("phone_number") or "")
            if not UK_MOBILE.match(number):
                return _error(400, "ValidationError", "phone_number Not a UK mobile number")
        elif kind == "email":
            if "@" not in (data.get("email_address") or ""):
                return _error(400, "ValidationError", "email_address Not a valid email address")
        else:
            lines = [personalisation.get(f"address_line_{i}") for i in range(1, 8) if personalisation.get(f"address_line_{i}")]
            if len(lines) < 3:
                return _error(400, "ValidationError", "personalisation address_line_3 is a required property")
            if not re.search(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$", lines[-1].upper()):
                return _error(400, "ValidationError", "Last line of address must be a real UK postcode")
        return None


class FakeNotify:
    """Start with ``FakeNotify().start()``; ``base_url`` for settings; ``stop()`` at the end."""

    def __init__(self):
        self.state = NotifyState()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.state = self.state
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base_url(self):
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self):
        self.thread.start()
        return self

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
