"""Periodic work without a cron line: each app's ``schedule.py`` lists ``JOBS`` (a name, the
django-tasks task to enqueue, how often), and ``manage.py run_scheduler`` enqueues each when it
is due. The worker (``db_worker``) runs them.

Due-ness is decided by the database with one conditional UPDATE of the job's
``ScheduledJob.last_enqueued_at``, so several schedulers on several machines enqueue a job once
per period between them. ``run_scheduler --status`` (and the admin) show when each last ran.
"""

from dataclasses import dataclass
from datetime import timedelta
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
        if job.enabled is not None and not job.enabled():
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

    ScheduledJob.objects.update_or_create(name=name, defaults={"last_finished_at": timezone.now(), "last_error": error[:300]})
