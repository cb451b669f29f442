"""A council officer gives a child a data bank voucher, and the cliff-edge page moves that
child's data gap from "no plan" to "with a plan": the cover page -> children with no plan ->
the child -> choose a plan -> check your answers -> confirm -> the cover page again. axe-core
and the page checks run on every page on the way."""

import datetime

import pytest
from django.utils import timezone

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations.tests.factories import AllocationFactory, ChildFactory
from connectivity.models import DataVoucher
from connectivity.tests.factories import DataPlanFactory, DataVoucherFactory, SimFactory
from devices.tests.factories import LicenceFactory, RouterFactory
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser


def totals(page):
    def figure(name):
        return page.locator(f'[data-figure="{name}"]').first.inner_text().strip()

    return figure("data_gap_with_plan"), figure("data_gap_no_plan")


def test_officer_gives_a_data_bank_voucher_and_the_cliff_edge_moves_the_child(page, login, assert_accessible, transactional_db):
    today = timezone.localdate()
    la = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    school = SchoolFactory(local_authority=la, urn=990000, name="Argyle Primary School")
    handed = today - datetime.timedelta(days=100)
    child = ChildFactory(school=school, reference="CAM-0001", first_name="Ana", last_name="Nowak", needs_connectivity=True)
    router = RouterFactory(local_authority=la, school=school, status="handed_over", handed_over_on=handed)
    LicenceFactory(device=router, start=handed, end=handed + datetime.timedelta(days=3 * 366))
    DataPlanFactory(sim=SimFactory(local_authority=la, device=router), start=handed, end=today + datetime.timedelta(days=40))
    AllocationFactory(child=child, device=router, status="handed_over", handed_over_on=handed)
    DataVoucherFactory(local_authority=la, code="NDB-00000042", expires=today + datetime.timedelta(days=365))
    officer = UserFactory(username="olu", first_name="Olu", role="council_officer", local_authority=la)
    j = Journey(page, assert_accessible)
    login(page, officer)
    j.check()

    j.goto("/horizon/")
    with_plan, no_plan = totals(page)
    assert with_plan == "0" and int(no_plan) > 0
    j.link("Children who need connectivity with no plan for their data")
    row = page.locator("tr", has_text="CAM-0001")
    assert "Ana Nowak" in row.inner_text()
    j.follow(row.get_by_role("link", name="CAM-0001"))
    assert "No plan yet" in page.locator("#connection-plan ~ dl").first.inner_text()

    j.link("Choose where the child's data will come from")
    page.get_by_label("A data bank voucher or SIM").check()
    j.button("Continue")
    assert page.get_by_role("heading", name="Check your answers").is_visible()
    assert "NDB-00000042" in page.locator("main").inner_text()
    assert DataVoucher.objects.get(code="NDB-00000042").given_to is None  # checking gives nothing

    j.button("Confirm the plan")
    assert "Voucher NDB-00000042 given to Ana Nowak (CAM-0001)" in page.locator("main").inner_text()
    assert "A data bank voucher or SIM" in page.locator("[data-testid=current-plan]").inner_text()
    assert DataVoucher.objects.get(code="NDB-00000042").given_to == child

    j.goto("/horizon/")
    moved_with, moved_none = totals(page)
    assert int(moved_with) > 0
    assert int(moved_with) + int(moved_none) == int(no_plan)

    j.goto("/connection-plans/no-plan/")
    assert "CAM-0001" not in page.locator("main").inner_text()
