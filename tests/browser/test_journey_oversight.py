"""Oversight journeys through the real pages, every page checked by axe-core: the CIO downloads
the DfE return, the London lead reads the London view and its CSV, and an administrator changes
a device's status and opens its audit history."""

import csv
import re

import openpyxl
import pytest

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations.tests.factories import AllocationFactory, ChildFactory
from devices.models import Device
from devices.tests.factories import DeviceFactory
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser


@pytest.fixture
def camden_and_hackney(transactional_db):
    camden = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    hackney = LocalAuthorityFactory(code="204", name="Hackney", gss_code="E09000012")
    for la, prefix in ((camden, "CAM"), (hackney, "HAC")):
        school = SchoolFactory(local_authority=la, name=f"{la.name} Academy")
        for i in range(3):
            device = DeviceFactory(serial=f"{prefix}-LAP-{i}", local_authority=la, school=school)
            if i < 2:
                AllocationFactory(child=ChildFactory(school=school, reference=f"{prefix}-C{i}"), device=device)
    return camden, hackney


def test_cio_downloads_the_dfe_return(page, login, assert_accessible, camden_and_hackney, tmp_path):
    camden, _ = camden_and_hackney
    cio = UserFactory(username="cleo", first_name="Cleo", role="cio", local_authority=camden)
    j = Journey(page, assert_accessible)
    login(page, cio)
    j.check()
    j.nav("Dashboard", section="Reports")
    assert page.get_by_role("heading", level=1).is_visible()
    workbook = openpyxl.load_workbook(j.download(page.get_by_test_id("dfe-return"), tmp_path))
    assert workbook.sheetnames[0] == "Summary" and "Devices by school" in workbook.sheetnames
    schools = workbook["Devices by school"]
    text = " ".join(str(c.value) for row in schools.iter_rows() for c in row if c.value is not None)
    assert "Camden Academy" in text and "Hackney Academy" not in text  # only the CIO's council


def test_london_lead_reads_the_london_view_and_its_csv(page, login, assert_accessible, camden_and_hackney, tmp_path):
    lead = UserFactory(username="lola", first_name="Lola", role="london_lead")
    for i in range(6):  # enough laptops in Camden to be shown (and charted) unsuppressed
        DeviceFactory(serial=f"CAM-STOCK-{i}", local_authority=camden_and_hackney[0], status="in_stock")
        DeviceFactory(serial=f"CAM-HANDED-{i}", local_authority=camden_and_hackney[0], status="handed_over")
    page.set_viewport_size({"width": 1280, "height": 900})
    j = Journey(page, assert_accessible)
    login(page, lead)
    j.check()
    j.nav("London view")
    table = page.locator("main table").first.inner_text()
    assert "Camden" in table and "Hackney" in table
    # The chart beside the table is drawn from the same (published) figures; the table fits.
    assert page.locator("[data-chart=london] canvas").count() == 1

    def fits():
        return page.locator("main .app-table-wrapper").first.evaluate("el => el.scrollWidth <= el.clientWidth + 1")

    assert fits()
    chooser = page.get_by_test_id("column-chooser")
    assert "Columns shown: 6 of 14" in chooser.inner_text()
    for name in ("Children and need", "Connectivity"):
        j.follow(chooser.get_by_role("link", name=name))
        assert fits(), name
    # Every column at once fits too (issue 14): the page as wide as the window, short headings
    # in <abbr> under their group's heading, with a key below the table.
    j.follow(chooser.get_by_role("link", name="All columns"))
    assert page.get_by_test_id("wide-table-sign").is_visible()
    assert fits(), "every column at once fits 1280 px"
    assert page.locator("main table thead abbr[title]").count() == 14
    assert "Laptops and tablets in stock" in page.get_by_test_id("heading-key").inner_text()
    page.locator("main details summary").first.click()
    j.follow(page.get_by_role("link", name="Every figure and what it counts").first)
    assert page.get_by_role("heading", level=1).inner_text() == "What the figures count"
    page.go_back()
    path = j.download(page.get_by_role("link", name="Download every column as open data (CSV)"), tmp_path)
    rows = list(csv.reader(path.open(encoding="utf-8-sig")))
    names = {cell for row in rows[1:] for cell in row}
    assert {"Camden", "Hackney"} <= names
    assert len(rows[0]) == 16, "the CSV keeps every column"


def test_cio_reads_the_three_year_cover_page(page, login, assert_accessible, camden_and_hackney):
    camden, _ = camden_and_hackney
    cio = UserFactory(username="cleo", first_name="Cleo", role="cio", local_authority=camden)
    j = Journey(page, assert_accessible)
    login(page, cio)
    j.check()
    page.goto(page.url.split("/", 3)[0] + "//" + page.url.split("/", 3)[2] + "/horizon/")
    j.check()
    assert page.get_by_test_id("cover-figures").is_visible()
    assert "[c]" not in page.locator("main").inner_text(), "the council's own figures in full"


def test_admin_opens_the_audit_history_of_a_device(page, login, assert_accessible, camden_and_hackney):
    admin = UserFactory(username="ada", first_name="Ada", role="admin", is_staff=True, is_superuser=True)
    j = Journey(page, assert_accessible)
    login(page, admin)
    j.check()
    j.nav("Devices")
    j.link("CAM-LAP-2", exact=True)
    device = Device.objects.get(serial="CAM-LAP-2")
    before = device.status
    page.locator("input[name=action]").first.check()
    page.get_by_label("Note").fill("Screen cracked, sent for repair.")
    j.button("Save status")
    device.refresh_from_db()
    assert device.status != before

    j.goto("/admin/")
    j.follow(page.locator("#content-main tr.model-device").get_by_role("link", name="Devices", exact=True))
    j.follow(page.locator("#result_list").get_by_role("link", name=re.compile("CAM-LAP-2")).first)
    j.follow(page.get_by_role("link", name="History", exact=True))
    history = page.locator("#content-main").inner_text()
    assert "ada" in history.lower(), history  # the change is recorded against the administrator
    assert page.locator("#change-history tbody tr").count() >= 2  # created, then the status change
