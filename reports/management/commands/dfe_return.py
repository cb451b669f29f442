"""``python manage.py dfe_return --la CODE --out FILE.xlsx``: the DfE return workbook."""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import LocalAuthority
from reports.dfe_return import write_return


class Command(BaseCommand):
    help = "Write the DfE return workbook (shortfall evidence, small numbers suppressed) for one LA."

    def add_arguments(self, parser):
        parser.add_argument("--la", required=True, help="DfE LA code, for example 202")
        parser.add_argument("--out", required=True, help="Path of the .xlsx file to write")

    def handle(self, *args, la, out, **options):
        found = LocalAuthority.objects.filter(code=la.strip()).first()
        if found is None:
            raise CommandError(f"No local authority with code {la!r}.")
        if not out.lower().endswith(".xlsx"):
            raise CommandError("--out must name an .xlsx file.")
        try:
            write_return(found, out)
        except OSError as exc:
            raise CommandError(f"Cannot write {out}: {exc.strerror}") from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote the DfE return for {found.name} to {out}"))
