"""An officer with a box of laptops and no manifest scans them in (a keyboard-wedge scanner
types each serial and presses Enter), checks and saves them as one delivery, and downloads
their labels. axe-core and the page checks run on every page on the way."""

import pytest

from accounts.tests.factories import LocalAuthorityFactory, UserFactory
from devices.models import DeliveryBatch, Device, DeviceEvent
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser


def test_officer_scans_in_laptops_without_a_manifest_and_prints_their_labels(page, login, assert_accessible, transactional_db, tmp_path):
    la = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    officer = UserFactory(username="olu", first_name="Olu", role="council_officer", local_authority=la)
    j = Journey(page, assert_accessible)
    login(page, officer)
    j.nav("Devices")
    j.follow(page.get_by_role("button", name="Scan in a delivery"))
    page.get_by_label("Make").fill("Lenovo")
    page.get_by_label("Model").fill("100e Chromebook Gen 3")
    serial = page.get_by_label("Serial number")
    for n in range(1, 21):
        serial.fill(f"pf2x{n:04d}")
        with page.expect_navigation():
            serial.press("Enter")  # what a keyboard-wedge scanner does after the serial
        page.wait_for_load_state()
        assert page.get_by_label("Serial number").evaluate("e => document.activeElement === e")  # ready for the next scan
    j.check()
    assert page.get_by_label("Make").input_value() == "Lenovo"  # carried over
    serial.fill("PF2X0003")
    with page.expect_navigation():
        serial.press("Enter")
    assert "PF2X0003 is already on this list (row 3): it was scanned twice." in page.locator(".govuk-error-summary").inner_text()
    j.check()
    j.button("Check these devices")
    assert page.get_by_role("heading", name="Check the devices before saving them").is_visible()
    assert not Device.objects.exists()
    j.button("Save 20 devices")
    assert "20 devices taken in." in page.locator("main").inner_text() or "20 devices taken in." in page.content()
    batch = DeliveryBatch.objects.get()
    assert Device.objects.filter(batch=batch, status="delivered").count() == 20
    assert DeviceEvent.objects.filter(device__batch=batch, kind="delivered").count() == 20
    j.follow(page.get_by_role("button", name="Print labels for these devices"))
    assert "20 devices will get a label each." in page.locator("main").inner_text()
    pdf = j.download(page.get_by_role("button", name="Download the labels (PDF)"), tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.name == "device-labels-21.pdf"


def test_officer_adds_one_device_by_hand(page, login, assert_accessible, transactional_db):
    la = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    officer = UserFactory(username="olu", first_name="Olu", role="council_officer", local_authority=la)
    j = Journey(page, assert_accessible)
    login(page, officer)
    j.nav("Devices")
    j.follow(page.get_by_role("button", name="Add one device"))
    page.get_by_label("Make").fill("Dell")
    page.get_by_label("Serial number").fill("dl-7")
    j.button("Add the device")
    assert page.get_by_role("heading", name="Laptop DL-7").is_visible() or "DL-7" in page.locator("h1").inner_text()
    assert Device.objects.get(serial="DL-7").make == "Dell"
