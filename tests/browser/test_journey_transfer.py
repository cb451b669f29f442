"""Camden proposes moving a child (with their laptop) to Hackney; Hackney's officer, in a second
browser, sees the proposal without the child's name or the serial, accepts it with a Hackney
reference and no school yet; the device page's custody log then shows both councils, and
Camden's officer no longer sees the child or the laptop, only the record of the move. axe-core
and the page checks run on every page on the way."""

import pytest

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations.models import Child
from allocations.tests.factories import ChildFactory, handed_over
from tests.browser.journeys_helpers import Journey, another_person
from transfers.models import ChildTransfer

pytestmark = pytest.mark.browser


def test_camden_proposes_a_move_and_hackney_accepts_it(page, browser, live_server, login, assert_accessible, transactional_db):
    camden = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    hackney = LocalAuthorityFactory(code="204", name="Hackney", gss_code="E09000012")
    LocalAuthorityFactory(code="206", name="Islington", gss_code="E09000019")
    school = SchoolFactory(local_authority=camden, name="Regent High School")
    SchoolFactory(local_authority=hackney, name="Mossbourne Academy")
    child = ChildFactory(school=school, first_name="Ayesha", last_name="Khan", reference="CAM-0042", preferred_language="ur", year_group="8")
    device = handed_over(child=child, serial="PF3XK9", make="Lenovo", model="300e", kind="laptop").device
    camden_officer = UserFactory(username="olu", first_name="Olu", last_name="Ade", role="council_officer", local_authority=camden)
    hackney_officer = UserFactory(username="hana", first_name="Hana", last_name="Kowalski", role="council_officer", local_authority=hackney)

    j = Journey(page, assert_accessible)
    login(page, camden_officer)
    j.goto(child.get_absolute_url())
    j.link("Move this child to another council")
    page.get_by_label("Which council is the child moving to?").select_option(label="Hackney")
    page.get_by_label("They move with the child to the new council's records").check()
    page.get_by_label("Note for the receiving council (optional)").fill("Family rehoused in Hackney. Call Olu on 020 7974 0000.")
    j.button("Continue")
    assert page.locator("h1").inner_text() == "Check your answers before proposing the move"
    assert "Laptop PF3XK9: moves with the child" in page.locator("main").inner_text()
    j.button("Propose the move")
    assert "Move proposed. Hackney has been asked to accept it." in page.locator("main").inner_text()
    transfer = ChildTransfer.objects.get()

    with another_person(browser, live_server.url, "hackney") as other:
        h = Journey(other, assert_accessible)
        login(other, hackney_officer)
        h.goto("/")
        h.link("Children moving to your council")
        h.link("CAM-0042")
        main = other.locator("main").inner_text()
        assert "Year 8" in main and "Laptop, Lenovo 300e" in main
        assert "Ayesha" not in main and "PF3XK9" not in main
        h.link("Accept the move")
        other.get_by_label("The child's reference in your council").fill("HAC-0107")
        h.button("Continue")
        assert other.locator("h1").inner_text().startswith("Are you sure you want to take over this child's record from Camden?")
        h.button("Yes, accept the move")
        assert other.locator("h1").inner_text() == "Ayesha Khan"
        assert "Moved here from Camden" in other.locator("main").inner_text()
        h.goto(device.get_absolute_url())
        history = other.locator("main").inner_text()
        assert "Moved with the child from Camden to Hackney." in history and "Received by Hackney from Camden." in history

    child = Child.objects.get(pk=child.pk)
    assert (child.local_authority, child.reference, child.school) == (hackney, "HAC-0107", None)
    response = page.goto(child.get_absolute_url())
    assert response.status == 404
    response = page.goto(device.get_absolute_url())
    assert response.status == 404
    j.goto("/children/")
    assert "Ayesha" not in page.locator("main").inner_text()
    j.goto(transfer.get_absolute_url())
    record = page.locator("main").inner_text()
    assert "Accepted" in record and "CAM-0042" in record and "Hackney" in record
    assert "Ayesha" not in record and "PF3XK9" not in record and "HAC-0107" not in record
