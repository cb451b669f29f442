"""Anonymise children whose devices' three-year horizon ended more than N months ago."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from allocations.models import Child
from allocations.services import anonymise_child


class Command(BaseCommand):
    help = (
        "Remove names and contact details of children whose last device's three-year horizon "
        "ended more than --months months ago. Counts are kept. Use --dry-run to list them first."
    )

    def add_arguments(self, parser):
        parser.add_argument("--months", type=int, required=True, help="Months after the end of the three-year horizon.")
        parser.add_argument("--dry-run", action="store_true", help="List who would be anonymised; change nothing.")

    def handle(self, *args, months, dry_run, **options):
        if months < 0:
            raise CommandError("--months must be 0 or more.")
        today = timezone.localdate()
        due = Child.objects.due_for_anonymisation(today=today, months=months).select_related("local_authority").order_by("pk")
        count = 0
        for child in due.iterator(chunk_size=500):
            count += 1
            if dry_run:
                self.stdout.write(f"would anonymise: child {child.pk} ({child.local_authority.code}), last handover {child.last_handover:%d/%m/%Y}")
            else:
                anonymise_child(child=child)
        verb = "would be anonymised" if dry_run else "anonymised"
        self.stdout.write(self.style.SUCCESS(f"{count} children {verb}."))
