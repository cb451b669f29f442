"""Periodic work without a cron line: each app's ``schedule.py`` lists ``JOBS`` (a name, the
django-tasks task to enqueue, how often), and ``manage.py run_scheduler`` enqueues each when it
is due. The worker (``db_worker``) runs them.

A job that has not finished without an error for ``alert_after`` (26 hours for anything run at
least daily, and for the more frequent jobs too) is *overdue*: ``overdue(now)`` lists them, and
``devices.services.check_scheduled_jobs`` raises and clears the alerts for them. That check runs
outside the scheduler too (the alert list and the home page evaluate it), so a dead scheduler or
worker is still noticed.

Due-ness is decided by the database with one conditional UPDATE of the job's
``ScheduledJob.last_enqueued_at``, so several schedulers on several machines enqueue a job once
per period between them. ``run_scheduler --status`` (and the admin) show when each last ran.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import import_module

from django.apps import apps
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Job:
    name: str
    task: str  # dotted path to a django-tasks Task
    every: timedelta
    enabled: object = None  # optional callable: False skips the job (e.g. no mailbox configured)
    alert_after: timedelta = None  # None: a day or its period, whichever is longer, plus 2 hours

    @property
    def overdue_after(self):
        if self.alert_after is not None:
            return self.alert_after
        return max(self.every, timedelta(hours=24)) + timedelta(hours=2)

    def is_enabled(self):
        return self.enabled is None or bool(self.enabled())


@dataclass(frozen=True)
class JobStatus:
    """One job as the scheduled-jobs page and ``run_scheduler --status`` show it."""

    job: Job
    last_enqueued_at: datetime = None
    last_finished_at: datetime = None
    last_succeeded_at: datetime = None
    last_error: str = ""
    next_run_at: datetime = None  # None: at the scheduler's next look
    overdue_since: datetime = None  # when it was last known good (None: not overdue)
    enabled: bool = True
    seen: bool = False  # the job has a ScheduledJob row

    @property
    def name(self):
        return self.job.name


def jobs():
    found = []
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.schedule")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.schedule":
                raise
            continue
        found.extend(getattr(module, "JOBS", []))
    return found


def run_due(now=None):
    """Enqueue every job whose period has passed since it was last enqueued; their names."""
    from core.models import ScheduledJob

    now = now or timezone.now()
    enqueued = []
    for job in jobs():
        if not job.is_enabled():
            continue
        row, _created = ScheduledJob.objects.get_or_create(name=job.name)
        won = (
            ScheduledJob.objects.filter(pk=row.pk)
            .filter(Q(last_enqueued_at__isnull=True) | Q(last_enqueued_at__lte=now - job.every))
            .update(last_enqueued_at=now)
        )
        if won:
            import_string(job.task).enqueue()
            enqueued.append(job.name)
    return enqueued


def record_run(name, *, error=""):
    """Called by a scheduled task when it has finished (so the status shows runs, not only queueing)."""
    from core.models import ScheduledJob

    now = timezone.now()
    defaults = {"last_finished_at": now, "last_error": error[:300]}
    if not error:
        defaults["last_succeeded_at"] = now
    ScheduledJob.objects.update_or_create(name=name, defaults=defaults)


def status(now=None):
    """Every job with its last run, result, next run and whether it is overdue (one query)."""
    from core.models import ScheduledJob

    now = now or timezone.now()
    rows = {row.name: row for row in ScheduledJob.objects.all()}
    result = []
    for job in jobs():
        row = rows.get(job.name)
        enabled = job.is_enabled()
        if row is None:
            result.append(JobStatus(job=job, enabled=enabled))
            continue
        known_good = row.last_succeeded_at or row.first_seen_at
        overdue = enabled and known_good is not None and known_good <= now - job.overdue_after
        result.append(
            JobStatus(
                job=job,
                last_enqueued_at=row.last_enqueued_at,
                last_finished_at=row.last_finished_at,
                last_succeeded_at=row.last_succeeded_at,
                last_error=row.last_error,
                next_run_at=row.last_enqueued_at + job.every if row.last_enqueued_at else None,
                overdue_since=known_good if overdue else None,
                enabled=enabled,
                seen=True,
            )
        )
    return result


def overdue(now=None):
    """The jobs that have not finished without an error within their ``overdue_after``.

    A job the scheduler has never seen has no row and so no baseline: ``run_due`` and
    ``devices.services.check_scheduled_jobs`` create the row, and the clock starts then (so a
    scheduler that was never started is noticed 26 hours after the first page view).
    """
    return [s for s in status(now) if s.overdue_since is not None]
