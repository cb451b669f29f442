"""``python manage.py import_usage FILE --operator NAME``: monthly or daily usage from an operator.

Prints each row error as ``row N, column: message`` and exits 1 with nothing written when any
row is invalid; lists the rows whose SIM we do not know. See ``connectivity.usage``.
"""

from django.core.management.base import BaseCommand, CommandError

from connectivity.usage import UsageFileError, command_limits, import_usage


class Command(BaseCommand):
    help = "Import a network operator's data usage file (CSV or XLSX). Re-importing replaces, never adds."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--operator", required=True, help="Operator whose column layout the file uses (ee, vodafone, o2, three, generic).")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report, writing nothing.")

    def handle(self, *args, **options):
        try:
            result = import_usage(options["file"], operator=options["operator"], dry_run=options["dry_run"], **command_limits())
        except UsageFileError as exc:
            raise CommandError(exc.message) from None
        except FileNotFoundError:
            raise CommandError(f"No such file: {options['file']}") from None
        for message in result.errors:
            self.stdout.write(message)
        if result.errors:
            raise CommandError(f"{len(result.errors)} error(s) in {result.rows} rows; nothing was imported.")
        for row_number, key in result.unknown:
            self.stdout.write(f"row {row_number}: unknown SIM {key}")
        if result.unknown_count > len(result.unknown):
            self.stdout.write(f"... and {result.unknown_count - len(result.unknown)} more rows with unknown SIMs")
        verb = "would be written" if result.dry_run else "written"
        self.stdout.write(
            self.style.SUCCESS(f"{result.rows} rows read; {result.written} readings {verb}; {result.unknown_count} rows with unknown SIMs.")
        )
