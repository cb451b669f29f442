"""Recompute the summary tables (``reports/summaries.py``) and ``Child.has_data`` from the
source tables, and report how many keys were wrong (0 expected: triggers keep them)."""

from django.core.management.base import BaseCommand

from reports import summaries


class Command(BaseCommand):
    help = "Rebuild the summary tables from the source tables; prints how many keys were wrong."

    def add_arguments(self, parser):
        parser.add_argument("--compact", action="store_true", help="Only fold each key's ledger rows into one.")

    def handle(self, *args, **options):
        if options["compact"]:
            self.stdout.write(f"Summary ledgers compacted: {summaries.compact()} rows removed")
            return
        summaries.roll_data_date()
        wrong = summaries.rebuild(stdout=self.stdout)
        self.stdout.write(f"Summary tables rebuilt: {wrong} keys corrected")
