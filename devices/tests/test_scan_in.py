"""Taking in a delivery without a manifest: scan or type each serial (kind, make and model carry
over), the delivery import's own checks on every row, a page to check, then one delivery saved
with each device's custody entry."""

import datetime

import pytest
from django.utils import timezone

from devices.models import DeliveryBatch, Device, DeviceEvent
from devices.tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate().strftime("%d/%m/%Y")


def _state(page_rows):
    data = {}
    for i, row in enumerate(page_rows):
        for key, value in row.items():
            data[f"r-{i}-{key}"] = value
    return data


def _row(serial, **kw):
    return {"kind": "laptop", "make": "Lenovo", "model": "100e", "serial": serial, "imei": "", "iccid": "", "network": "", "asset_tag": "", **kw}


def _post(client, rows, **data):
    return client.post("/devices/scan-in/", {"delivered_on": TODAY, "supplier": "Computacenter", "order_reference": "PO-9", **_state(rows), **data})


def test_each_scan_adds_a_row_carrying_kind_make_and_model(officer_client):
    page = officer_client.get("/devices/scan-in/").content.decode()
    assert "Scan or type each device" in page and "autofocus" in page
    response = _post(officer_client, [], action="add", kind="laptop", make="Lenovo", model="100e Gen 3", serial=" pf1abc ")
    page = response.content.decode()
    assert 'name="r-0-serial" value="PF1ABC"' in page
    assert 'value="Lenovo"' in page and 'value="100e Gen 3"' in page  # carried over for the next scan
    assert 'name="serial"' in page and 'value="PF1ABC"' not in page.split('name="serial"')[1][:80]


def test_a_serial_scanned_twice_is_flagged_not_added(officer_client):
    page = _post(officer_client, [_row("PF1")], action="add", kind="laptop", serial="pf1").content.decode()
    assert "PF1 is already on this list (row 1): it was scanned twice." in page
    assert 'name="r-1-serial"' not in page


def test_check_then_save_records_one_delivery_with_custody_entries(officer_client, officer):
    rows = [_row(f"SCAN{i:03d}") for i in range(20)]
    page = _post(officer_client, rows, action="check").content.decode()
    assert "Check the devices before saving them" in page and "Save 20 devices" in page
    assert not Device.objects.exists()  # checking writes nothing
    response = _post(officer_client, rows, action="save")
    batch = DeliveryBatch.objects.get()
    assert response["Location"] == f"/devices/?batch={batch.pk}"
    assert (batch.supplier, batch.order_reference, batch.delivered_on) == ("Computacenter", "PO-9", timezone.localdate())
    assert Device.objects.filter(batch=batch, local_authority=officer.local_authority, status="delivered").count() == 20
    assert DeviceEvent.objects.filter(kind="delivered", device__batch=batch).count() == 20


def test_every_row_error_is_shown_and_nothing_is_written(officer_client, officer, other_la):
    DeviceFactory(local_authority=officer.local_authority, serial="KNOWN1")
    DeviceFactory(local_authority=other_la, serial="ELSEWHERE1")
    rows = [_row("NEW1"), _row("KNOWN1"), _row("ELSEWHERE1"), _row("BADIMEI", imei="123")]
    page = _post(officer_client, rows, action="save").content.decode()
    assert "Row 2, Serial number: A device with this serial number is already recorded for your council." in page
    assert "Row 3, Serial number: This cannot be recorded" in page  # no word of another council
    assert "Row 4, IMEI:" in page
    assert not Device.objects.filter(serial="NEW1").exists()


def test_future_dates_empty_lists_and_removal(officer_client):
    tomorrow = (timezone.localdate() + datetime.timedelta(days=1)).strftime("%d/%m/%Y")
    page = officer_client.post("/devices/scan-in/", {"delivered_on": tomorrow, **_state([_row("A1")]), "action": "check"}).content.decode()
    assert "The delivery date cannot be in the future." in page
    assert "Scan or type at least one serial number first." in _post(officer_client, [], action="check").content.decode()
    page = _post(officer_client, [_row("A1"), _row("B2")], remove="0").content.decode()
    assert 'name="r-0-serial" value="B2"' in page and "A1" not in page.split("<h1")[1].split("Removed")[0]


def test_only_officers_take_devices_in(client, users):
    for role, code in (("council_officer", 200), ("school_staff", 403), ("cio", 403), ("support_agent", 403)):
        client.force_login(users[role])
        assert client.get("/devices/scan-in/").status_code == code, role


# --- one device by hand (/devices/add/): the same service and checks as the scan-in page


def test_one_device_added_by_hand_goes_through_the_intake_checks(officer_client, officer, users):
    page = officer_client.get("/devices/add/").content.decode()
    assert "Add a device" in page and 'name="serial"' in page and 'name="delivered_on"' in page
    response = officer_client.post("/devices/add/", {"kind": "laptop", "make": "Dell", "model": "3190", "serial": " dl-0042 ",
                                                      "asset_tag": "CAM-42", "delivered_on": TODAY, "supplier": "Computacenter"})
    device = Device.objects.get(serial="DL-0042")
    assert response.status_code == 302 and response["Location"] == device.get_absolute_url()
    assert (device.local_authority, device.status, device.asset_tag, device.batch.supplier) == (officer.local_authority, "delivered", "CAM-42", "Computacenter")
    assert DeviceEvent.objects.filter(device=device, kind="delivered", actor=officer).count() == 1
    # The same serial again, a future date, an impossible IMEI: clear errors, nothing written.
    again = officer_client.post("/devices/add/", {"kind": "laptop", "serial": "DL-0042", "delivered_on": TODAY}).content.decode()
    assert "There is a problem" in again and Device.objects.filter(serial="DL-0042").count() == 1
    later = (timezone.localdate() + datetime.timedelta(days=3)).strftime("%d/%m/%Y")
    future = officer_client.post("/devices/add/", {"kind": "laptop", "serial": "DL-0043", "delivered_on": later}).content.decode()
    assert "cannot be in the future" in future
    bad_imei = officer_client.post("/devices/add/", {"kind": "router", "serial": "DL-0044", "imei": "123", "delivered_on": TODAY})
    assert bad_imei.status_code == 200 and "There is a problem" in bad_imei.content.decode()
    assert not Device.objects.filter(serial__in=["DL-0043", "DL-0044"]).exists()
    assert officer_client.post("/devices/add/", {"serial": "x" * 5000, "kind": "nope", "delivered_on": "32/13/2026"}).status_code == 200


def test_only_officers_add_devices(client, users):
    client.force_login(users["school_staff"])
    assert client.get("/devices/add/").status_code == 403
    assert client.post("/devices/add/", {"kind": "laptop", "serial": "X1", "delivered_on": TODAY}).status_code == 403
    assert not Device.objects.filter(serial="X1").exists()
