"""``python manage.py import_allocations FILE --la CODE [--dry-run]``: the web import's engine.

Prints each row error as ``row N, column: message`` and exits 1, writing nothing, when any row
is invalid; otherwise prints the counts (and, without ``--dry-run``, commits all-or-nothing).
"""

import sys

from django.core.management.base import BaseCommand, CommandError

from accounts.models import LocalAuthority
from allocations.imports import SPEC
from core.imports import engine
from core.imports.readers import ReadError


class Command(BaseCommand):
    help = "Import children and allocations from a CSV or XLSX file (all-or-nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--la", required=True, help="DfE LA code, e.g. 202")
        parser.add_argument("--sheet", default=None, help="worksheet name (default: the first)")
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")

    def handle(self, *args, **options):
        la = LocalAuthority.objects.filter(code=options["la"]).first()
        if la is None:
            raise CommandError(f"No local authority with code {options['la']}.")
        kwargs = {"local_authority": la, "user": None, "mapping": None, "sheet": options["sheet"], "filename": options["file"]}
        try:
            if options["dry_run"]:
                ctx = engine.validate(SPEC, options["file"], **kwargs)
            else:
                ctx = engine.commit(SPEC, options["file"], **kwargs)
        except FileNotFoundError:
            raise CommandError(f"No such file: {options['file']}") from None
        except ReadError as exc:
            self.stderr.write(exc.message)
            sys.exit(1)
        except engine.ImportRejected as exc:
            ctx = exc.ctx
        for line in ctx.error_lines():
            self.stdout.write(line)
        for key, label in SPEC.count_labels.items():
            self.stdout.write(f"{label}: {ctx.counts.get(key, 0)}")
        if not ctx.ok:
            self.stderr.write(f"{len(ctx.errors)} errors: nothing was imported.")
            sys.exit(1)
        if options["dry_run"]:
            self.stdout.write(f"Dry run: {ctx.total_rows} rows checked, no errors, nothing written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {ctx.total_rows} rows."))
