"""Import jobs: services and pages (stale dry runs, dying workers, retry, mapping memory,
scoping, error downloads, background progress)."""

import datetime
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from core.imports import services
from core.imports.testing import csv_bytes, upload, xlsx_bytes
from core.models import ColumnMapping, ImportJob
from devices.models import Device, DeviceEvent
from devices.tests.factories import DeviceFactory

HEADER = ["Kind", "Make", "Serial", "Delivery date"]
GOOD = [HEADER, ["laptop", "Dell", "S-1", "01/02/2021"], ["laptop", "Dell", "S-2", "01/02/2021"]]


def start(officer, rows=GOOD, name="m.xlsx", data=None):
    return services.start_import(user=officer, local_authority=officer.local_authority, kind="delivery", upload=upload(data or xlsx_bytes(rows), name))


def checked(officer, rows=GOOD, **kwargs):
    job = start(officer, rows, **kwargs)
    return services.request_dry_run(job=job, user=officer)


def test_dry_run_then_commit(officer):
    job = checked(officer)
    assert job.status == "valid" and job.validated_sha256 == job.file_sha256 and job.total_rows == 2
    assert Device.objects.count() == 0
    job = services.request_commit(job=job, user=officer)
    assert job.status == "done" and job.finished_at and job.counts["devices"] == 2
    assert Device.objects.count() == 2


def test_commit_refused_without_clean_dry_run(officer):
    job = start(officer)
    with pytest.raises(services.ImportActionRefused):
        services.request_commit(job=job, user=officer)
    bad = checked(officer, [HEADER, ["laptop", "Dell", "S-1", "not a date"]])
    assert bad.status == "invalid" and bad.error_count == 1
    with pytest.raises(services.ImportActionRefused, match="no errors"):
        services.request_commit(job=bad, user=officer)
    assert Device.objects.count() == 0


def test_stale_dry_run_refused(officer):
    job = checked(officer)
    with open(job.file.path, "wb") as f:
        f.write(xlsx_bytes([HEADER, ["laptop", "Dell", "S-9", "01/02/2021"]]))
    with pytest.raises(services.ImportActionRefused, match="changed since it was checked"):
        services.request_commit(job=job, user=officer)
    job.refresh_from_db()
    assert job.status == "valid" and Device.objects.count() == 0


def test_database_changed_since_dry_run_rejects_commit(officer):
    job = checked(officer)
    DeviceFactory(serial="S-2", local_authority=officer.local_authority)
    job = services.request_commit(job=job, user=officer)
    assert job.status == "invalid" and job.errors[0]["row"] == 3
    assert not Device.objects.filter(serial="S-1").exists()


def test_exception_mid_commit_writes_nothing_and_job_can_be_rerun(officer, monkeypatch):
    job = checked(officer)
    original = DeviceEvent.objects.bulk_create

    def boom(*args, **kwargs):
        raise RuntimeError("worker lost its database connection")

    monkeypatch.setattr(DeviceEvent.objects, "bulk_create", boom)
    job = services.request_commit(job=job, user=officer)
    assert job.status == "failed" and "nothing was written" in job.message
    assert Device.objects.count() == 0
    assert services.can_retry(job)
    monkeypatch.setattr(DeviceEvent.objects, "bulk_create", original)
    job = services.retry(job=job, user=officer)
    assert job.status == "done" and Device.objects.count() == 2


def test_worker_killed_mid_commit_leaves_nothing_and_stuck_job_can_be_retried(officer, settings, monkeypatch, django_capture_on_commit_callbacks):
    """The background path: the task dies (SystemExit, as when the worker is killed) inside
    the write transaction. Nothing is written, the job stays "importing" until its heartbeat
    is stale, then it can be retried."""
    settings.IMPORT_INLINE_MAX_BYTES = 0  # force the background task
    job = start(officer)
    with django_capture_on_commit_callbacks(execute=True):
        job = services.request_dry_run(job=job, user=officer)
    job.refresh_from_db()
    assert job.status == "valid" and job.task_id

    from devices.imports import SPEC

    def killed(ctx):
        Device.objects.create(serial="HALF-WRITTEN", kind="laptop", local_authority=officer.local_authority)
        raise SystemExit("killed")

    monkeypatch.setattr(SPEC, "write", killed)
    with django_capture_on_commit_callbacks(execute=True):
        services.request_commit(job=job, user=officer)
    job.refresh_from_db()
    assert job.status == "committing"
    assert Device.objects.count() == 0
    assert not services.can_retry(job)  # heartbeat is fresh: it might still be running
    with pytest.raises(services.ImportActionRefused):
        services.retry(job=job, user=officer)
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    job.refresh_from_db()
    assert services.can_retry(job)
    monkeypatch.undo()
    settings.IMPORT_INLINE_MAX_BYTES = 0
    with django_capture_on_commit_callbacks(execute=True):
        services.retry(job=job, user=officer)
    job.refresh_from_db()
    assert job.status == "done" and Device.objects.count() == 2 and job.rows_done == 2


def test_superseded_task_does_nothing(officer):
    job = start(officer)
    assert services.run_job(job.pk, "dry_run", "not-the-token") == "superseded"
    job.refresh_from_db()
    assert job.status == "uploaded"


def test_mapping_remembered_per_la(officer, other_la):
    rows = [["Type", "Maker", "Device ID", "Arrived"], ["laptop", "Dell", "S-1", "01/02/2021"]]
    job = start(officer, rows)
    assert "serial" not in job.mapping
    services.save_mapping(job=job, user=officer, mapping={"kind": "Type", "make": "Maker", "serial": "Device ID", "delivered_on": "Arrived"})
    assert ColumnMapping.objects.get(local_authority=officer.local_authority, kind="delivery").mapping["serial"] == "Device ID"
    again = start(officer, rows)
    assert again.mapping == {"kind": "Type", "make": "Maker", "serial": "Device ID", "delivered_on": "Arrived"}
    assert services.request_dry_run(job=again, user=officer).status == "valid"
    from accounts.tests.factories import UserFactory

    elsewhere = UserFactory(role="council_officer", local_authority=other_la)
    assert "serial" not in start(elsewhere, rows).mapping


def test_errors_download_is_the_original_sheet_with_errors_column(officer_client, officer):
    rows = [HEADER, ["laptop", "=HYPERLINK(\"http://x\")", "S-1", "01/02/2021"], ["laptop", "Dell", "S-2", "32/01/2021"]]
    job = checked(officer, rows, data=csv_bytes([["Manifest"], *rows]), name="m.csv")
    assert job.errors == [{"row": 4, "column": "Delivery date", "message": job.errors[0]["message"]}]
    response = officer_client.get(f"/imports/{job.pk}/errors.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    values = list(ws.values)
    assert values[0][0] == "Manifest"
    assert list(values[1]) == [*HEADER, "Errors"]
    assert values[2][1] == "'=HYPERLINK(\"http://x\")"  # formula neutralised
    assert values[3][4].startswith("Delivery date: ")


def test_pages_scoped_and_query_counts(client, officer, other_la, django_assert_max_num_queries):
    from accounts.tests.factories import UserFactory

    mine = checked(officer)
    other_officer = UserFactory(role="council_officer", local_authority=other_la)
    theirs = checked(other_officer, [HEADER, ["laptop", "Dell", "T-1", "01/02/2021"]])
    for _ in range(5):
        checked(officer)
    client.force_login(officer)
    with django_assert_max_num_queries(8):
        listing = client.get("/imports/")
    assert listing.status_code == 200 and b"m.xlsx" in listing.content
    assert f"/imports/{theirs.pk}/".encode() not in listing.content
    with django_assert_max_num_queries(8):
        assert client.get(f"/imports/{mine.pk}/").status_code == 200
    for url in (f"/imports/{theirs.pk}/", f"/imports/{theirs.pk}/errors.xlsx"):
        assert client.get(url).status_code == 404
    for url in (f"/imports/{theirs.pk}/check/", f"/imports/{theirs.pk}/import/", f"/imports/{theirs.pk}/retry/"):
        assert client.post(url).status_code == 404
    assert client.get(f"/imports/{mine.pk}/import/").status_code == 405


def test_roles(client, users):
    for role in ("school_staff", "support_agent", "london_lead"):
        client.force_login(users[role])
        assert client.get("/imports/").status_code == 403
        assert client.get("/imports/new/?kind=delivery").status_code == 403
    client.force_login(users["cio"])
    assert client.get("/imports/").status_code == 200
    assert client.get("/imports/new/?kind=delivery").status_code == 403
    client.logout()
    assert client.get("/imports/").status_code == 302


@pytest.mark.parametrize(
    "payload",
    [b"", b"\x00\xff" * 100, b"PK\x03\x04" + b"\x00" * 100, "Kind,Serial\n\"unclosed,".encode(), csv_bytes([["a", "b"], ["1", "2"]]), b"\xef\xbb\xbf"],
)
def test_no_500_on_garbage(officer_client, payload):
    response = officer_client.post("/imports/new/?kind=delivery", {"file": upload(payload, "x.csv")})
    assert response.status_code in (200, 302)


def test_upload_pages(officer_client):
    assert officer_client.get("/imports/new/").status_code == 200
    assert officer_client.get("/imports/new/?kind=delivery").status_code == 200
    assert officer_client.get("/imports/new/?kind=nonsense").status_code == 404
    assert officer_client.get("/imports/999999/").status_code == 404


def test_progress_page_shows_refresh_without_js(officer_client, officer):
    job = start(officer)
    ImportJob.objects.filter(pk=job.pk).update(status="committing", total_rows=10, rows_done=4, heartbeat_at=timezone.now())
    page = officer_client.get(f"/imports/{job.pk}/").content.decode()
    assert 'data-refresh-seconds="3"' in page and "Checking every row again before writing: 4 of about 10 rows." in page and "Refresh this page" in page
    assert "Run again" not in page


def test_progress_states_are_true(officer_client, officer):
    """Issue 15, finding 7: one truthful state at a time."""
    job = start(officer)
    url = f"/imports/{job.pk}/"
    ImportJob.objects.filter(pk=job.pk).update(status="validating", total_rows=100_000, rows_done=9_000, heartbeat_at=timezone.now())
    page = officer_client.get(url).content.decode()
    assert "Checking 9,000 of about 100,000 rows." in page and "This import stopped" not in page
    ImportJob.objects.filter(pk=job.pk).update(total_rows=0, rows_done=0)
    page = officer_client.get(url).content.decode()
    assert "Reading the file." in page and "?" not in page.split("Checking every row")[1].split("</div>")[0]
    # The worker died: the page says it stopped, and only that.
    ImportJob.objects.filter(pk=job.pk).update(status="committing", total_rows=100, rows_done=76, heartbeat_at=timezone.now() - datetime.timedelta(minutes=10))
    page = officer_client.get(url).content.decode()
    assert "This import stopped" in page and "the import carries on" not in page and "data-refresh-seconds" not in page
    # Finished: what was written, in the past tense, with a link; no forecasts.
    ImportJob.objects.filter(pk=job.pk).update(status="done", counts={"devices": 24, "sims": 0, "batches": 1}, total_rows=24, rows_done=24)
    page = officer_client.get(url).content.decode()
    assert "Devices imported" in page and ">24 –" in page.replace("\n", "") and 'href="/devices/"' in page
    assert "Devices to create" not in page and "SIMs imported" not in page


def test_choose_another_sheet(officer_client, officer):
    data = xlsx_bytes([["Notes"], ["nothing here"]], sheet_title="Read me", extra_sheets={"Devices": GOOD})
    job = start(officer, data=data)
    assert job.options["sheet_names"] == ["Read me", "Devices"]
    assert job.sheet_name == "Devices"  # the first sheet has no header we know: the next one is used
    data = xlsx_bytes(GOOD, sheet_title="Old", extra_sheets={"Devices": GOOD[:2]})
    job = start(officer, data=data)
    assert job.sheet_name == "Old"
    officer_client.post(f"/imports/{job.pk}/check/", {"sheet": "Devices"})
    job.refresh_from_db()
    assert job.sheet_name == "Devices" and job.mapping["serial"] == "Serial"
    job = services.request_dry_run(job=job, user=officer)
    assert job.status == "valid" and job.total_rows == 1


def test_csv_upload(officer):
    job = checked(officer, data=csv_bytes(GOOD, encoding="cp1252", delimiter=";"), name="m.csv")
    assert job.status == "valid"


def test_web_limits_have_clear_messages(officer_client, settings):
    settings.IMPORT_MAX_BYTES = 2000
    big = csv_bytes([HEADER] + [["laptop", "Dell", f"S-{i}", "01/02/2021"] for i in range(200)])
    response = officer_client.post("/imports/new/?kind=delivery", {"file": upload(big, "big.csv")})
    assert response.status_code == 200 and b"the largest file we accept is" in response.content
    settings.IMPORT_MAX_BYTES = 20 * 1024 * 1024
    settings.IMPORT_MAX_ROWS = 5
    many = xlsx_bytes([HEADER] + [["laptop", "Dell", f"S-{i}", "01/02/2021"] for i in range(8)])
    officer_client.post("/imports/new/?kind=delivery", {"file": upload(many, "many.xlsx")})
    created = ImportJob.objects.get()
    officer_client.post(f"/imports/{created.pk}/check/", {f"map_{k}": v for k, v in created.mapping.items()})
    created.refresh_from_db()
    assert created.status == "invalid" and "more than 5 rows" in created.message
    assert not services.can_retry(created)
    with pytest.raises(services.ImportActionRefused):
        services.request_commit(job=created, user=created.created_by)
    assert Device.objects.count() == 0


def test_a_row_that_changed_meaning_since_the_check_is_not_written_as_something_else(officer):
    """A child reference created by another import between the dry run and the commit would
    turn an add into an update: the commit is refused, nothing written, and the officer is told
    what changed and to check again; checking again shows the new counts and then imports."""
    from allocations.models import Child
    from allocations.tests.factories import ChildFactory
    from accounts.tests.factories import SchoolFactory

    school = SchoolFactory(local_authority=officer.local_authority)
    rows = [["URN", "Child ref", "Forename", "Surname", "Year"], [school.urn, "C-1", "Ana", "Nowak", "7"], [school.urn, "C-2", "Abdi", "Hassan", "8"]]
    job = services.start_import(user=officer, local_authority=officer.local_authority, kind="allocations", upload=upload(xlsx_bytes(rows), "c.xlsx"))
    job = services.request_dry_run(job=job, user=officer)
    assert job.status == "valid" and job.counts["children_create"] == 2
    ChildFactory(reference="C-2", local_authority=officer.local_authority, school=school, first_name="Abdi")  # another import, meanwhile
    job = services.request_commit(job=job, user=officer)
    assert job.status == "invalid" and not job.validated_sha256
    assert "Children to create: 2 when checked, 1 now" in job.message and "Children to update: 0 when checked, 1 now" in job.message
    assert not Child.objects.filter(reference="C-1").exists()
    job = services.request_dry_run(job=job, user=officer)
    assert job.status == "valid" and job.counts["children_create"] == 1 and job.counts["children_update"] == 1
    job = services.request_commit(job=job, user=officer)
    assert job.status == "done" and Child.objects.filter(reference="C-1").exists()
