"""``python manage.py import_allocations FILE --la CODE [--dry-run] [--map FIELD=HEADER] [--mapping FILE]``.

The web import's engine, columns and errors (``core.imports.commands.ImportCommand``): prints
the mapping used, then each row error as ``row N, column: message``, and exits 1, writing
nothing, when any row is invalid; otherwise prints the counts (and, without ``--dry-run``,
commits all-or-nothing).
"""

from allocations.imports import SPEC
from core.imports.commands import ImportCommand


class Command(ImportCommand):
    help = "Import children, allocations and handovers from a CSV or XLSX file (all-or-nothing)."
    spec = SPEC
