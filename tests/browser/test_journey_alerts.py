"""An officer acknowledges a repeated alert as one line, at 1280 px: the line's SIMs are behind a
GOV.UK details, the Acknowledge all button is in view without scrolling sideways, and each page
is checked by axe-core."""

import datetime

import pytest

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from devices.models import Alert
from connectivity.tests.factories import SimFactory
from devices.tests.factories import RouterFactory
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser


def test_officer_acknowledges_a_repeated_alert_at_1280_px(page, login, assert_accessible, transactional_db):
    camden = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    school = SchoolFactory(local_authority=camden, name="Camden Academy With A Rather Long Name For A School")
    iccids = []
    for i in range(3):
        router = RouterFactory(local_authority=camden, school=school)
        sim = SimFactory(local_authority=camden, device=router)
        iccids.append(sim.iccid)
        Alert.objects.create(
            key=f"w:{i}", kind=Alert.Kind.ALLOWANCE_WARNING, local_authority=camden, school=school, device=router, sim=sim,
            message=f"SIM {sim.iccid} has used 85% of its data for 11/2026 (850 of 1000 MB).", due=datetime.date(2026, 11, 20),
        )
    Alert.objects.create(key="p", kind=Alert.Kind.PLAN_ENDING, local_authority=camden, message="The data plan ends on 30/11/2026.",
                         due=datetime.date(2026, 11, 30))
    officer = UserFactory(username="olu", first_name="Olu", role="council_officer", local_authority=camden)
    page.set_viewport_size({"width": 1280, "height": 800})
    j = Journey(page, assert_accessible)
    login(page, officer)
    j.check()
    j.link("Open alerts")
    assert page.get_by_role("heading", level=1).inner_text() == "Alerts"
    # One line for the three SIMs, with them behind "3 alerts".
    page.locator("summary", has_text="3 alerts").click()
    for iccid in iccids:
        assert page.get_by_role("link", name=f"SIM {iccid}").is_visible()
    j.check()
    button = page.get_by_role("button", name="Acknowledge all 3")
    box = button.bounding_box()
    assert box and box["x"] + box["width"] <= 1280, box
    wrapper = page.locator(".app-table-wrapper").first
    assert wrapper.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table scrolls sideways at 1280 px"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    j.follow(button)
    assert page.get_by_role("heading", level=1).inner_text() == "Acknowledge all 3 alerts?"
    j.button("Acknowledge all 3 alerts")
    assert "3 alerts acknowledged." in page.locator("main").inner_text()
    assert Alert.objects.filter(acknowledged_by=officer).count() == 3
    assert not Alert.objects.filter(key="p", acknowledged_at__isnull=False).exists()
