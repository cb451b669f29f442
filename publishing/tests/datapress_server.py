"""A local DataPress (the London Datastore's platform) for the tests: an HTTP server on
127.0.0.1 speaking the part of the API ``publishing.drivers.datapress`` uses, with its errors.

- ``GET /api/dataset/<id>``: the dataset JSON (``resources`` keyed by a 3-character id);
- ``POST /api/dataset/<id>/resources``: multipart ``file`` (+ ``title``), adds a resource and
  answers the whole dataset; ``POST .../resources/<rid>`` replaces that resource's file;
- ``PATCH /api/dataset/<id>``: a JSON Patch (``replace`` ops on ``/licence``, ``/maintainer``,
  ``/resources/<rid>/<field>``), answers the dataset.

Errors as DataPress gives them: 403 for a missing or wrong ``Authorization`` key (the
documented answer; ``fail_next`` can give 401), 404 for an unknown dataset or resource, 413 for
a body over ``max_body``. ``fail_next``: statuses (or ``"slow"``: answer after ``slow_seconds``)
to give to the next requests before working normally again.
"""

import hashlib
import json
import threading
import time
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_KEY = "dp-test-key-0123456789"
DATASET = "ab12x"


class State:
    def __init__(self):
        self.lock = threading.Lock()
        self.reset()

    def reset(self):
        self.datasets = {DATASET: {"id": DATASET, "slug": "devices-for-children", "title": "Devices for Children", "licence": "not-specified", "maintainer": "", "resources": {}, "updatedAt": None}}
        self.files = {}  # (dataset, rid) -> bytes
        self.fail_next = []
        self.slow_seconds = 2.0
        self.max_body = 10 * 1024 * 1024
        self.requests = []  # (method, path)
        self.counter = 0


def _parse_multipart(content_type, body):
    message = BytesParser(policy=HTTP).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    fields, files = {}, {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        filename = part.get_filename()
        payload = part.get_payload(decode=True)
        if filename:
            files[name] = (filename, payload)
        else:
            fields[name] = payload.decode()
    return fields, files


class Handler(BaseHTTPRequestHandler):
    server_version = "FakeDataPress/1.0"

    def log_message(self, *args):
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

    def handle_any(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        with self.state.lock:
            self.state.requests.append((method, self.path))
            planned = self.state.fail_next.pop(0) if self.state.fail_next else None
        if length > self.state.max_body:
            self.rfile.read(length)
            return self.reply(413, {"error": "Request entity too large"})
        body = self.rfile.read(length) if length else b""
        if planned == "slow":
            time.sleep(self.state.slow_seconds)
        elif planned:
            return self.reply(planned, {"error": f"planned {planned}"})
        if self.headers.get("Authorization") != API_KEY:
            return self.reply(403, {"error": "API key does not have editor permissions"})
        parts = self.path.strip("/").split("/")  # api, dataset, <id>, [resources, [rid]]
        if parts[:2] != ["api", "dataset"] or len(parts) < 3:
            return self.reply(404, {"error": "Not found"})
        with self.state.lock:
            dataset = self.state.datasets.get(parts[2])
            if dataset is None:
                return self.reply(404, {"error": "Dataset does not exist"})
            if method == "GET" and len(parts) == 3:
                return self.reply(200, dataset)
            if method == "POST" and len(parts) in (4, 5) and parts[3] == "resources":
                fields, files = _parse_multipart(self.headers.get("Content-Type", ""), body)
                if "file" not in files:
                    return self.reply(400, {"error": "No file attached"})
                if len(parts) == 5:
                    rid = parts[4]
                    if rid not in dataset["resources"]:
                        return self.reply(404, {"error": "resource_id is invalid"})
                else:
                    self.state.counter += 1
                    rid = f"r{self.state.counter:02d}"
                    dataset["resources"][rid] = {"title": "", "description": "", "timeFrame": None, "order": 0}
                filename, content = files["file"]
                resource = dataset["resources"][rid]
                resource.update(title=fields.get("title", resource["title"]) or filename, origin=f"dataset/{parts[2]}/{filename}",
                                format=filename.rsplit(".", 1)[-1], hash=hashlib.md5(content).hexdigest(), size=len(content))
                self.state.files[(parts[2], rid)] = content
                dataset["updatedAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ")
                return self.reply(200, dataset)
            if method == "PATCH" and len(parts) == 3:
                try:
                    ops = json.loads(body or b"null")
                    assert isinstance(ops, list)
                except (ValueError, AssertionError):
                    return self.reply(400, {"error": "Body must be a JSON Patch array"})
                for op in ops:
                    path = op.get("path", "").strip("/").split("/")
                    if op.get("op") != "replace" or path[0] in ("id", "readonly"):
                        return self.reply(400, {"error": f"Cannot {op.get('op')} {op.get('path')}"})
                    target = dataset
                    for key in path[:-1]:
                        if key not in target:
                            return self.reply(400, {"error": f"No such path {op.get('path')}"})
                        target = target[key]
                    target[path[-1]] = op.get("value")
                dataset["updatedAt"] = time.strftime("%Y-%m-%dT%H:%M:%SZ")
                return self.reply(200, dataset)
        return self.reply(405, {"error": "Method not allowed"})

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PATCH(self):
        self.handle_any("PATCH")


class FakeDataPress:
    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.state = State()
        self.state = self.server.state
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
