"""The base of every import command: the same file, the same mapping, the same errors as the page.

``python manage.py import_<kind> FILE --la CODE [--sheet NAME] [--dry-run]
[--map FIELD=HEADER ...] [--mapping FILE.json]``

- The columns are chosen as the page chooses them (``core.imports.services.resolve_mapping``):
  the LA's remembered mapping first, then the headings we know; ``--mapping`` (a JSON object
  ``{"field": "heading"}``, as stored by the page) and then each ``--map`` override that.
  ``--map FIELD=`` (empty) leaves a field unread.
- The mapping used is printed before anything else (each field, its column and why), with every
  column that is not used and why, and a warning for a column that looks like one of our fields.
- Row errors are the page's, line for line (``row N, column: message``); any error means exit 1
  and nothing written.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from core.imports import engine
from core.imports.headers import describe_columns
from core.imports.readers import ReadError


class ImportCommand(BaseCommand):
    """Subclasses set ``spec`` (an ``ImportSpec``) and may override ``summary(ctx, dry_run)``."""

    spec = None

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--la", required=True, help="DfE LA code, e.g. 202")
        parser.add_argument("--sheet", default=None, help="worksheet name (default: the first with a header row we know)")
        parser.add_argument("--dry-run", action="store_true", help="check every row and write nothing")
        parser.add_argument(
            "--map", action="append", default=[], metavar="FIELD=HEADER", help="read FIELD from the column headed HEADER (repeatable); FIELD= leaves it unread"
        )
        parser.add_argument("--mapping", default=None, metavar="FILE", help='a JSON file {"field": "column heading", ...}')

    # -- failure: subclasses may prefer CommandError
    def reject(self, message):
        self.stderr.write(message)
        sys.exit(1)

    def handle(self, *args, **options):
        from accounts.models import LocalAuthority
        from core.imports import services

        spec = self.spec
        la = LocalAuthority.objects.filter(code=options["la"]).first()
        if la is None:
            raise CommandError(f"No local authority with code {options['la']}.")
        overrides = self._overrides(spec, options)
        path = options["file"]
        try:
            found = services.find_sheet(spec, path, filename=path, sheet=options["sheet"], remembered={**services.remembered_mapping(la, spec.kind), **overrides})
        except FileNotFoundError:
            raise CommandError(f"No such file: {path}") from None
        except ReadError as exc:
            return self.reject(exc.message)
        unknown = [h for h in overrides.values() if h and h not in found.headers]
        if unknown:
            raise CommandError(f"No column headed {unknown[0]!r} in {path}. Its columns are: " + ", ".join(repr(h) for h in found.headers if h))
        mapping, remembered = services.resolve_mapping(spec, found.headers, la, overrides)
        self.print_mapping(spec, found, mapping, remembered)
        kwargs = {"local_authority": la, "user": None, "mapping": mapping, "sheet": found.sheet_name or None, "filename": path}
        try:
            if options["dry_run"]:
                ctx = engine.validate(spec, path, **kwargs)
            else:
                ctx = engine.commit(spec, path, **kwargs)
        except ReadError as exc:
            return self.reject(exc.message)
        except engine.ImportRejected as exc:
            ctx = exc.ctx
        for line in ctx.error_lines():
            self.stdout.write(line)
        self.counts(ctx)
        if not ctx.ok:
            return self.reject(f"{len(ctx.errors)} error(s): nothing was imported.")
        self.summary(ctx, options["dry_run"])

    def _overrides(self, spec, options):
        overrides = {}
        if options["mapping"]:
            try:
                with open(options["mapping"], encoding="utf-8") as f:
                    data = json.load(f)
            except (OSError, ValueError) as exc:
                raise CommandError(f"Could not read the mapping file {options['mapping']}: {exc}") from None
            if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
                raise CommandError('The mapping file must be a JSON object like {"reference": "Child ref"}.')
            overrides.update(data)
        for item in options["map"]:
            name, sep, header = item.partition("=")
            if not sep:
                raise CommandError(f"--map takes FIELD=HEADER, not {item!r}.")
            overrides[name.strip()] = header.strip()
        names = [f.name for f in spec.fields]
        for name in overrides:
            if name not in names:
                raise CommandError(f"No field {name!r} in this import. Its fields are: " + ", ".join(names))
        return overrides

    def print_mapping(self, spec, found, mapping, remembered):
        where = f" (sheet {found.sheet_name!r})" if found.sheet_name else ""
        self.stdout.write(f"Header row {found.header_row}{where}. Columns:")
        for entry in describe_columns(spec, found.headers, mapping, remembered):
            label = f"{entry['letter']} {entry['header']!r}" if entry["header"] else entry["letter"]
            if entry["field"]:
                self.stdout.write(f"  {label} -> {entry['field'].name}: {entry['reason']}")
            else:
                prefix = "  WARNING " if entry["warning"] else "  "
                self.stdout.write(f"{prefix}{label}: {entry['reason']}")
        for f in spec.fields:
            if f.name not in mapping:
                self.stdout.write(f"  {f.name}: not in this file" + (" (required)" if f.required else ""))

    def counts(self, ctx):
        for key, label in self.spec.count_labels.items():
            self.stdout.write(f"{label}: {ctx.counts.get(key, 0)}")

    def summary(self, ctx, dry_run):
        if dry_run:
            self.stdout.write(f"Dry run: {ctx.total_rows} rows checked, no errors, nothing written.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Imported {ctx.total_rows} rows."))
