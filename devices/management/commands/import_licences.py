"""``python manage.py import_licences FILE --la CODE [--dry-run] [--map FIELD=HEADER] [--mapping FILE]``.

The same engine, columns and checks as the web import (kind ``licences``, through
``core.imports.commands.ImportCommand``): the mapping used is printed, each row error as
``row N, column: message``; exit 1 and nothing written when any row is invalid.
"""

from django.core.management.base import CommandError

from core.imports.commands import ImportCommand
from devices.licence_imports import SPEC


class Command(ImportCommand):
    help = "Import licences (serial, product, start, end, payer, annual cost) for one LA's devices."
    spec = SPEC

    def reject(self, message):
        raise CommandError(message.replace("error(s):", "error(s);"))

    def counts(self, ctx):
        pass

    def summary(self, ctx, dry_run):
        verb = "would be" if dry_run else "were"
        self.stdout.write(self.style.SUCCESS(f"{ctx.counts.get('created', 0)} licences {verb} created and {ctx.counts.get('updated', 0)} updated."))
