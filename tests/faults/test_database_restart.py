"""Fault: PostgreSQL restarts while the service is under load.

The machine's PostgreSQL is shared, so it is not restarted. Instead every process of the
service under test (a gunicorn with two workers of four threads, a task worker running an import
commit, a sender running ``messaging.services.deliver_pending`` against the local Notify server)
reaches the test database through a TCP proxy on 127.0.0.1 started here. "Restarting" the
database is what a restart does to clients: the proxy cuts every open session (PostgreSQL ends
those backends and rolls their transactions back), refuses connections for a couple of seconds,
then accepts again. Meanwhile several clients read pages and post a form.

What must hold:

* requests in flight or arriving while the database is down get our 503 page (or JSON), never a
  traceback, within a bound; requests after it is back succeed (persistent connections are
  health-checked: ``CONN_HEALTH_CHECKS``);
* each form post is saved entirely or not at all: one ticket message per accepted post;
* the import committed during the fault is either all there or all absent;
* every message ends sent exactly once: the local Notify server received each reference once,
  and each ``OutboundMessage`` is recorded as sent (a send whose result was lost with the
  connection is looked up by its reference when its lease runs out, not sent again).

PostgreSQL only (SQLite has no server to restart). ``FAULT_TRACE=/tmp/trace.log`` writes every
request's timing and status relative to the fault, what the database was doing 3 s after it,
and the processes' logs.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.imports import services as imports
from core.imports.testing import csv_bytes, upload
from core.models import ImportJob
from devices.models import Device
from devices.tests.factories import DeviceFactory
from messaging.models import NotifyTemplate, OutboundMessage, Status
from messaging.tests.factories import OutboundMessageFactory
from messaging.tests.notify_server import API_KEY, FakeNotify, Handler
from support.models import Message
from support.tests.factories import DEFAULT_TOKEN, TicketFactory

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="a database server restart needs PostgreSQL")

ROOT = Path(__file__).resolve().parents[2]
APP_NAME = "fault-db-restart"
ROWS = 20_000
MESSAGES = 120
DOWN_SECONDS = 2.5
#: No request may take longer than this, fault or not (gunicorn's own timeout is 30 s).
REQUEST_BOUND_SECONDS = 15


class RestartingProxy:
    """A TCP proxy to PostgreSQL that can "restart": cut every session, refuse, accept again."""

    def __init__(self, target):
        self.target = target
        self.port = 0
        self.sessions = set()
        self.lock = threading.Lock()
        self.listener = None
        self.cut = 0
        self._listen()

    def _listen(self):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen(256)
        self.port = listener.getsockname()[1]
        self.listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(self.target, timeout=5)
                upstream.settimeout(None)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sessions.add((client, upstream))
            for src, dst in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(src, dst), daemon=True).start()

    def _pipe(self, src, dst):
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (src, dst):
                _close(sock)

    def restart(self, down_seconds):
        """Stop listening and cut every session (connections now fail: refused), then listen
        again on the same port after ``down_seconds``."""
        _close(self.listener)
        with self.lock:
            sessions, self.sessions = list(self.sessions), set()
        for pair in sessions:
            for sock in pair:
                _close(sock)
        self.cut += len(sessions)
        time.sleep(down_seconds)
        self._listen()

    def stop(self):
        _close(self.listener)
        with self.lock:
            for pair in self.sessions:
                for sock in pair:
                    _close(sock)


def _close(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()


class SlowHandler(Handler):
    """The local Notify, taking 15 ms per send, so that sending is under way at the fault."""

    def do_POST(self):
        time.sleep(0.015)
        return super().do_POST()


@dataclass
class Result:
    kind: str
    started: float
    elapsed: float
    status: int  # 0: no answer (connection refused or reset by the server itself)
    body: str = ""


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(proxy_port, media_root, notify_url):
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    env = {k: v for k, v in os.environ.items() if k not in ("CACHE_URL", "RATELIMIT_CACHE_URL")}
    env.update(
        DATABASE_URL=f"postgres://{auth}@127.0.0.1:{proxy_port}/{s['NAME']}",
        PGAPPNAME=APP_NAME, PGCONNECT_TIMEOUT="3",
        DEBUG="false", SECURE_COOKIES="false", SECURE_SSL_REDIRECT="false", AXES_ENABLED="false", TWO_FACTOR_REQUIRED="false",
        ALLOWED_HOSTS="127.0.0.1", MEDIA_ROOT=str(media_root), LOG_LEVEL="CRITICAL", EMAIL_URL="dummymail://",
        STATICFILES_BACKEND="django.contrib.staticfiles.storage.StaticFilesStorage",
        RATELIMIT_CACHE_URL="locmemcache://", SUPPORT_PUBLIC_RATE_LIMIT="100000",
        TASKS_BACKEND="django_tasks_db.DatabaseBackend",
        MESSAGING_SMS_DRIVER="notify", NOTIFY_API_KEY=API_KEY, NOTIFY_BASE_URL=notify_url, NOTIFY_TIMEOUT="5",
        SECRET_KEY=settings.SECRET_KEY,  # the test's sessions must be valid in gunicorn
    )
    return env


# The sender: the scheduler's deliver_pending job, run again and again as the worker would,
# through the proxy. A database error ends that run (its batch keeps its lease); the next run
# starts on a new connection.
SENDER = """
import time
from django.db import connection, Error
from messaging.models import OutboundMessage
from messaging.services import deliver_pending
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    try:
        deliver_pending(batch_size=10)
        if not OutboundMessage.objects.filter(status="queued").exists():
            break
    except Error as error:
        print("run failed:", type(error).__name__, flush=True)
        connection.close()
        time.sleep(0.2)
"""


def _start(args, env, logs):
    """A subprocess writing to files (a pipe nobody reads fills up, and its logging then blocks)."""
    name = Path(args[1] if args[1] != "-m" else args[2]).name.replace(".", "_") + f"_{len(list(logs.iterdir()))}"
    out, err = open(logs / f"{name}.out", "wb"), open(logs / f"{name}.err", "wb")
    process = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True)
    process.logs = (out, err)
    return process


def _stop(process):
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    texts = []
    for f in process.logs:
        f.close()
        texts.append(Path(f.name).read_text(errors="replace"))
    return tuple(texts)


def _session_cookie(client, user):
    client.force_login(user)
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_database_restart_under_load(transactional_db, officer, client, tmp_path, settings, db_tasks):
    # The data: devices to list, a family's ticket to reply to, an import waiting for the worker,
    # and messages waiting to be sent.
    DeviceFactory.create_batch(30, local_authority=officer.local_authority)
    ticket = TicketFactory(local_authority=officer.local_authority)
    settings.IMPORT_INLINE_MAX_BYTES = 100 * 1024 * 1024
    rows = [["Kind", "Make", "Serial", "Delivery date"]] + [["laptop", "Dell", f"RESTART-{i:06d}", "01/02/2021"] for i in range(ROWS)]
    job = imports.start_import(user=officer, local_authority=officer.local_authority, kind="delivery", upload=upload(csv_bytes(rows), "big.csv"))
    job = imports.request_dry_run(job=job, user=officer)
    assert job.status == ImportJob.Status.VALID, job.errors[:3]
    settings.IMPORT_INLINE_MAX_BYTES = 0
    job = imports.request_commit(job=job, user=officer)
    assert job.status == ImportJob.Status.COMMITTING

    notify = FakeNotify()
    notify.server.RequestHandlerClass = SlowHandler
    notify.start()
    template_id = str(uuid.uuid4())
    NotifyTemplate.objects.create(template="*", channel="sms", language="en", notify_template_id=template_id)
    notify.state.templates.add(template_id)
    OutboundMessageFactory.create_batch(MESSAGES, status=Status.QUEUED, recipient="+447700900123", attempts=0)
    cookies = _session_cookie(client, officer)

    s = connection.settings_dict
    proxy = RestartingProxy((s["HOST"] or "127.0.0.1", int(s["PORT"] or 5432)))
    env = _env(proxy.port, settings.MEDIA_ROOT, notify.base_url)
    logs = tmp_path / "logs"
    logs.mkdir()
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    web = _start([sys.executable, "-m", "gunicorn", "tracker.wsgi:application", "--workers", "2", "--threads", "4",
                  "--worker-class", "gthread", "--bind", f"127.0.0.1:{port}", "--timeout", "30",
                  "--access-logfile", "/dev/null", ], env, logs)
    worker = sender = None
    results, stop = [], threading.Event()
    try:
        for _ in range(120):
            try:
                if requests.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            time.sleep(0.5)
        else:
            pytest.fail("gunicorn did not start: " + "\n".join(_stop(web))[-2000:])
        worker = _start([sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1", "--no-reload"], env, logs)
        sender = _start([sys.executable, "manage.py", "shell", "--no-imports", "-c", SENDER], env, logs)

        pages = [reverse("devices:device_list"), reverse("devices:alert_list"), reverse("home")]
        reply_url = reverse("support:family_ticket", args=[ticket.reference, DEFAULT_TOKEN])

        def call(kind, method, url, session, **kwargs):
            started = time.monotonic()
            try:
                response = session.request(method, base + url, timeout=REQUEST_BOUND_SECONDS + 5, allow_redirects=False, **kwargs)
                status, body = response.status_code, response.text
            except requests.RequestException as error:
                status, body = 0, repr(error)
            if status in (301, 302):
                body = response.headers.get("Location", "")
            results.append(Result(kind, started, time.monotonic() - started, status, body))
            return status, body

        def reader(i):
            session = requests.Session()
            session.cookies.update(cookies)
            n = 0
            while not stop.is_set():
                call("read", "GET", pages[(i + n) % len(pages)], session)
                n += 1

        def poster():
            session = requests.Session()
            n = 0
            while not stop.is_set():
                status, body = call("form", "GET", reply_url, session)
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body) if status == 200 else None
                if token:
                    n += 1
                    call("post", "POST", reply_url, session, data={"csrfmiddlewaretoken": token.group(1), "body": f"Reply number {n}"},
                         headers={"Referer": base + reply_url})

        clients = [threading.Thread(target=reader, args=(i,)) for i in range(3)] + [threading.Thread(target=poster)]
        for t in clients:
            t.start()

        # Restart when the import is being written and messages are being sent.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if ImportJob.objects.filter(pk=job.pk).values_list("rows_done", flat=True).get() > 0 and len(notify.state.notifications) >= 10:
                break
            time.sleep(0.05)
        else:
            pytest.fail(f"import or sending never started: worker {worker.poll()}, sender {sender.poll()}, sent {len(notify.state.notifications)}")
        fault_start = time.monotonic()
        proxy.restart(DOWN_SECONDS)
        back_at = time.monotonic()
        time.sleep(3)
        with connection.cursor() as cur:
            cur.execute("select pid, application_name, state, wait_event_type, wait_event, left(query, 100), now() - xact_start from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()")
            activity = cur.fetchall()
        time.sleep(5)
        stop.set()
        for t in clients:
            t.join(timeout=60)
    finally:
        stop.set()
        web_out = _stop(web)
        sender_out = _stop(sender) if sender else ("", "")
        worker_out, worker_exit = ("", ""), None
        if worker:
            # Let the worker finish the import if it is still writing (it is on a new connection).
            end = time.monotonic() + 180
            while worker.poll() is None and time.monotonic() < end:
                if ImportJob.objects.filter(pk=job.pk).exclude(status=ImportJob.Status.COMMITTING).exists():
                    break
                if not ImportJob.objects.filter(pk=job.pk, heartbeat_at__gte=timezone.now() - timedelta(seconds=20)).exists():
                    break  # the worker is not writing any more
                time.sleep(0.5)
            worker_exit = worker.poll()
            worker_out = _stop(worker)
        proxy.stop()
        with connection.cursor() as cur:
            cur.execute("select pg_terminate_backend(pid) from pg_stat_activity where application_name = %s", [APP_NAME])

    if os.environ.get("FAULT_TRACE"):
        with open(os.environ["FAULT_TRACE"], "w") as trace:
            trace.write(f"fault at 0, back at {back_at - fault_start:.2f}\n")
            for r in sorted(results, key=lambda r: r.started):
                trace.write(f"{r.started - fault_start:7.2f} {r.elapsed:6.2f} {r.kind:5} {r.status} {r.body[:120]!r}\n")
            trace.write("--- activity\n" + "\n".join(map(repr, activity)) + "\n")
            trace.write("--- web\n" + web_out[1][-20000:] + "\n--- worker\n" + worker_out[1][-5000:] + "\n--- sender\n" + "\n".join(sender_out)[-5000:])
    assert proxy.cut > 0, "the restart cut no session"
    # -- Pages: a clean answer for everyone, within the bound.
    assert results, "no request was made"
    slowest = max(results, key=lambda r: r.elapsed)
    assert slowest.elapsed < REQUEST_BOUND_SECONDS, (
        slowest, f"started {slowest.started - fault_start:.1f}s after the fault (down {back_at - fault_start:.1f}s)", web_out[1][-3000:]
    )
    for r in results:
        assert r.status in (200, 302, 503), (r.kind, r.status, r.body[:500])
        assert "Traceback" not in r.body and "OperationalError" not in r.body and "psycopg" not in r.body, r.body[:500]
        if r.status == 503:
            assert "Sorry, the service is temporarily unavailable" in r.body and "Nothing you entered was saved." in r.body
    during = [r for r in results if fault_start <= r.started + r.elapsed and r.started <= back_at]
    assert any(r.status == 503 for r in during), "no request met the fault"
    after = [r for r in results if r.started > back_at + 0.5]
    assert after and all(r.status in (200, 302) for r in after), [(r.kind, r.status) for r in after if r.status not in (200, 302)][:10]
    assert any(r.kind == "post" and r.status == 302 for r in after), "no reply was accepted after the restart"

    # -- The form: each accepted post saved once, each refused one not at all.
    accepted = sum(1 for r in results if r.kind == "post" and r.status == 302)
    assert Message.objects.filter(ticket=ticket).count() == accepted

    # -- The import: all there or all absent (then the page offers to run it again).
    job.refresh_from_db()
    imported = Device.objects.filter(serial__startswith="RESTART-").count()
    assert imported in (0, ROWS), (imported, job.status, job.message, worker_out[1][-2000:])
    assert (imported == ROWS) == (job.status == ImportJob.Status.DONE), (imported, job.status, job.message)

    # -- Messages: a send whose outcome was lost with the connection is resumed when its lease
    # runs out: looked up at Notify by its reference, not sent again.
    settings.MESSAGING_DRIVERS = {"sms": "notify", "email": "notify", "letter": "notify"}
    settings.NOTIFY_API_KEY, settings.NOTIFY_BASE_URL, settings.NOTIFY_TIMEOUT = API_KEY, notify.base_url, 5
    from messaging.services import deliver_pending

    left_sending = OutboundMessage.objects.filter(status=Status.SENDING).count()
    # Two minutes later (SEND_LEASE): the leases of the sends cut off by the restart have run out.
    OutboundMessage.objects.filter(status=Status.SENDING).update(not_before=timezone.now() - timedelta(seconds=1))
    deliver_pending()
    notify.stop()
    statuses = dict(OutboundMessage.objects.values_list("provider_reference", "status"))
    received = {}
    for n in notify.state.notifications:
        received[n["reference"]] = received.get(n["reference"], 0) + 1
    assert {ref: k for ref, k in received.items() if k > 1} == {}, "a message was sent twice"
    assert set(statuses.values()) == {Status.SENT}, (sorted(set(statuses.values())), sender_out)
    assert set(received) == set(statuses), "a message recorded as sent never reached Notify"
    print(f"requests {len(results)}, 503 during the fault {sum(r.status == 503 for r in during)}, "
          f"sessions cut {proxy.cut}, replies accepted {accepted}, import rows {imported}, "
          f"messages left mid-send by the restart {left_sending}, Notify received {len(notify.state.notifications)}, "
          f"worker exit code after the fault {worker_exit} (None: still running), import job {job.status}")
