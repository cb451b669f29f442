"""Delivery intake through the import engine: dry run, errors, commit, and the web pages."""

import pytest

from core.imports import engine, services
from core.imports.testing import csv_bytes, upload, xlsx_bytes
from core.models import ImportJob
from devices.imports import SPEC
from connectivity.models import NetworkOperator, Sim
from devices.models import DeliveryBatch, Device, DeviceEvent
from connectivity.tests.factories import SimFactory
from devices.tests.factories import DeviceFactory, luhn_complete

HEADER = ["Device type", "Manufacturer", "Model", "Serial No.", "IMEI", "SIM Number", "MSISDN", "Network", "Delivery date", "PO Number"]


def imei(n):
    return luhn_complete(f"35209900{n:06d}")


def iccid(n):
    return luhn_complete(f"894411{n:012d}")


def good_rows():
    return [
        HEADER,
        ["Laptop", "Lenovo", "100e", "lap-0001", None, None, None, None, "03/06/2020", "PO-1"],
        ["laptop", "Lenovo", "100e", " lap-0002 ", None, None, None, None, "3.6.20", "PO-1"],
        ["4G router", "Huawei", "E5576", "rtr-0001", imei(1), iccid(1), "07700 900001", "EE", 43985, "PO-1"],
        ["Dongle", "Huawei", "E5576", "rtr-0002", imei(2), iccid(2), "+44 7700 900002", "Vodafone", "2020-06-04", "PO-2"],
    ]


def dry_run(data, la, name="m.xlsx"):
    import io

    return engine.validate(SPEC, io.BytesIO(data), local_authority=la, filename=name)


def test_dry_run_counts_and_commit_creates_everything(la, officer, django_assert_max_num_queries):
    data = xlsx_bytes(good_rows(), title_rows=[["Computacenter delivery manifest"]])
    ctx = dry_run(data, la)
    assert ctx.errors == []
    assert ctx.header_row == 2
    assert dict(ctx.counts) == {"devices": 4, "sims": 2, "batches": 2}
    import io

    with django_assert_max_num_queries(60):
        engine.commit(SPEC, io.BytesIO(data), local_authority=la, user=officer, filename="m.xlsx")
    assert Device.objects.filter(local_authority=la, status="delivered").count() == 4
    assert set(Device.objects.values_list("serial", flat=True)) == {"LAP-0001", "LAP-0002", "RTR-0001", "RTR-0002"}
    assert DeliveryBatch.objects.count() == 2
    router = Device.objects.get(serial="RTR-0001")
    assert router.sim.iccid == iccid(1) and router.sim.msisdn == "+447700900001" and router.sim.network.name == "EE"
    assert router.delivered_on.isoformat() == "2020-06-03"
    assert Sim.objects.get(iccid=iccid(2)).network == NetworkOperator.objects.get(name="Vodafone")
    assert DeviceEvent.objects.filter(kind="delivered", actor=officer).count() == 4
    assert Device.history.count() == 4


def test_existing_network_matched_by_name(la, officer):
    NetworkOperator.objects.create(name="EE", slug="ee")
    import io

    engine.commit(SPEC, io.BytesIO(xlsx_bytes(good_rows())), local_authority=la, user=officer)
    assert NetworkOperator.objects.filter(name__iexact="ee").count() == 1


def test_every_error_kind_reported_with_row_and_column(la):
    DeviceFactory(serial="KNOWN-1", local_authority=la)
    SimFactory(iccid=iccid(50), local_authority=la)
    rows = [
        HEADER,
        ["Laptop", "Dell", "3190", "known-1", None, None, None, None, "01/02/2021", "PO-9"],  # 2: already known
        ["Laptop", "Dell", "3190", "dup-1", None, None, None, None, "01/02/2021", "PO-9"],  # 3
        ["Laptop", "Dell", "3190", "DUP-1", None, None, None, None, "01/02/2021", "PO-9"],  # 4: duplicate (case-insensitive)
        ["Router", "Huawei", "E5576", "r-1", "123456789012345", None, None, None, "01/02/2021", "PO-9"],  # 5: bad IMEI
        ["Router", "Huawei", "E5576", "r-2", None, "8944110000000000001", None, None, "01/02/2021", "PO-9"],  # 6: bad ICCID
        ["Router", "Huawei", "E5576", "r-3", None, iccid(3), "0123", None, "01/02/2021", "PO-9"],  # 7: bad phone
        ["Router", "Huawei", "E5576", "r-4", None, iccid(50), None, None, "01/02/2021", "PO-9"],  # 8: ICCID known
        ["Toaster", "Dell", "x", "", None, None, None, None, "31/02/2021", "PO-9"],  # 9: kind, serial, date
    ]
    ctx = dry_run(xlsx_bytes(rows), la)
    lines = ctx.error_lines()
    assert "row 2, Serial No.: A device with this serial number is already recorded for your council." in lines
    assert "row 4, Serial No.: This is also on row 3." in lines
    assert any(line.startswith("row 5, IMEI: ") and "check digit" in line for line in lines)
    assert any(line.startswith("row 6, SIM Number: ") for line in lines)
    assert any(line.startswith("row 7, MSISDN: ") for line in lines)
    assert "row 8, SIM Number: A SIM with this ICCID is already recorded for your council." in lines
    assert any(line.startswith("row 9, Device type: ") for line in lines)
    assert "row 9, Serial No.: This is missing." in lines
    assert any(line.startswith("row 9, Delivery date: ") for line in lines)
    assert ctx.counts["duplicates"] == 1 and ctx.counts["already_known"] == 2
    import io

    with pytest.raises(engine.ImportRejected):
        engine.commit(SPEC, io.BytesIO(xlsx_bytes(rows)), local_authority=la)
    assert Device.objects.count() == 1 and Sim.objects.count() == 1


def test_wrong_columns(la):
    ctx = dry_run(csv_bytes([["Serial", "Colour"], ["A1", "red"]]), la, "m.csv")
    lines = ctx.error_lines()
    assert "row 1, Kind: There is no column for Kind. Add one, or choose which column holds it." in lines
    assert "row 1, Delivery date: There is no column for Delivery date. Add one, or choose which column holds it." in lines


def test_commit_is_all_or_nothing_when_a_write_fails(la, officer, monkeypatch):
    import io

    from devices.models import DeviceEvent as Event

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(Event.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        engine.commit(SPEC, io.BytesIO(xlsx_bytes(good_rows())), local_authority=la, user=officer)
    assert Device.objects.count() == 0 and Sim.objects.count() == 0 and DeliveryBatch.objects.count() == 0


def test_web_upload_dry_run_and_commit(officer_client, la):
    response = officer_client.post("/imports/new/?kind=delivery", {"file": upload(xlsx_bytes(good_rows()), "manifest.xlsx")})
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/imports/{job.pk}/"
    assert job.mapping["serial"] == "Serial No." and job.mapping["iccid"] == "SIM Number"
    page = officer_client.get(f"/imports/{job.pk}/")
    assert page.status_code == 200 and b"Check the file" in page.content
    post = {f"map_{k}": v for k, v in job.mapping.items()}
    officer_client.post(f"/imports/{job.pk}/check/", post)
    job.refresh_from_db()
    assert job.status == "valid" and job.counts["devices"] == 4
    officer_client.post(f"/imports/{job.pk}/import/")
    job.refresh_from_db()
    assert job.status == "done"
    assert Device.objects.filter(local_authority=la).count() == 4


def test_bad_upload_gets_a_message_not_a_500(officer_client):
    response = officer_client.post("/imports/new/?kind=delivery", {"file": upload(b"%PDF-1.4 garbage", "manifest.pdf")})
    assert response.status_code == 200 and "is not a spreadsheet".encode() in response.content
    assert ImportJob.objects.count() == 0
    assert services  # the services module is the public surface these pages call


def test_no_existence_oracle_for_other_councils_and_no_new_networks(la, other_la, officer):
    """Issue 15, finding 10: another LA's serial/IMEI/ICCID/number is refused without saying it
    exists elsewhere; an officer's file cannot add a network record."""
    import io

    from core.imports.testing import csv_bytes

    DeviceFactory(serial="THEIRS-1", local_authority=other_la)
    SimFactory(iccid=iccid(60), msisdn="+447700900555", local_authority=other_la)
    rows = [
        ["Kind", "Serial", "ICCID", "Mobile number", "Network", "Delivery date"],
        ["laptop", "theirs-1", None, None, None, "01/02/2026"],
        ["router", "R-NEW-1", iccid(60), None, "EE", "01/02/2026"],
        ["router", "R-NEW-2", iccid(61), "07700 900555", "EE", "01/02/2026"],
        ["router", "R-NEW-3", iccid(62), None, "Acme Mobile", "01/02/2026"],
    ]
    ctx = engine.validate(SPEC, io.BytesIO(csv_bytes(rows)), local_authority=la, filename="m.csv")
    lines = ctx.error_lines()
    neutral = "This cannot be recorded: check it against the delivery note. If it is right, contact support."
    assert lines == [
        f"row 2, Serial: {neutral}",
        f"row 3, ICCID: {neutral}",
        f"row 4, Mobile number: {neutral}",
        "row 5, Network: “Acme Mobile” is not a network we know. Use EE, Vodafone, O2 or Three, or ask an administrator to add it.",
    ]
    assert not any("other" in line or other_la.name in line for line in lines)
    before = NetworkOperator.objects.count()
    engine.commit(SPEC, io.BytesIO(csv_bytes([rows[0], ["router", "R-NEW-4", iccid(63), None, "o2", "01/02/2026"]])), local_authority=la, user=officer, filename="m.csv")
    assert NetworkOperator.objects.count() == before + 1 and NetworkOperator.objects.filter(slug="o2", name="O2").exists()


# --- a finished import links to exactly the devices it created (issue 17)


def test_a_finished_import_links_to_the_devices_it_created(officer_client, officer):
    import re

    from django.urls import reverse

    from core.imports import services as import_services
    from core.imports.testing import upload, xlsx_bytes
    from devices.models import Device, DeliveryBatch
    from devices.tests.factories import DeviceFactory

    def run(rows, name):
        job = import_services.start_import(user=officer, local_authority=officer.local_authority, kind="delivery",
                                           upload=upload(xlsx_bytes(rows), name))
        job = import_services.request_dry_run(job=job, user=officer)
        return import_services.request_commit(job=job, user=officer)

    header = ["Kind", "Make", "Serial", "Delivery date", "Order reference"]
    earlier = run([header, ["laptop", "Dell", "OLD-1", "01/02/2026", "PO-1"]], "first.xlsx")
    DeviceFactory(local_authority=officer.local_authority, serial="TYPED-1")
    job = run([header, ["laptop", "Dell", "NEW-1", "01/03/2026", "PO-2"], ["router", "Huawei", "NEW-2", "02/03/2026", "PO-2"],
               ["laptop", "HP", "NEW-3", "01/03/2026", "PO-3"]], "second.xlsx")
    assert job.status == "done" and job.counts["devices"] == 3
    assert set(DeliveryBatch.objects.filter(import_job=job).values_list("order_reference", flat=True)) == {"PO-2", "PO-3"}
    assert DeliveryBatch.objects.get(order_reference="PO-1").import_job == earlier
    page = officer_client.get(reverse("core:import_detail", args=[job.pk])).content.decode()
    link = reverse("devices:device_list") + f"?import_job={job.pk}"
    assert f'href="{link}"' in page
    listed = officer_client.get(link).content.decode()
    assert {s for s in ("NEW-1", "NEW-2", "NEW-3", "OLD-1", "TYPED-1") if s in listed} == {"NEW-1", "NEW-2", "NEW-3"}
    assert Device.objects.filter(batch__import_job=job).count() == 3
    # Another council's import id shows nothing; a bad id is a form error, not a 500.
    assert officer_client.get(reverse("devices:device_list") + "?import_job=x").status_code in (200, 400)
    assert re.search(r"NEW-\d", officer_client.get(reverse("devices:device_list") + "?import_job=999999").content.decode()) is None
