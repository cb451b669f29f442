"""Fault: the task worker is killed (SIGKILL) in the middle of an import commit.

A real ``manage.py db_worker`` process runs the commit against a database it can see: the
PostgreSQL test database as it is, or, on SQLite (where the test database lives in memory), a
copy of it in a temporary file that is copied back afterwards with SQLite's backup API.

What must hold: nothing from the file is written, the import page tells the user the import
stopped and offers to run it again, and running it again completes it.
"""

import datetime
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from core.imports import services
from core.imports.testing import csv_bytes, upload
from core.models import ImportJob
from devices.models import Device, DeviceEvent

ROOT = Path(__file__).resolve().parents[2]
ROWS = 30_000
APP_NAME = "hardening-fault-worker"


def _manifest(n):
    rows = [["Kind", "Make", "Serial", "Delivery date"]]
    rows += [["laptop", "Dell", f"KILL-{i:06d}", "01/02/2021"] for i in range(n)]
    return csv_bytes(rows)


class WorkerDatabase:
    """The database a worker subprocess uses, and how the test reads what it wrote."""

    def __init__(self, tmp_path):
        self.vendor = connection.vendor
        self.file = tmp_path / "worker.sqlite3"

    def url(self):
        s = connection.settings_dict
        if self.vendor == "postgresql":
            auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
            return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
        return f"sqlite:///{self.file}"

    def hand_over(self):
        """Make everything the test process wrote visible to the subprocess."""
        if self.vendor == "sqlite":
            connection.ensure_connection()
            self.file.unlink(missing_ok=True)
            target = sqlite3.connect(self.file)
            connection.connection.backup(target)
            target.close()

    def take_back(self):
        """Make what the subprocess wrote visible to the test process (and its ORM)."""
        if self.vendor == "sqlite":
            source = sqlite3.connect(self.file)
            connection.ensure_connection()
            source.backup(connection.connection)
            source.close()

    def rows_done(self, job_id):
        if self.vendor == "sqlite":
            con = sqlite3.connect(self.file, timeout=20)
            try:
                row = con.execute("select rows_done from core_importjob where id = ?", (job_id,)).fetchone()
            finally:
                con.close()
            return row[0] if row else 0
        return ImportJob.objects.filter(pk=job_id).values_list("rows_done", flat=True).first() or 0

    def wait_for_backends_gone(self):
        """On PostgreSQL the killed worker's server process ends when it notices the socket is
        closed; end it explicitly so its open transaction is rolled back before we look."""
        if self.vendor != "postgresql":
            return
        with connection.cursor() as cur:
            cur.execute("select pg_terminate_backend(pid) from pg_stat_activity where application_name = %s", [APP_NAME])
        for _ in range(100):
            with connection.cursor() as cur:
                cur.execute("select count(*) from pg_stat_activity where application_name = %s", [APP_NAME])
                if cur.fetchone()[0] == 0:
                    return
            time.sleep(0.1)


def _worker(db, media_root, *, batch):
    env = {
        **os.environ,
        "DATABASE_URL": db.url(),
        "MEDIA_ROOT": str(media_root),
        "TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
        "PGAPPNAME": APP_NAME,
        "DEBUG": "0",
        "LOG_LEVEL": "ERROR",
    }
    args = [sys.executable, "manage.py", "db_worker", "--no-startup-delay", "--interval", "0.1", "--no-reload"]
    if batch:
        args.append("--batch")
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)


@pytest.fixture
def db_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def test_worker_killed_mid_commit_writes_nothing_and_rerun_completes(transactional_db, officer, client, tmp_path, settings, db_tasks):
    db = WorkerDatabase(tmp_path)
    # The dry run runs in this process; the commit goes to the background worker.
    settings.IMPORT_INLINE_MAX_BYTES = 100 * 1024 * 1024
    job = services.start_import(user=officer, local_authority=officer.local_authority, kind="delivery", upload=upload(_manifest(ROWS), "big.csv"))
    job = services.request_dry_run(job=job, user=officer)
    assert job.status == ImportJob.Status.VALID, job.errors[:3]
    settings.IMPORT_INLINE_MAX_BYTES = 0
    job = services.request_commit(job=job, user=officer)
    assert job.status == ImportJob.Status.COMMITTING and job.task_id

    db.hand_over()
    worker = _worker(db, settings.MEDIA_ROOT, batch=False)
    try:
        deadline = time.monotonic() + 120
        seen = 0
        while time.monotonic() < deadline and worker.poll() is None:
            seen = db.rows_done(job.pk)
            if seen > 0:
                break
            time.sleep(0.02)
        assert seen > 0, f"the worker never reported progress: {worker.stderr.read().decode()[-2000:] if worker.poll() is not None else ''}"
        os.killpg(worker.pid, signal.SIGKILL)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    db.wait_for_backends_gone()
    db.take_back()

    # Nothing half-written: no device or event from the file.
    assert Device.objects.filter(serial__startswith="KILL-").count() == 0
    assert DeviceEvent.objects.count() == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTING and 0 < job.rows_done <= ROWS

    # Some minutes later the job has stopped reporting: the page says so and offers a rerun.
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(seconds=settings_stale() + 60))
    client.force_login(officer)
    page = client.get(reverse("core:import_detail", args=[job.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "This import stopped before it finished. Nothing from it was written. You can run it again." in text
    assert reverse("core:import_retry", args=[job.pk]) in text

    response = client.post(reverse("core:import_retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMMITTING

    db.hand_over()
    worker = _worker(db, settings.MEDIA_ROOT, batch=True)
    try:
        _, err = worker.communicate(timeout=300)
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
    assert worker.returncode == 0, err.decode()[-2000:]
    db.take_back()

    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.message
    assert Device.objects.filter(serial__startswith="KILL-").count() == ROWS
    page = client.get(reverse("core:import_detail", args=[job.pk]))
    assert f"Imported {ROWS} rows." in page.content.decode()


def settings_stale():
    return getattr(settings, "IMPORT_STALE_SECONDS", 300)
