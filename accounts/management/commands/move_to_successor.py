"""``python manage.py move_to_successor CLOSED_URN SUCCESSOR_URN [--confirm]``.

Shows what a closed school still holds; with ``--confirm`` moves its children and devices to
its successor in one step (``accounts.services.move_to_successor``).
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import School
from accounts.services import SuccessorMoveRefused, move_to_successor, school_holdings


class Command(BaseCommand):
    help = "Move a closed school's children and devices to its successor school (same LA)."

    def add_arguments(self, parser):
        parser.add_argument("closed_urn", type=int)
        parser.add_argument("successor_urn", type=int)
        parser.add_argument("--confirm", action="store_true", help="Make the move; without it, only show what would move.")

    def handle(self, *args, **options):
        found = School.objects.in_bulk([options["closed_urn"], options["successor_urn"]], field_name="urn")
        for key in ("closed_urn", "successor_urn"):
            if options[key] not in found:
                raise CommandError(f"No school with URN {options[key]}.")
        school, successor = found[options["closed_urn"]], found[options["successor_urn"]]
        children, devices, tickets = school_holdings([school.pk])[school.pk]
        self.stdout.write(f"{school.urn} {school.name} holds {children} children, {devices} devices and {tickets} tickets (tickets stay).")
        if not options["confirm"]:
            self.stdout.write("Nothing moved: run again with --confirm to move the children and devices.")
            return
        try:
            moved = move_to_successor(school=school, successor=successor)
        except SuccessorMoveRefused as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(self.style.SUCCESS(f"Moved {moved[0]} children and {moved[1]} devices to {successor.urn} {successor.name}."))
