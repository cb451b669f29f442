"""``python manage.py import_licences FILE --la CODE [--dry-run]``: bulk licences for an LA.

The same engine and checks as the web import (kind ``licences``): each row error printed as
``row N, column: message``; exit 1 and nothing written when any row is invalid.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import LocalAuthority
from core.imports.engine import ImportRejected, commit, validate
from core.imports.readers import ReadError
from devices.licence_imports import SPEC


class Command(BaseCommand):
    help = "Import licences (serial, product, start, end, payer, annual cost) for one LA's devices."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--la", required=True, help="DfE LA code, e.g. 202")
        parser.add_argument("--dry-run", action="store_true")

    def handle(self, *args, **options):
        la = LocalAuthority.objects.filter(code=options["la"]).first()
        if la is None:
            raise CommandError(f"No local authority with code {options['la']}")
        try:
            if options["dry_run"]:
                ctx = validate(SPEC, options["file"], local_authority=la)
            else:
                ctx = commit(SPEC, options["file"], local_authority=la)
        except ReadError as exc:
            raise CommandError(exc.message) from None
        except FileNotFoundError:
            raise CommandError(f"No such file: {options['file']}") from None
        except ImportRejected as exc:
            ctx = exc.ctx
        for line in ctx.error_lines():
            self.stdout.write(line)
        if not ctx.ok:
            raise CommandError(f"{len(ctx.errors)} error(s); nothing was imported.")
        verb = "would be" if options["dry_run"] else "were"
        self.stdout.write(
            self.style.SUCCESS(f"{ctx.counts.get('created', 0)} licences {verb} created and {ctx.counts.get('updated', 0)} updated.")
        )
