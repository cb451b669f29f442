"""The usage upload runs in the worker on an import job (issue 15, finding 1): the upload
returns at once, the dry run and the commit happen in the task, every row error is reported as
``row N, column: message``, nothing is written on error, and a spreadsheet whose sheet
expands hugely is processed in bounded memory (peak RSS measured in a subprocess)."""

import os
import subprocess
import sys
import textwrap
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from core.models import ImportJob
from core.tests.test_imports_memory import CONTENT_TYPES, RELS, WB_RELS, WORKBOOK
from connectivity.models import UsageReading
from connectivity.tests.factories import SimFactory

pytestmark = pytest.mark.django_db

ICCID = "89441000000000000018"  # a valid check digit; no SIM has it unless a test makes one


@pytest.fixture
def sims(la, other_la):
    return {
        "a": SimFactory(local_authority=la, iccid=ICCID),
        "b": SimFactory(local_authority=la, iccid="89441000000000000026"),
        "other": SimFactory(local_authority=other_la, iccid="89441000000000000034"),
    }


def upload(text, name="usage.csv"):
    return SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text)


def post(client, data, operator="vodafone", name="usage.csv"):
    return client.post(reverse("connectivity:usage_upload"), {"operator": operator, "file": upload(data, name)})


def test_upload_returns_at_once_and_the_worker_checks_then_imports(officer_client, sims, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_INLINE_MAX_BYTES = 0  # every file to the worker, as big files go
    text = f"ICCID,Usage (MB),Month\n{ICCID},500,2026-03\n{sims['b'].iccid},20,2026-03\n{sims['other'].iccid},7,2026-03\n"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post(officer_client, text)
    job = ImportJob.objects.get(kind="usage")
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    # Nothing was read in the request: the job waits for the worker.
    assert job.status == "validating" and job.counts == {} and job.options["operator"] == "vodafone" and len(queued) == 1
    page = officer_client.get(job.get_absolute_url()).content.decode()
    assert "Checking every row" in page and "the import carries on" in page
    queued[0]()  # the worker runs the task (the immediate backend runs it as it is enqueued)
    job.refresh_from_db()
    assert job.status == "valid" and job.counts == {"rows": 3, "readings": 2, "unknown": 1} and job.total_rows == 3
    assert UsageReading.objects.count() == 0
    page = officer_client.get(job.get_absolute_url()).content.decode()
    assert "Every row was checked and has no errors." in page and "Check the file" not in page  # no column step

    with django_capture_on_commit_callbacks(execute=False) as queued:
        officer_client.post(reverse("core:import_commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "committing" and UsageReading.objects.count() == 0
    queued[0]()
    job.refresh_from_db()
    assert job.status == "done" and job.counts["readings"] == 2
    assert dict(UsageReading.objects.values_list("sim__iccid", "mb_used")) == {ICCID: 500.0, sims["b"].iccid: 20.0}
    assert "Readings written" in officer_client.get(job.get_absolute_url()).content.decode()


def test_every_row_error_is_reported_and_nothing_is_written(officer_client, sims, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_INLINE_MAX_BYTES = 0
    text = (
        f"ICCID,Usage (MB),Month\n{ICCID},lots,2026-03\n89441000000000000017,5,2026-03\n"
        f"{sims['b'].iccid},5,never\n{sims['b'].iccid},-1,2026-04\n{ICCID},3,2026-05\n{ICCID},4,2026-05\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post(officer_client, text)
    job = ImportJob.objects.get(kind="usage")
    assert job.status == "invalid" and job.error_count == 4
    lines = [f"row {e['row']}, {e['column']}: {e['message']}" for e in job.errors]
    assert lines[0] == "row 2, Usage (MB): “lots” is not a number."
    assert [line.split(":")[0] for line in lines] == ["row 2, Usage (MB)", "row 3, ICCID", "row 4, Month", "row 5, Usage (MB)"]
    page = officer_client.get(response.url).content.decode()
    assert "row 2, Usage (MB): “lots” is not a number." in page and "Nothing has been imported." in page
    assert "Every row was checked" not in page
    refused = officer_client.post(reverse("core:import_commit", args=[job.pk]), follow=True).content.decode()
    assert "Only a file whose check found no errors can be imported." in refused
    assert UsageReading.objects.count() == 0
    # The download of the sheet with an Errors column works for usage files too.
    assert officer_client.get(reverse("core:import_errors", args=[job.pk])).status_code == 200


def test_the_commit_checks_again_and_writes_all_or_nothing(officer_client, sims, settings, django_capture_on_commit_callbacks):
    settings.IMPORT_INLINE_MAX_BYTES = 0
    text = f"ICCID,Usage (MB),Month\n{ICCID},500,2026-03\n{sims['b'].iccid},20,2026-03\n"
    with django_capture_on_commit_callbacks(execute=True):
        post(officer_client, text)
    job = ImportJob.objects.get(kind="usage")
    assert job.status == "valid"
    sims["b"].delete()  # the database changed since the dry run: that row is now unknown, not a crash
    UsageReading.objects.create(sim=sims["a"], period="2026-04-01", granularity="month", mb_used=1)
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("core:import_commit", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == "done" and job.counts == {"rows": 2, "readings": 1, "unknown": 1}

    # A failure while writing leaves nothing written and the job can be run again.
    from connectivity import usage

    with django_capture_on_commit_callbacks(execute=True):
        post(officer_client, f"ICCID,Usage (MB),Month\n{ICCID},9,2026-06\n", name="second.csv")
    second = ImportJob.objects.filter(kind="usage").order_by("-pk").first()
    original = usage._upsert

    def boom(*args, **kwargs):
        raise RuntimeError("the worker lost its database connection")

    usage._upsert = boom
    try:
        with django_capture_on_commit_callbacks(execute=True):
            officer_client.post(reverse("core:import_commit", args=[second.pk]))
    finally:
        usage._upsert = original
    second.refresh_from_db()
    assert second.status == "failed" and "nothing was written" in second.message
    assert not UsageReading.objects.filter(period="2026-06-01").exists()
    with django_capture_on_commit_callbacks(execute=True):
        officer_client.post(reverse("core:import_retry", args=[second.pk]))
    second.refresh_from_db()
    assert second.status == "done" and UsageReading.objects.get(period="2026-06-01").mb_used == 9


def test_files_refused_at_upload_store_no_job(officer_client, users, client):
    for data, name, message in [
        ("ICCID,Month\n89441000000000000018,2026-03\n", "u.csv", "a usage column"),
        (b"PK\x03\x04 not a zip", "u.xlsx", ""),
        ("", "empty.csv", ""),
    ]:
        response = post(officer_client, data, name=name)
        assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
        assert message in response.content.decode()
    assert ImportJob.objects.count() == 0
    # An admin without a council is told why, and nothing is stored.
    client.force_login(users["admin"])
    response = post(client, "ICCID,Usage (MB),Month\n89441000000000000018,1,2026-03\n")
    assert "not linked to a council" in response.content.decode() and ImportJob.objects.count() == 0


def test_usage_jobs_are_scoped_and_the_chooser_sends_usage_to_its_page(officer_client, users, client, sims):
    post(officer_client, f"ICCID,Usage (MB),Month\n{ICCID},500,2026-03\n")
    job = ImportJob.objects.get(kind="usage")
    response = officer_client.get(reverse("core:import_upload") + "?kind=usage")
    assert response.status_code == 302 and response.url == reverse("connectivity:usage_upload")
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role="council_officer", local_authority=sims["other"].local_authority))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert client.post(reverse("core:import_commit", args=[job.pk])).status_code == 404
    assert UsageReading.objects.count() == 0


# --------------------------------------------------------------------------- memory bombs


def usage_bomb(path, rows, width=40):
    """A valid XLSX usage file whose sheet expands ~100x (under the zip-bomb ratio): ICCID, usage
    and month on every row, then numbers. Every row is for a SIM nobody has."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr("_rels/.rels", RELS)
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", WB_RELS)
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>')
            names = ["ICCID", "Usage (MB)", "Month"] + [f"Extra {i}" for i in range(width - 3)]
            head = "".join(f'<c t="inlineStr"><is><t>{name}</t></is></c>' for name in names)
            sheet.write(f'<row r="1">{head}</row>'.encode())
            cells = f'<c t="inlineStr"><is><t>{ICCID}</t></is></c><c><v>12.5</v></c><c t="inlineStr"><is><t>2026-03</t></is></c>'
            cells += "".join(f"<c><v>{i % 7}</v></c>" for i in range(width - 3))
            for r in range(2, rows + 2):
                sheet.write(f'<row r="{r}">{cells}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet1.xml")
        return info.file_size, info.compress_size


def test_a_memory_bomb_upload_returns_at_once_and_the_worker_reads_it(officer_client, settings, tmp_path, django_capture_on_commit_callbacks):
    path = tmp_path / "bomb.xlsx"
    size, packed = usage_bomb(path, rows=3000)
    assert size / packed > 50
    settings.IMPORT_CALAMINE_MAX_XML_BYTES = 1024 * 1024  # scaled down with the file: streamed
    settings.IMPORT_INLINE_MAX_BYTES = 0  # a real bomb (3.4 MB) is over the inline limit
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post(officer_client, path.read_bytes(), operator="generic", name="bomb.xlsx")
    job = ImportJob.objects.get(kind="usage")
    assert response.status_code == 302 and job.status == "validating" and job.rows_done == 0 and len(queued) == 1
    queued[0]()
    job.refresh_from_db()
    assert job.status == "valid" and job.counts == {"rows": 3000, "readings": 0, "unknown": 3000}


PEAK_SCRIPT = textwrap.dedent(
    """
    import os, sys, types, django
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    django.setup()
    from django.conf import settings
    settings.IMPORT_MAX_BYTES = 10**9
    settings.IMPORT_CALAMINE_MAX_XML_BYTES = {cap}
    from core.imports.services import find_sheet
    from connectivity.usage_imports import SPEC

    def hwm():
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    base = hwm()
    with open(sys.argv[1], "rb") as f:  # what the upload request reads: the header row only
        found = find_sheet(SPEC, f, filename="bomb.xlsx")
    assert found.headers[:3] == ["ICCID", "Usage (MB)", "Month"], found.headers[:3]
    after_headers = hwm()
    job = types.SimpleNamespace(created_by=None, local_authority=None, options={{"operator": "generic"}}, file_name="bomb.xlsx")
    seen = []
    with open(sys.argv[1], "rb") as f:  # what the worker's task runs: the whole dry run
        ctx = SPEC.run_validate(job, f, lambda n, total=None: seen.append(n))
    print(base, after_headers, hwm(), ctx.total_rows, ctx.counts["unknown"], len(ctx.errors), len(seen))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads VmHWM from /proc")
def test_a_memory_bomb_is_processed_in_bounded_memory_on_the_usage_path(tmp_path):
    path = tmp_path / "bomb.xlsx"
    size, packed = usage_bomb(path, rows=25_000)
    assert size > 16 * 1024 * 1024 and size / packed < 200  # expands ~100x, under the zip-bomb ratio
    # The script runs no query, but the import's transaction opens a connection: a scratch
    # SQLite file, whichever database the tests use.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'scratch.sqlite3'}"}
    run = subprocess.run(
        [sys.executable, "-c", PEAK_SCRIPT.format(cap=4 * 1024 * 1024), str(path)],
        capture_output=True, text=True, cwd=settings.BASE_DIR, timeout=600, env=env,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = run.stdout.split()
    base, after_headers, after_rows, rows, unknown, errors, progress_calls = (int(x) for x in out)
    assert (rows, unknown, errors) == (25_000, 25_000, 0) and progress_calls >= 5
    assert after_headers - base < 20  # MB: the upload reads the first rows only
    assert after_rows - base < 40  # MB: the worker streams the sheet instead of holding it


def test_the_upload_reads_only_the_start_of_a_sheet_without_dimensions(officer_client, settings, tmp_path, django_capture_on_commit_callbacks):
    """openpyxl parsed a whole sheet written without <dimension> just to open it (4 s of CPU in
    the request for a 17 MB sheet). Shown without timing: a sheet whose XML breaks after its
    first rows opens for the header row (the upload is accepted, so nothing past the start was
    parsed); the worker, which reads every row, then reports the file as unreadable."""
    path = tmp_path / "broken.xlsx"
    usage_bomb(path, rows=200)
    with zipfile.ZipFile(path) as z:
        parts = {name: z.read(name) for name in z.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"]
    cut = sheet.index(b'<row r="150">')
    parts["xl/worksheets/sheet1.xml"] = sheet[:cut] + b"<row r=<<not xml at all"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    settings.IMPORT_INLINE_MAX_BYTES = 0
    settings.IMPORT_XLSX_READER = "openpyxl"
    with django_capture_on_commit_callbacks(execute=False) as queued:
        response = post(officer_client, path.read_bytes(), operator="generic", name="broken.xlsx")
    job = ImportJob.objects.get(kind="usage")
    assert response.status_code == 302 and job.status == "validating"
    queued[0]()
    job.refresh_from_db()
    assert job.status in ("invalid", "failed") and job.message and UsageReading.objects.count() == 0
    assert officer_client.get(job.get_absolute_url()).status_code == 200
