"""``python manage.py run_scheduler [--once] [--status]``: enqueue periodic jobs when due.

Runs beside the worker (``scripts/run.sh`` starts it; in production one per machine is fine:
the database decides which one enqueues). ``--once`` enqueues what is due and exits;
``--status`` prints when each job was last queued and last finished."""

import signal
import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from core.scheduler import run_due


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
        from core.scheduler import status

        for s in status():
            queued = f"{timezone.localtime(s.last_enqueued_at):%Y-%m-%d %H:%M}" if s.last_enqueued_at else "never"
            finished = f"{timezone.localtime(s.last_finished_at):%Y-%m-%d %H:%M}" if s.last_finished_at else "—"
            ok = f"{timezone.localtime(s.last_succeeded_at):%Y-%m-%d %H:%M}" if s.last_succeeded_at else "—"
            nxt = f"{timezone.localtime(s.next_run_at):%Y-%m-%d %H:%M}" if s.next_run_at else "next look"
            error = f" error: {s.last_error}" if s.last_error else ""
            state = " OVERDUE" if s.overdue_since else ("" if s.enabled else " off")
            self.stdout.write(
                f"{s.name:<20} every {s.job.every}  last queued {queued}  last finished {finished}  last ok {ok}  next {nxt}{state}{error}"
            )
