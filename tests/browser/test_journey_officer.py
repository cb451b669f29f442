"""The council officer's journey, end to end through the real pages: take in a delivery, import
allocations (a dry run finds errors, the corrected file goes in), hand over a laptop and print
the letter. axe-core checks every page on the way."""

import openpyxl
import pytest
from django.utils import timezone

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations.models import Allocation
from devices.models import Device
from tests.browser.journeys_helpers import FIXTURES, Journey

pytestmark = pytest.mark.browser


def test_officer_delivery_allocations_handover_letter(page, login, assert_accessible, transactional_db, tmp_path):
    la = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    for urn, name in ((990000, "Argyle Primary"), (990053, "Haverstock School"), (990050, "Acland Burghley")):
        SchoolFactory(local_authority=la, urn=urn, name=name)
    officer = UserFactory(username="olu", first_name="Olu", role="council_officer", local_authority=la)
    j = Journey(page, assert_accessible)
    login(page, officer)
    j.check()

    # 1. The delivery: Deliveries -> upload the manifest -> check -> import.
    j.nav("Deliveries", section="Devices")
    j.button("Upload a delivery manifest")
    j.upload("Spreadsheet", FIXTURES / "delivery_manifest_sample.csv")
    j.button("Upload", exact=True)
    assert Device.objects.count() == 0  # uploading writes nothing
    j.button("Check the file")  # the columns were recognised; the dry run checks every row
    assert Device.objects.count() == 0
    j.button("Import", exact=True)
    assert Device.objects.filter(local_authority=la).count() == 12
    assert page.get_by_role("heading", name="What was imported").is_visible()
    # Past tense, with a link to what was written (never the forecast "Devices to create").
    imported = page.locator(".govuk-summary-list__row", has_text="Devices imported")
    assert "12" in imported.inner_text() and "to create" not in page.locator("main").inner_text()
    j.follow(imported.get_by_role("link"))
    assert page.get_by_role("link", name="DFC-LAP-0001").is_visible()  # the device list, checked at 1280 px

    # 2. Allocations: the first file has errors; the dry run lists them and writes nothing.
    j.nav("Imports")
    j.link("Allocations", exact=True)
    j.upload("Spreadsheet", FIXTURES / "allocations_sample_with_errors.xlsx")
    j.button("Upload", exact=True)
    j.button("Check the file")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    errors = page.locator(".app-import-errors li").all_inner_texts()
    assert any(line.startswith("row 4") for line in errors), errors  # "Year 15" on spreadsheet row 4
    assert Allocation.objects.count() == 0
    xlsx = j.download(page.get_by_role("link", name="Download your spreadsheet with an Errors column"), tmp_path)
    sheet = openpyxl.load_workbook(xlsx).active
    header = [c.value for c in sheet[2]]
    assert "Errors" in header
    assert sheet.cell(row=4, column=header.index("Errors") + 1).value

    # The corrected spreadsheet goes through the same pages and is imported.
    j.nav("Imports")
    j.link("Allocations", exact=True)
    j.upload("Spreadsheet", FIXTURES / "allocations_sample.xlsx")
    j.button("Upload", exact=True)
    j.button("Check the file")
    assert not page.locator(".govuk-error-summary").count()
    j.button("Import", exact=True)
    assert Allocation.objects.filter(status="planned").count() >= 5

    # 3. Hand over Ana's laptop and print the letter.
    j.nav("Allocations", section="Children")
    j.link("CAM-0001", exact=True)  # Ana's child record
    j.link("DFC-LAP-0001")  # her planned allocation
    page.get_by_label("Date handed over").fill(timezone.localdate().strftime("%d/%m/%Y"))
    page.get_by_label("Received by").fill("Maria Nowak")
    j.button("Record handover")
    allocation = Allocation.objects.get(device__serial="DFC-LAP-0001")
    assert allocation.status == "handed_over"
    j.link("Print the handover letter")
    letter = page.locator("main").inner_text()
    assert "Ana" in letter and "DFC-LAP-0001" in letter
    toolbar = page.locator(".app-letter-toolbar")
    assert toolbar.is_visible()
    page.emulate_media(media="print")
    assert not toolbar.is_visible()
    assert page.locator("main").is_visible()
