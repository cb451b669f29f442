"""The usage upload on the shared import pages (kind ``usage``), run in the background worker.

An operator's usage file is read by ``connectivity.usage.import_usage``, the one code path of the
command line, the operators' API, the ``usage_ingest`` benchmark and these pages: its own fast
path (one pass, SIM lookup by chunked ``IN`` / ``= ANY``, ``COPY`` upsert on PostgreSQL) is kept
rather than rewritten as per-row engine hooks. What this module adds is the engine's job flow
around it:

- ``start_usage_import`` stores the upload as an ``ImportJob`` (``core.imports.services.
  start_import``: size, zip-bomb and width checks, header row from the first rows only), checks
  that the operator's layout finds a SIM, a usage and a period column, and asks for the dry run;
- the dry run and the commit run in the worker (``core.imports.tasks.run_import``, inline only
  for files under ``IMPORT_INLINE_MAX_BYTES``), through ``UsageSpec.run_validate`` /
  ``run_commit``, which ``core.imports.services.run_job`` calls instead of the engine's
  validate/commit for a spec that has them;
- the job page shows the progress, every row error as ``row N, column: message``, what would
  be written, and the Import button; the commit checks every row again and writes all or
  nothing (the sha256 of the file checked is required, as for every import).

There is no column-choice step: columns are found from the operator's layout
(``connectivity.usage.OPERATOR_MAPPINGS``), as on the command line.
"""

from collections import Counter

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext

from core.imports import parsers
from core.imports.engine import Field, ImportContext, ImportRejected, ImportSpec
from core.imports.readers import ReadError
from core.models import ImportJob
from connectivity.models import Sim
from connectivity.usage import COMMON_ALIASES, OPERATOR_MAPPINGS, UsageFileError, _locate_columns, import_usage, resolve_operator

_LABELS = {
    "iccid": _l("ICCID"),
    "msisdn": _l("Mobile number"),
    "usage_mb": _l("Usage (MB)"),
    "usage_gb": _l("Usage (GB)"),
    "usage_kb": _l("Usage (KB)"),
    "usage_bytes": _l("Usage (bytes)"),
    "month": _l("Month"),
    "date": _l("Date"),
}


def _aliases(column):
    names = list(COMMON_ALIASES[column])
    for mapping in OPERATOR_MAPPINGS.values():
        names += [n for n in mapping.get(column, []) if n not in names]
    return tuple(names)


class UsageSpec(ImportSpec):
    """The usage file as the import pages see it. ``fields`` only name the columns (for finding
    the header row); the reading and writing are ``connectivity.usage.import_usage``."""

    kind = "usage"
    title = _l("Data usage")
    #: no column-choice step: the operator's layout decides (core.imports.views reads this)
    column_choice = False
    #: the usage upload page, which asks for the operator too (core.imports.views reads this)
    upload_url_name = "connectivity:usage_upload"
    fields = tuple(Field(column, label, parsers.text, _aliases(column)) for column, label in _LABELS.items())
    count_labels = {
        "rows": _l("Rows read"),
        "readings": _l("Readings to write (a reading already held for the same SIM and period is replaced)"),
        "unknown": _l("Rows for SIMs we do not know or that are not in your council (not imported)"),
    }
    done_labels = {
        "readings": (_l("Readings written"), "connectivity:runout"),
        "unknown": (_l("Rows for SIMs we do not know or that are not in your council (not imported)"), ""),
    }

    def write(self, ctx):  # pragma: no cover - run_commit writes; the engine never calls this
        raise NotImplementedError

    def notes(self, job):
        """Lines for the job page under the counts: the first rows whose SIM we do not know."""
        unknown = job.options.get("unknown") or []
        if not unknown or not job.counts.get("unknown"):
            return []
        lines = [_("row %(row)s: no SIM %(key)s in your council, so it is not imported") % {"row": row, "key": key} for row, key in unknown]
        if job.counts["unknown"] > len(unknown):
            lines.append(_("… and %(n)s more rows like these.") % {"n": job.counts["unknown"] - len(unknown)})
        return lines

    # ------------------------------------------------------------------ the worker's two steps

    def run_validate(self, job, source, progress):
        return self._run(job, source, progress, dry_run=True)

    def run_commit(self, job, source, progress):
        ctx = self._run(job, source, progress, dry_run=False)
        if not ctx.ok:
            n = len(ctx.errors)
            raise ImportRejected(ngettext("The file has %(n)s error, so nothing was imported.", "The file has %(n)s errors, so nothing was imported.", n) % {"n": n}, ctx)
        return ctx

    def _run(self, job, source, progress, *, dry_run):
        sims = Sim.objects.visible_to(job.created_by).filter(local_authority=job.local_authority) if job.created_by else Sim.objects.none()
        try:
            # One transaction: a commit whose check finds an error (the database changed since
            # the dry run) or that fails midway writes nothing.
            with transaction.atomic():
                result = import_usage(
                    source, operator=job.options.get("operator", "generic"), filename=job.file_name, sims=sims, dry_run=dry_run, progress=progress
                )
                if result.errors:
                    transaction.set_rollback(True)
        except UsageFileError as exc:
            raise ReadError(exc.message) from None
        if dry_run and getattr(job, "pk", None):
            # The rows for SIMs we do not know, for the job page (``notes``); kept by this run only.
            unknown = [[row, key] for row, key in result.unknown[:UNKNOWN_SHOWN]]
            ImportJob.objects.filter(pk=job.pk, run_token=job.run_token).update(options={**job.options, "unknown": unknown})
        ctx = ImportContext(spec=self, local_authority=job.local_authority, user=job.created_by, mapping={}, committing=not dry_run, filename=job.file_name)
        ctx.total_rows = result.rows
        ctx.errors = sorted((_as_dict(e) for e in result.errors), key=lambda e: e["row"])
        ctx.counts = Counter({"rows": result.rows, "readings": result.written, "unknown": result.unknown_count})
        return ctx


def _as_dict(error):
    if hasattr(error, "as_dict"):
        return error.as_dict()
    return {"row": 0, "column": "", "message": str(error)}


SPEC = UsageSpec()
UNKNOWN_SHOWN = 200


def start_usage_import(*, user, operator, upload):
    """Store an operator's usage file as an import job and ask for its dry run.

    Refused with ``ReadError`` (nothing stored) when the file is too big, not a spreadsheet, a
    zip bomb, too wide, or has no SIM, usage or period column in the operator's layout; only
    the first rows are read here. The dry run runs in the worker (inline for small files).
    """
    from core.imports import services

    if not user.local_authority_id:
        raise ReadError(_("Your account is not linked to a council, so you cannot import."))
    try:
        operator = resolve_operator(operator)
    except UsageFileError as exc:
        raise ReadError(exc.message) from None
    with transaction.atomic():
        job = services.start_import(user=user, local_authority=user.local_authority, kind=SPEC.kind, upload=upload)
        try:
            _locate_columns(job.options.get("headers", []), operator)
        except UsageFileError as exc:
            job.file.delete(save=False)
            job.delete()
            raise ReadError(exc.message) from None
        job.options = {**job.options, "operator": operator}
        job.mapping = {}
        job.save(update_fields=["options", "mapping"])
        return services.request_dry_run(job=job, user=user)


__all__ = ["SPEC", "UsageSpec", "start_usage_import"]
