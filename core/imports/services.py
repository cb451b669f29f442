"""Import jobs: upload -> column mapping -> dry run -> commit, with retry and error download.

Guarantees:

- A commit runs only on a job whose dry run found no errors and whose stored file still has
  the sha256 that the dry run validated (``request_commit`` refuses otherwise, with a message).
- The commit validates again and writes in one transaction (``engine.commit``): an error, an
  exception or a killed worker leaves nothing half-written. A clean dry run keeps its parsed
  rows next to the file (``prepared_path``), so the commit checks those again against the
  database instead of reading and parsing the file twice; they are used only for the same
  file bytes, sheet, mapping and LA, and deleted by the commit or any change to the job.
- Each run carries a fresh ``run_token``; only the task holding the job's current token may
  change it, so a retried job's abandoned task cannot interfere.
- A job stuck in "checking" or "importing" whose task stopped reporting for
  ``IMPORT_STALE_SECONDS`` (default 300), or a failed job, can be retried.
- Small files (under ``IMPORT_INLINE_MAX_BYTES``, default 512 KB) run inside the request;
  bigger ones run in the background worker (``core.imports.tasks.run_import``).
- A spec that keeps a fast path of its own (``connectivity.usage_imports.UsageSpec``) defines
  ``run_validate(job, file, progress)`` / ``run_commit(...)`` returning an ``ImportContext``
  (``run_commit`` raising ``ImportRejected`` on row errors); ``run_job`` calls them instead of
  ``engine.validate`` / ``engine.commit``, and everything else (tokens, heartbeats, sha256
  checks, stored errors, retry) is the same.
"""

from __future__ import annotations

import datetime
import hashlib
import logging
import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import neutralise
from core.imports import engine
from core.imports.readers import ReadError, sheet_names
from core.imports.registry import get_spec
from core.models import ColumnMapping, ImportJob

logger = logging.getLogger(__name__)

S = ImportJob.Status


class ImportActionRefused(Exception):
    """A request the job's state does not allow; ``message`` says why, for the user."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _setting(name, default):
    return getattr(settings, name, default)


def file_sha256(job):
    """sha256 of the job's stored file as it is now ("" when the file is gone)."""
    try:
        with job.file.open("rb") as f:
            return hashlib.file_digest(f, "sha256").hexdigest()
    except (OSError, ValueError):
        return ""


def prepared_path(job):
    """Where a clean dry run keeps its parsed rows for the commit (``core.imports.prepared``):
    next to the job's stored file, or ``None`` when the storage has no local path."""
    try:
        return f"{job.file.path}.prepared" if job.file else None
    except (NotImplementedError, ValueError):
        return None


def _discard_prepared(job):
    from core.imports import prepared

    path = prepared_path(job)
    if path:
        prepared.discard(path)


def remembered_mapping(local_authority, kind):
    row = ColumnMapping.objects.filter(local_authority=local_authority, kind=kind).first()
    return dict(row.mapping) if row else {}


# --------------------------------------------------------------------------- upload and mapping


@dataclass
class FoundSheet:
    headers: list
    sheet_name: str
    sheet_names: list
    header_row: int


def find_sheet(spec, source, *, filename, sheet=None, remembered=None):
    """The sheet to read and its header row: ``sheet`` if given, else the first sheet whose
    header row we recognise. Reads only the first rows. Raises ``ReadError``. The page and the
    commands both call this, so they read the same sheet and the same headings."""
    try:
        return _read_headers(spec, source, filename, sheet, remembered)
    except ReadError as exc:
        # No header on the first sheet: use the first other sheet that has one.
        others = sheet_names(source, filename=filename)[1:] if exc.code == "no_header" and not sheet else []
        for other in others:
            try:
                return _read_headers(spec, source, filename, other, remembered)
            except ReadError:
                continue
        raise


def resolve_mapping(spec, headers, local_authority, overrides=None):
    """The mapping the page proposes (the LA's remembered choices, then the headings we know),
    with ``overrides`` (field -> heading, "" to leave a field unread) applied on top.
    Returns ``(mapping, remembered)``."""
    remembered = remembered_mapping(local_authority, spec.kind)
    mapping = engine.guess_mapping(spec, headers, remembered)
    for name, header in (overrides or {}).items():
        if header:
            mapping = {k: v for k, v in mapping.items() if v != header}
            mapping[name] = header
        else:
            mapping.pop(name, None)
    return engine.clean_mapping(spec, headers, mapping), remembered


def start_import(*, user, local_authority, kind, upload, sheet=""):
    """Check the uploaded file can be read, store it, and guess the column mapping.

    Raises ``ReadError`` (nothing stored) when the file is refused: too big, empty, not a
    spreadsheet, a zip bomb, too wide, no header row found. Only the first rows are read.
    """
    spec = get_spec(kind)
    remembered = remembered_mapping(local_authority, kind)
    name = os.path.basename(getattr(upload, "name", "") or "upload")[:255]
    found = find_sheet(spec, upload, filename=name, sheet=sheet, remembered=remembered)
    headers, sheet_name, names = found.headers, found.sheet_name, found.sheet_names
    f = getattr(upload, "file", upload)
    f.seek(0)
    digest = hashlib.file_digest(f, "sha256").hexdigest()
    f.seek(0)
    job = ImportJob(
        kind=kind,
        local_authority=local_authority,
        created_by=user,
        file_name=name,
        file_sha256=digest,
        sheet_name=sheet_name,
        mapping=engine.guess_mapping(spec, headers, remembered),
        options={"headers": headers, "sheet_names": names},
        status=S.UPLOADED,
    )
    try:
        job.file.save(_safe_storage_name(name), upload, save=False)
    except OSError as exc:
        # A full or failing disk: say so, store no job, and let the user try again.
        logger.error("import upload could not be stored: %s", exc)
        raise ReadError(_("We could not store your file just now, so nothing was saved. Try again in a few minutes."), code="storage") from None
    job.save()
    return job


def _read_headers(spec, upload, name, sheet, remembered):
    with engine.open_headers_for_spec(spec, upload, filename=name, sheet=sheet, mapping=remembered) as sheet_:
        return FoundSheet(sheet_.headers, sheet_.sheet_name, sheet_.sheet_names, sheet_.header_row)


def _safe_storage_name(name):
    base, ext = os.path.splitext(name)
    ext = ext.lower() if ext.lower() in (".csv", ".xlsx", ".txt") else ".dat"
    return f"{uuid.uuid4().hex}{ext}"


def choose_sheet(*, job, user, sheet):
    """Read another worksheet of the same XLSX file; the mapping is guessed again."""
    _require_editable(job)
    spec = get_spec(job.kind)
    remembered = remembered_mapping(job.local_authority, job.kind)
    with engine.open_headers_for_spec(spec, job.file.path, filename=job.file_name, sheet=sheet, mapping=remembered) as sheet_:
        headers = sheet_.headers
        job.sheet_name = sheet_.sheet_name
    job.options = {**job.options, "headers": headers}
    job.mapping = engine.guess_mapping(spec, headers, remembered)
    _reset(job)
    job.save()
    return job


def save_mapping(*, job, user, mapping):
    """Store the user's column choices on the job and remember them for the LA."""
    _require_editable(job)
    spec = get_spec(job.kind)
    headers = job.options.get("headers", [])
    job.mapping = engine.clean_mapping(spec, headers, mapping)
    _reset(job)
    job.save()
    ColumnMapping.objects.update_or_create(local_authority=job.local_authority, kind=job.kind, defaults={"mapping": job.mapping})
    return job


def _require_editable(job):
    if job.status not in (S.UPLOADED, S.INVALID, S.VALID, S.FAILED):
        raise ImportActionRefused(_("This import is running or finished, so it cannot be changed."))


def _reset(job):
    _discard_prepared(job)  # a new sheet or mapping: the kept dry run is not this one's
    job.status = S.UPLOADED
    job.validated_sha256 = ""
    job.errors = []
    job.error_count = 0
    job.counts = {}
    job.rows_done = 0
    job.message = ""


# --------------------------------------------------------------------------- dry run and commit


def request_dry_run(*, job, user):
    """Check every row (in the request for small files, else in the background)."""
    _require_editable(job)
    return _start(job, "dry_run", S.VALIDATING)


def request_commit(*, job, user):
    """Import a checked file. Refused unless the dry run found no errors and the file is unchanged."""
    if job.status != S.VALID or job.error_count:
        raise ImportActionRefused(_("Only a file whose check found no errors can be imported. Check the file first."))
    if not job.validated_sha256 or file_sha256(job) != job.validated_sha256:
        raise ImportActionRefused(_("The file has changed since it was checked. Check it again before importing."))
    return _start(job, "commit", S.COMMITTING)


def can_retry(job, now=None):
    """Failed jobs, and jobs whose running task stopped reporting, may be run again."""
    if job.status == S.FAILED:
        return True
    if job.status in (S.VALIDATING, S.COMMITTING):
        now = now or timezone.now()
        stale = datetime.timedelta(seconds=_setting("IMPORT_STALE_SECONDS", 300))
        return job.heartbeat_at is None or now - job.heartbeat_at > stale
    return False


def retry(*, job, user):
    """Run a failed or abandoned job's last step again (a commit re-validates first)."""
    if not can_retry(job):
        raise ImportActionRefused(_("This import is still running. Wait for it to finish, or try again later."))
    action = job.options.get("action", "dry_run")
    if action == "commit" and job.validated_sha256:
        if file_sha256(job) != job.validated_sha256:
            raise ImportActionRefused(_("The file has changed since it was checked. Check it again before importing."))
        return _start(job, "commit", S.COMMITTING)
    return _start(job, "dry_run", S.VALIDATING)


def _start(job, action, status):
    token = uuid.uuid4().hex
    job.status = status
    job.run_token = token
    job.heartbeat_at = timezone.now()
    job.rows_done = 0
    job.message = ""
    job.options = {**job.options, "action": action}
    job.save()
    if job.file.size <= _setting("IMPORT_INLINE_MAX_BYTES", 512 * 1024):
        run_job(job.pk, action, token)
    else:
        from core.imports.tasks import run_import

        def enqueue():
            result = run_import.enqueue(job.pk, action, token)
            ImportJob.objects.filter(pk=job.pk, run_token=token).update(task_id=str(result.id)[:64])

        transaction.on_commit(enqueue)
    job.refresh_from_db()
    return job


def run_job(job_id, action, token):
    """Do one dry run or commit for a job; called inline or by the background task.

    Returns a short outcome word. Only the run holding the job's current token acts.
    """
    job = ImportJob.objects.select_related("local_authority", "created_by").filter(pk=job_id).first()
    if job is None or job.run_token != token:
        return "superseded"
    spec = get_spec(job.kind)
    live = ImportJob.objects.filter(pk=job.pk, run_token=token)

    def progress(n, total=None):
        fields = {"rows_done": n, "heartbeat_at": timezone.now()}
        if total is not None:
            fields["total_rows"] = total
        live.update(**fields)

    live.update(heartbeat_at=timezone.now())
    kwargs = {
        "local_authority": job.local_authority,
        "user": job.created_by,
        "mapping": job.mapping,
        "sheet": job.sheet_name or None,
        "filename": job.file_name,
        "progress": progress,
        "prepared": prepared_path(job),
    }
    try:
        digest = file_sha256(job)
        if not digest:
            return _finish(live, status=S.FAILED, message=_("The uploaded file is no longer stored. Upload it again."))
        if action != "commit":
            _discard_prepared(job)  # a new dry run: only its own result may be kept
        if action == "commit":
            if digest != job.validated_sha256:
                _discard_prepared(job)
                return _finish(live, status=S.INVALID, validated_sha256="", message=_("The file has changed since it was checked. Check it again before importing."))
            with job.file.open("rb") as f:
                if hasattr(spec, "run_commit"):  # a spec with a fast path of its own (usage)
                    ctx = spec.run_commit(job, f, progress)
                else:
                    ctx = engine.commit(spec, f, before_write=_same_as_checked(job, spec, progress), job=job, **kwargs)
            return _finish(
                live,
                status=S.DONE,
                counts=dict(ctx.counts),
                total_rows=ctx.total_rows,
                rows_done=ctx.total_rows,
                finished_at=timezone.now(),
                message=_("Imported %(n)s rows.") % {"n": ctx.total_rows},
            )
        with job.file.open("rb") as f:
            ctx = spec.run_validate(job, f, progress) if hasattr(spec, "run_validate") else engine.validate(spec, f, **kwargs)
        return _store_result(live, ctx, digest)
    except ChangedSinceCheck as exc:
        _discard_prepared(job)
        return _finish(live, status=S.INVALID, validated_sha256="", errors=[], error_count=0, counts=exc.counts, message=exc.message)
    except engine.ImportRejected as exc:
        return _store_result(live, exc.ctx, "", message=exc.message)
    except ReadError as exc:
        # The whole file is refused (too many rows, unreadable): an error, not a crash to retry.
        return _finish(live, status=S.INVALID, validated_sha256="", errors=[], error_count=0, counts={}, message=exc.message)
    except Exception:
        logger.exception("import job %s (%s) failed", job_id, action)
        return _finish(
            live,
            status=S.FAILED,
            message=_("Something went wrong while importing, so nothing was written. Try again; if it fails again, contact support."),
        )


class ChangedSinceCheck(Exception):
    """The commit's second check found the file would now do something else than the dry run
    the officer confirmed (a child created by another import since: an update, not an add)."""

    def __init__(self, message, counts):
        super().__init__(message)
        self.message, self.counts = message, counts


def _same_as_checked(job, spec, progress):
    """``before_write`` for a commit: refuse, writing nothing, when the commit's check counts
    differ from those of the dry run the officer saw and confirmed (``job.counts``). A row
    that has changed meaning (a reference taken by another import between the two: an add
    would become an update) is then checked again by a person, not written as something else."""

    def check(ctx):
        progress(ctx.total_rows)
        checked = {k: v for k, v in (job.counts or {}).items() if v}
        now = {k: v for k, v in ctx.counts.items() if v}
        if not checked or now == checked:
            return
        labels = getattr(spec, "count_labels", {}) or {}
        changes = "; ".join(
            _("%(what)s: %(then)s when checked, %(now)s now") % {"what": labels.get(key, key), "then": checked.get(key, 0), "now": now.get(key, 0)}
            for key in sorted(set(checked) | set(now)) if checked.get(key, 0) != now.get(key, 0)
        )
        raise ChangedSinceCheck(
            _("The records this file changes have changed since it was checked (%(changes)s), so nothing was imported. Check the file again.") % {"changes": changes},
            dict(ctx.counts),
        )

    return check


def _store_result(live, ctx, digest, message=""):
    cap = _setting("IMPORT_MAX_STORED_ERRORS", 10_000)
    return _finish(
        live,
        status=S.INVALID if ctx.errors else S.VALID,
        errors=ctx.errors[:cap],
        error_count=len(ctx.errors),
        counts=dict(ctx.counts),
        total_rows=ctx.total_rows,
        rows_done=ctx.total_rows,
        validated_sha256=digest if not ctx.errors else "",
        message=message,
    )


def _finish(live, **fields):
    fields.setdefault("heartbeat_at", timezone.now())
    live.update(**fields)
    return str(fields.get("status"))


# --------------------------------------------------------------------------- error download


def write_errors_workbook(job, path):
    """The uploaded sheet as XLSX with an "Errors" column; title rows kept so row numbers match."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    spec = get_spec(job.kind)
    by_row = {}
    for e in job.errors:
        text = f"{e['column']}: {e['message']}" if e.get("column") else e["message"]
        by_row.setdefault(e["row"], []).append(text)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=(job.sheet_name or _("Errors"))[:31])
    bold = Font(bold=True)

    def cells(values, bold_font=False):
        out = []
        for v in values:
            v = neutralise(v)
            c = WriteOnlyCell(ws, value=v)
            if isinstance(v, str) and v.startswith("'"):
                c.data_type = "s"
            if isinstance(v, datetime.datetime):
                c.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(v, datetime.date):
                c.number_format = "dd/mm/yyyy"
            if bold_font:
                c.font = bold
            out.append(c)
        return out

    with job.file.open("rb") as f, engine.open_for_spec(spec, f, filename=job.file_name, sheet=job.sheet_name or None, mapping=job.mapping) as sheet_:
        written = 0
        for values in sheet_.preamble:
            ws.append(cells(values))
            written += 1
        while written < sheet_.header_row - 1:
            ws.append([])
            written += 1
        ws.append(cells([*sheet_.headers, _("Errors")], bold_font=True))
        written += 1
        header_errors = by_row.get(sheet_.header_row)
        for number, values in sheet_.rows():
            while written < number - 1:
                ws.append([])
                written += 1
            ws.append(cells([*values, "; ".join(by_row.get(number, []))]))
            written += 1
        if header_errors:
            ws.append([])
            ws.append(cells([_("Problems with the columns:"), "; ".join(header_errors)]))
    wb.save(path)
    return path
