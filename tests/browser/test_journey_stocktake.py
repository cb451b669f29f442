"""School staff run a stocktake of their school with a keyboard-wedge scanner (it types the
code and presses Enter): the page updates in place with each scan and announces it, a code
scanned twice is flagged, an unknown one is unexpected; they close it (a confirmation page)
and the kept report shows the one device that is missing. axe-core and the page checks run on
every page on the way, and again after the in-place updates."""

import pytest

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from devices.models import DeviceStatus
from devices.tests.factories import DeviceFactory
from stocktakes.models import Stocktake
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser


def test_school_staff_run_a_stocktake_that_finds_one_device_missing(page, login, assert_accessible, transactional_db):
    la = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    school = SchoolFactory(local_authority=la, name="Haverstock School")
    staff = UserFactory(username="sam", first_name="Sam", last_name="Patel", role="school_staff", school=school, local_authority=la)
    for serial in ("PF2X0001", "PF2X0002", "PF2X0003"):
        DeviceFactory(local_authority=la, school=school, status=DeviceStatus.IN_STOCK, serial=serial)
    j = Journey(page, assert_accessible)
    login(page, staff)
    j.nav("Stocktakes", section="Devices")
    j.follow(page.get_by_role("button", name="Start a stocktake"))
    page.get_by_label("Haverstock School").check()
    j.button("Start the stocktake")
    assert page.locator("[data-count=n_expected]").inner_text() == "3"
    code = page.get_by_label("Serial number, IMEI or asset tag")
    assert code.evaluate("e => document.activeElement === e")
    status = page.locator("[data-scan-status]")
    # Rapid successive scans: typed and Enter, without waiting for the answers.
    for typed in ("pf2x0001", " PF2X 0002 "):
        code.fill(typed)
        code.press("Enter")
    page.locator("[data-count=n_found]").filter(has_text="2").wait_for()
    assert code.evaluate("e => document.activeElement === e")
    assert page.locator("[data-list=found] tr").count() == 2
    assert page.locator("[data-list=missing] tr").count() == 1
    code.fill("PF2X0001")
    code.press("Enter")
    page.locator("[data-scan-status]").filter(has_text="Already scanned: PF2X0001").wait_for()
    assert status.get_attribute("aria-live") == "assertive"
    assert page.locator("[data-count=duplicates]").inner_text() == "1"
    code.fill("misTYPED-99")
    code.press("Enter")
    page.locator("[data-list=unexpected] tr").filter(has_text="MISTYPED-99").wait_for()
    assert page.locator("[data-count=n_unexpected]").inner_text() == "1"
    assert page.locator("[data-count=n_found]").inner_text() == "2"
    assert_accessible(page)  # after the in-place updates
    j.link("Finish and close this stocktake")
    assert "cannot be undone" in page.locator("main").inner_text()
    j.button("Close the stocktake")
    assert "Stocktake closed" in page.locator("main").inner_text()
    assert page.locator("[data-count=n_missing]").inner_text() == "1"
    missing = page.locator("[data-list=missing]").inner_text()
    assert "PF2X0003" in missing and "PF2X0001" not in missing
    assert page.get_by_role("button", name="Print this report").is_visible()
    assert page.get_by_label("Serial number, IMEI or asset tag").count() == 0
    stocktake = Stocktake.objects.get()
    assert stocktake.status == "closed" and stocktake.items.missing().count() == 1
    j.check()
