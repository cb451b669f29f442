"""``python manage.py import_deliveries FILE --la CODE [--dry-run] [--map FIELD=HEADER] [--mapping FILE]``.

A supplier's delivery manifest through the web import's engine, columns and checks (kind
``delivery``, ``core.imports.commands.ImportCommand``): mapping printed, row errors as
``row N, column: message``, exit 1 and nothing written when any row is invalid.
"""

from core.imports.commands import ImportCommand
from devices.imports import SPEC


class Command(ImportCommand):
    help = "Import a delivery manifest (devices, SIMs, delivery batches) for one LA (all-or-nothing)."
    spec = SPEC
