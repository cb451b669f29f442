"""The London lead publishes the month's figures to the London Datastore (outbox driver):
Home -> London Datastore -> Publish this month's figures -> the confirmation page -> Confirm
and publish -> the publication's record (status, SHA-256, files). axe-core checks each page."""

import csv
import hashlib
import io

import pytest

from accounts.tests.factories import LocalAuthorityFactory, UserFactory
from devices.tests.factories import DeviceFactory
from publishing.models import Publication
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser


def test_london_lead_publishes_the_months_figures(page, login, assert_accessible, transactional_db, settings):
    settings.PUBLISHING_DRIVER = "outbox"
    camden = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    hackney = LocalAuthorityFactory(code="204", name="Hackney", gss_code="E09000012")
    for i in range(3):  # a small number: suppressed in what is published
        DeviceFactory(serial=f"CAM-{i}", local_authority=camden, status="in_stock")
    for i in range(12):
        DeviceFactory(serial=f"HCK-{i}", local_authority=hackney, status="in_stock")
    lead = UserFactory(username="lola", first_name="Lola", role="london_lead")
    j = Journey(page, assert_accessible)
    login(page, lead)
    j.check()
    assert "Not published yet" in page.locator("main").inner_text()

    j.nav("London Datastore")
    assert page.get_by_role("heading", level=1).inner_text() == "Publications"
    j.button("Publish this month's figures")  # a link styled and named as a button
    text = page.locator("main").inner_text()
    assert "Confirm and publish" in text and "Open Government Licence v3.0" in text
    assert "The outbox (nothing leaves the service)" in text
    assert not Publication.objects.exists()  # the confirmation page publishes nothing

    j.button("Confirm and publish")
    publication = Publication.objects.get()
    assert publication.status == "published" and publication.requested_by == lead
    main = page.locator("main").inner_text()
    assert "Published" in main and publication.csv_sha256 in main and "by Lola" in main
    camden_row = next(r for r in csv.DictReader(io.StringIO(publication.csv_text)) if r["la_name"] == "Camden")
    assert camden_row["laptops_in_stock"] == "[c]"

    j.link("All publications")
    row = page.locator("tbody tr").first.inner_text()
    assert "Published" in row and publication.csv_sha256[:12] in row
    j.follow(page.locator("tbody tr").first.get_by_role("link").first)
    assert hashlib.sha256(publication.csv_text.encode()).hexdigest() in page.locator("main").inner_text()
