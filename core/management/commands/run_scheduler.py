"""``python manage.py run_scheduler [--once] [--status]``: enqueue periodic jobs when due.

Runs beside the worker (``scripts/run.sh`` starts it; in production one per machine is fine:
the database decides which one enqueues). ``--once`` enqueues what is due and exits;
``--status`` prints when each job was last queued and last finished."""

import signal
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.scheduler import jobs, run_due


class Command(BaseCommand):
    help = "Enqueue the periodic jobs (daily checks, SLA escalation, messages) when they are due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue what is due now and exit.")
        parser.add_argument("--status", action="store_true", help="Print when each job last ran and exit.")
        parser.add_argument("--interval", type=float, default=15.0, help="Seconds between looks (default 15).")

    def handle(self, *args, **options):
        if options["status"]:
            return self.status()
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        while True:
            for name in run_due():
                self.stdout.write(f"{timezone.localtime():%Y-%m-%d %H:%M:%S} queued {name}")
            if options["once"] or stopping:
                return
            time.sleep(options["interval"])

    def status(self):
        from core.models import ScheduledJob

        rows = {row.name: row for row in ScheduledJob.objects.all()}
        for job in jobs():
            row = rows.get(job.name)
            queued = f"{timezone.localtime(row.last_enqueued_at):%Y-%m-%d %H:%M}" if row and row.last_enqueued_at else "never"
            finished = f"{timezone.localtime(row.last_finished_at):%Y-%m-%d %H:%M}" if row and row.last_finished_at else "—"
            error = f" error: {row.last_error}" if row and row.last_error else ""
            self.stdout.write(f"{job.name:<20} every {job.every}  last queued {queued}  last finished {finished}{error}")
