"""An officer scans 20 laptops in (no manifest), prints their labels from the device list and
puts them all in stock in one action from the device list (``core.bulk``: the tick boxes, the
check page saying how many and what is left out, the result page). axe-core and the page checks
run on every page on the way."""

import pytest

from accounts.tests.factories import LocalAuthorityFactory, UserFactory
from devices.models import Device, DeviceEvent
from devices.tests.factories import DeviceFactory
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser


def test_officer_scans_in_prints_labels_and_puts_twenty_laptops_in_stock_at_once(page, login, assert_accessible, transactional_db, tmp_path):
    la = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    officer = UserFactory(username="olu", first_name="Olu", role="council_officer", local_authority=la)
    DeviceFactory(local_authority=la, status="allocated", serial="ALREADYOUT1")  # in the list, not in the delivery
    j = Journey(page, assert_accessible)
    login(page, officer)
    j.nav("Devices")
    j.follow(page.get_by_role("button", name="Scan in a delivery"))
    page.get_by_label("Make").fill("Lenovo")
    page.get_by_label("Model").fill("100e Chromebook Gen 3")
    serial = page.get_by_label("Serial number")
    for n in range(1, 21):
        serial.fill(f"bk{n:04d}")
        with page.expect_navigation():
            serial.press("Enter")
        page.wait_for_load_state()
    j.check()
    j.button("Check these devices")
    j.button("Save 20 devices")
    assert Device.objects.filter(status="delivered").count() == 20

    # Labels: tick the 20 new laptops on the device list, print labels.
    j.nav("Devices")
    for n in range(1, 21):
        page.get_by_label(f"Select BK{n:04d}").check()
    page.get_by_label("Action", exact=True).select_option(label="Print labels")
    j.button("Continue")
    assert "20 devices will get a label each." in page.locator("main").inner_text()
    pdf = j.download(page.get_by_role("button", name="Download the labels (PDF)"), tmp_path)
    assert pdf.read_bytes().startswith(b"%PDF")

    # Put in stock: every device matching the filter (status: delivered), in one action.
    j.goto("/devices/?status=delivered")
    page.get_by_label("Every one matching this filter").check()
    page.get_by_label("Action", exact=True).select_option(label="Put in stock")
    j.button("Continue")
    main = page.locator("main").inner_text()
    assert "Check before you continue" in main and "20 devices" in main
    assert not Device.objects.filter(status="in_stock").exists()  # the check page changes nothing
    j.button("Put in stock")
    assert "20 done, 0 refused" in page.locator("main").inner_text()
    assert Device.objects.filter(status="in_stock", serial__startswith="BK").count() == 20
    assert DeviceEvent.objects.filter(kind="stocked").count() == 20
    assert Device.objects.get(serial="ALREADYOUT1").status == "allocated"
    j.link("Back to the devices")
