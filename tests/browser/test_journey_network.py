"""A stolen device puts a suspension in the network's queue; the network's user, who sees no
other network's requests, marks it done by uploading a CSV; the officer sees it done and the
SIM suspended. Every page is checked with axe-core and page_checks.js."""

import pytest

from accounts.tests.factories import LocalAuthorityFactory, UserFactory
from connectivity import services as connectivity_services
from connectivity.models import NetworkRequest, Sim
from connectivity.tests.factories import NetworkOperatorFactory, SimFactory
from devices import services as device_services
from devices.tests.factories import RouterFactory
from tests.browser.journeys_helpers import Journey, another_person

pytestmark = pytest.mark.browser


def test_stolen_device_suspended_by_the_network_through_a_csv(page, browser, live_server, login, assert_accessible, transactional_db, tmp_path):
    camden = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    ee, vodafone = NetworkOperatorFactory(name="EE", slug="ee"), NetworkOperatorFactory(name="Vodafone", slug="vodafone")
    officer = UserFactory(username="olu", first_name="Olu", last_name="Adebayo", role="council_officer", local_authority=camden)
    router = RouterFactory(local_authority=camden, serial="DEMO202R024")
    device_services.mark_in_stock(device=router, by=officer)
    sim = SimFactory(local_authority=camden, network=ee, device=router)
    other = connectivity_services.raise_request(kind="swap", sim=SimFactory(local_authority=camden, network=vodafone), by=officer)
    network_user = UserFactory(username="nadia", first_name="Nadia", role="network", network_operator=ee)

    # The officer marks the device stolen on its page.
    j = Journey(page, assert_accessible)
    login(page, officer)
    j.goto(router.get_absolute_url())
    page.get_by_label("Stolen", exact=True).check()
    page.get_by_label("Note").fill("Stolen from the family's car; crime reference 01/123456/26.")
    j.button("Save status")
    request = NetworkRequest.objects.get(sim=sim, kind="suspend")
    assert request.status == "requested"

    # The network's user sees EE's queue only, and uploads a CSV marking it done.
    with another_person(browser, live_server.url, "network user") as tab:
        n = Journey(tab, assert_accessible)
        login(tab, network_user)
        n.check()
        assert "EE" in tab.locator("main").inner_text()
        n.link("Open requests")
        listed = tab.locator("main").inner_text()
        assert request.reference in listed and other.reference not in listed
        n.nav("Upload statuses")
        csv = tmp_path / "ee-statuses.csv"
        csv.write_text(f"Request,Status,Problem code,Note\n{other.reference},done,,\n", encoding="utf-8")
        n.upload("Status file", str(csv))
        n.button("Check the file")
        assert f"There is no request {other.reference} for your network." in tab.locator("main").inner_text()
        csv.write_text(f"Request,Status,Problem code,Note\n{request.reference},Done,,Barred at 10:02\n", encoding="utf-8")
        n.upload("Status file", str(csv))
        n.button("Check the file")
        assert "1 request is ready to update" in tab.locator("main").inner_text()
        n.button("Update the requests")
        assert "1 requests updated." in tab.locator("main").inner_text()

    # The officer sees it done, by the network, and the SIM suspended.
    j.goto(request.get_absolute_url())
    text = page.locator("main").inner_text()
    assert "Done" in text and "Barred at 10:02" in text and "EE (Nadia" in text
    j.goto(sim.get_absolute_url())
    assert "Suspended" in page.locator("main").inner_text()
    assert Sim.objects.get(pk=sim.pk).status == Sim.Status.SUSPENDED
    assert NetworkRequest.objects.get(pk=other.pk).status == "requested"
