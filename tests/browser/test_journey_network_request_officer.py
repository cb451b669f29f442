"""An officer asks for extra data on a family's own phone from the child page (the DfE scheme's
offer), is told what is missing, sends it, and finds it in the requests list; each page is
checked by axe-core and page_checks.js."""

import pytest

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations.tests.factories import ChildFactory
from connectivity.models import NetworkRequest
from connectivity.tests.factories import NetworkOperatorFactory
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser


def test_officer_asks_for_extra_data_on_a_familys_phone(page, login, assert_accessible, transactional_db):
    camden = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    school = SchoolFactory(local_authority=camden, name="Camden School")
    NetworkOperatorFactory(name="EE", slug="ee")
    NetworkOperatorFactory(name="Vodafone", slug="vodafone")
    child = ChildFactory(school=school, first_name="Amani", last_name="Hassan", reference="CAM-77", guardian_name="Faduma Hassan",
                         guardian_phone="+447700900333", preferred_language="so")
    officer = UserFactory(username="olu", first_name="Olu", role="council_officer", local_authority=camden)
    j = Journey(page, assert_accessible)
    login(page, officer)
    j.goto(f"/children/{child.pk}/")
    j.link("Ask for extra data on the family's own phone")
    assert page.get_by_role("heading", level=1).inner_text() == "Extra data on the family's own phone"
    assert page.get_by_label("Account holder's name").input_value() == "Faduma Hassan"
    assert page.get_by_label("Mobile number", exact=True).input_value() == "07700 900333"
    page.get_by_label("Network", exact=True).select_option(label="Vodafone")
    page.get_by_label("Pay as you go", exact=True).check()
    j.button("Send the request")  # without the family's consent
    assert "The family must agree to share the number with the network" in page.locator(".govuk-error-summary").inner_text()
    j.check()
    page.get_by_label("The family agreed that we share this number and name with their network").check()
    j.button("Send the request")
    request = NetworkRequest.objects.get()
    assert page.get_by_role("heading", level=1).inner_text() == f"Request {request.reference}"
    assert "Extra data on the family's own phone" in page.locator("main").inner_text()
    j.check()
    j.goto("/network-requests/")
    row = page.locator("tr", has_text=request.reference)
    assert "Vodafone" in row.inner_text() and "07700 900333" in row.inner_text() and "Requested" in row.inner_text()
    assert (request.child, request.network.slug, request.phone_plan, request.consent_given) == (child, "vodafone", "payg", True)
    j.goto(f"/children/{child.pk}/")
    assert page.locator("main").get_by_role("link", name=request.reference).is_visible()
