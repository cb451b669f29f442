"""Device labels: PDF sheets for the filtered (scoped) device list or one device, and the QR
code's address, which opens the device for staff who may see it and the help form for anyone
else."""

import base64
import re
import zlib

import pytest

from accounts.tests.factories import SchoolFactory
from devices import labels
from devices.tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


def _pages(pdf):
    return len(re.findall(rb"/Type /Page\b", pdf))


def _text(pdf):
    """Every content stream of the PDF, decoded (reportlab writes them ASCII85 then Flate)."""
    out = b""
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        data = stream.strip()
        if data.endswith(b"~>"):
            data = base64.a85decode(data[:-2])
        try:
            out += zlib.decompress(data)
        except zlib.error:
            out += data
    return out


def test_labels_for_the_filtered_list_fill_sheets_of_the_chosen_layout(client, users, la, other_la, school):
    mine = [DeviceFactory(local_authority=la, school=school, serial=f"LBL{i:04d}", asset_tag=f"CAM-{i}") for i in range(23)]
    DeviceFactory(local_authority=other_la, serial="THEIRS0001")
    client.force_login(users["council_officer"])
    page = client.get("/devices/labels/?kind=laptop").content.decode()
    assert "23 devices will get a label each" in page and 'name="kind" value="laptop"' in page
    response = client.get("/devices/labels/?kind=laptop&layout=21&download=1")
    assert response["Content-Type"] == "application/pdf"
    assert _pages(response.content) == 2  # 21 + 2
    assert _pages(client.get("/devices/labels/?layout=14&download=1").content) == 2  # 14 + 9
    text = _text(response.content)
    assert b"LBL0000" in text and b"CAM-22" in text and b"THEIRS0001" not in text
    assert mine[0].serial.encode() in text


def test_one_device_label_from_its_page_and_out_of_scope_devices_are_not_labelled(client, users, la, other_la, school):
    device = DeviceFactory(local_authority=la, school=school, serial="ONE0001")
    theirs = DeviceFactory(local_authority=other_la, serial="THEIRS0002")
    client.force_login(users["school_staff"])
    assert f"/devices/labels/?device={device.pk}" in client.get(device.get_absolute_url()).content.decode()
    pdf = client.get(f"/devices/labels/?device={device.pk}&layout=24&download=1").content
    assert _pages(pdf) == 1 and b"ONE0001" in _text(pdf)
    page = client.get(f"/devices/labels/?device={theirs.pk}&download=1&layout=21")
    assert page["Content-Type"].startswith("text/html") and "No devices match" in page.content.decode()


@pytest.mark.parametrize("query,message", [
    ("device=abc", "not valid"), ("kind=spaceship", "not valid"), ("layout=99&download=1", "Choose one of the label layouts"),
])
def test_bad_choices_are_a_clear_page_not_a_pdf(client, users, la, query, message):
    DeviceFactory(local_authority=la)
    client.force_login(users["council_officer"])
    response = client.get("/devices/labels/?" + query)
    assert response["Content-Type"].startswith("text/html") and message in response.content.decode()


def test_too_many_labels_are_refused_with_the_limit(client, users, la, settings, monkeypatch):
    monkeypatch.setattr(labels, "MAX_LABELS", 3)
    for _ in range(4):
        DeviceFactory(local_authority=la)
    client.force_login(users["council_officer"])
    page = client.get("/devices/labels/?download=1&layout=21").content.decode()
    assert "print at most 3 labels" in page


def test_only_officers_and_schools_print_labels(client, users):
    for role, code in (("cio", 403), ("support_agent", 403), ("london_lead", 403), ("council_officer", 200), ("school_staff", 200)):
        client.force_login(users[role])
        assert client.get("/devices/labels/").status_code == code, role


def test_the_qr_code_opens_the_device_for_staff_and_the_help_form_for_anyone_else(client, users, la, other_la):
    device = DeviceFactory(local_authority=la, serial="QR0001")
    theirs = DeviceFactory(local_authority=other_la, serial="QR0002")
    assert labels.code_url("QR0001").endswith("/d/QR0001/")
    assert client.get("/d/qr0001/")["Location"] == "/help/?serial=QR0001"
    assert client.get("/d/NOSUCH/")["Location"] == "/help/?serial=NOSUCH"  # the same whether or not it exists
    client.force_login(users["council_officer"])
    assert client.get("/d/QR0001/")["Location"] == device.get_absolute_url()
    assert client.get(f"/d/{theirs.serial}/")["Location"] == "/help/?serial=QR0002"
