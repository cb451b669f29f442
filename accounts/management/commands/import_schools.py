"""``python manage.py import_schools FILE``: load a GIAS establishments extract."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.services import GiasImportError, import_gias_schools


class Command(BaseCommand):
    help = (
        "Load a GIAS establishments extract (CSV, Windows-1252 or UTF-8): create local authorities "
        "and upsert schools by URN. Writes nothing if the file has any error. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The establishments CSV downloaded from Get Information About Schools.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report what would change; write nothing.")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except IsADirectoryError:
            raise CommandError(f"{path} is a directory, not a GIAS CSV file.") from None
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None
        try:
            result = import_gias_schools(data=data, dry_run=options["dry_run"])
        except GiasImportError as exc:
            for message in exc.errors:
                self.stderr.write(message)
            raise CommandError(f"{path.name}: not imported, nothing was written ({len(exc.errors)} problem(s) above).") from None
        if result.dry_run:
            self.stdout.write("Dry run: nothing was written.")
        if result.las_created or result.las_updated:
            self.stdout.write(f"Local authorities: {result.las_created} new, {result.las_updated} changed.")
        self.stdout.write(self.style.SUCCESS(result.summary()))
