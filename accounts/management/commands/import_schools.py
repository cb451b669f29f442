"""``python manage.py import_schools FILE [--dry-run] [--accept-la-changes] [--links LINKS.csv]``.

Loads a GIAS establishments extract. A school that holds children, devices or tickets is not
moved to another LA unless ``--accept-la-changes`` is given (the conflict is printed and nothing
is written). ``--links`` (GIAS's "links" download) records each school's successor (not with ``--dry-run``)
and lists closed schools with a successor and what they still hold; move them with
``move_to_successor`` or on the "Closed schools" page.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from accounts.services import GiasImportError, GiasLaChangeRefused, closed_with_successor, import_gias_schools, record_successors


class Command(BaseCommand):
    help = (
        "Load a GIAS establishments extract (CSV, Windows-1252 or UTF-8): create local authorities "
        "and upsert schools by URN. Writes nothing if the file has any error. Safe to run twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The establishments CSV downloaded from Get Information About Schools.")
        parser.add_argument("--dry-run", action="store_true", help="Check the file and report what would change; write nothing.")
        parser.add_argument(
            "--accept-la-changes", action="store_true", help="Move schools that hold children, devices or tickets to the LA the extract gives them."
        )
        parser.add_argument("--links", default=None, help="GIAS links CSV (URN, LinkURN, LinkType): record successors and list closed schools with one.")

    def _read(self, path):
        path = Path(path)
        try:
            return path.read_bytes()
        except IsADirectoryError:
            raise CommandError(f"{path} is a directory, not a GIAS CSV file.") from None
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror or exc}.") from None

    def handle(self, *args, **options):
        path = Path(options["file"])
        data = self._read(path)
        try:
            result = import_gias_schools(data=data, dry_run=options["dry_run"], accept_la_changes=options["accept_la_changes"])
        except GiasLaChangeRefused as exc:
            for message in exc.errors:
                self.stderr.write(message)
            raise CommandError(
                f"{path.name}: not imported, nothing was written: {len(exc.changes)} school(s) holding children, devices or tickets would move to another LA. "
                "Check with GIAS, then run again with --accept-la-changes."
            ) from None
        except GiasImportError as exc:
            for message in exc.errors:
                self.stderr.write(message)
            raise CommandError(f"{path.name}: not imported, nothing was written ({len(exc.errors)} problem(s) above).") from None
        if result.dry_run:
            self.stdout.write("Dry run: nothing was written.")
        for change in result.la_changes:
            verb = "would need --accept-la-changes" if result.dry_run else "moved (accepted)"
            self.stdout.write(f"LA change {verb}: {change.message()}")
        if result.las_created or result.las_updated:
            self.stdout.write(f"Local authorities: {result.las_created} new, {result.las_updated} changed.")
        self.stdout.write(self.style.SUCCESS(result.summary()))
        if options["links"]:
            links = self._read(options["links"])
            try:
                if not result.dry_run:
                    recorded, unchanged, skipped = record_successors(data=links)
                    self.stdout.write(f"Successors recorded: {recorded} new or changed, {unchanged} unchanged, {skipped} naming schools not held.")
                rows = closed_with_successor(links)
            except GiasImportError as exc:
                raise CommandError("; ".join(exc.errors)) from None
            for old, new, (children, devices, tickets) in rows:
                self.stdout.write(
                    f"Closed: {old.urn} {old.name} ({old.local_authority.code}) -> successor {new.urn} {new.name} ({new.local_authority.code}): "
                    f"{children} children, {devices} devices, {tickets} tickets. Move with: manage.py move_to_successor {old.urn} {new.urn} --confirm "
                    "(or on the Closed schools page)"
                )
            if not rows:
                self.stdout.write("No closed school with a successor holds children, devices or tickets.")
