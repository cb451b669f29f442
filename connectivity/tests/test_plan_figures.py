"""The data gap split by connection plan: one definition (``connectivity.plan_gap``, registered
in ``reports.definitions``), the same numbers on the cover page, the CIO dashboard and the DfE
return, equal to the naive per-device count, and adding up to the horizon's data gap."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.tests.factories import SchoolFactory, UserFactory
from allocations.tests.factories import AllocationFactory, ChildFactory
from connectivity import plan_gap, plans
from connectivity.models import ConnectionPlan
from connectivity.tests.factories import DataPlanFactory, DataVoucherFactory, SimFactory
from devices.tests.factories import DeviceFactory, LicenceFactory, RouterFactory
from reports import definitions
from reports.tests.test_same_figure import by_label, number, page_figures


def _pg_set_locals():
    from django.db import connection

    return 2 if connection.vendor == "postgresql" else 0


#: On PostgreSQL each horizon query also sets work_mem and jit for its transaction
#: (devices.horizon._run): two more statements per horizon query.
PG_SET_LOCALS = _pg_set_locals()

K = ConnectionPlan.Kind
NAMES = ("data_gap_with_plan", "data_gap_no_plan", "data_gap_plan_cost")


def connected_child(la, school, today, plan_days=60, handed_days=100):
    """A child needing connectivity with a router handed over and a plan ending soon."""
    child = ChildFactory(school=school, needs_connectivity=True)
    handed = today - datetime.timedelta(days=handed_days)
    router = RouterFactory(local_authority=la, school=school, status="handed_over", handed_over_on=handed)
    LicenceFactory(device=router, start=handed, end=handed + datetime.timedelta(days=3 * 366))
    sim = SimFactory(local_authority=la, device=router)
    DataPlanFactory(sim=sim, start=handed, end=today + datetime.timedelta(days=plan_days))
    AllocationFactory(child=child, device=router, status="handed_over", handed_over_on=handed)
    return child


@pytest.fixture
def world(la, other_la, officer):
    today = timezone.localdate()
    school = SchoolFactory(local_authority=la)
    children = [connected_child(la, school, today, plan_days=30 * (i + 1)) for i in range(9)]
    for i, child in enumerate(children[:3]):
        plans.choose_plan(child=child, kind=K.COUNCIL_PLAN, by=officer, provider="EE", monthly_cost=Decimal("12.50"))
    plans.choose_plan(
        child=children[3], kind=K.SOCIAL_TARIFF, by=officer, provider="BT", outcome="accepted", monthly_cost=Decimal("15"),
        starts=today + datetime.timedelta(days=200), ends=today + datetime.timedelta(days=500),
    )
    DataVoucherFactory(local_authority=la)
    plans.give_voucher(child=children[4], by=officer)
    plans.choose_plan(child=children[5], kind=K.NONE, by=officer)
    RouterFactory(local_authority=la, school=None, status="in_stock")  # a router with no child: no plan
    # a laptop for a child who needs connectivity, with no SIM: a data gap from the start
    lone = ChildFactory(school=school, needs_connectivity=True)
    laptop = DeviceFactory(local_authority=la, school=school, status="handed_over", handed_over_on=today - datetime.timedelta(days=40))
    AllocationFactory(child=lone, device=laptop, status="handed_over", handed_over_on=today - datetime.timedelta(days=40))
    connected_child(other_la, SchoolFactory(local_authority=other_la), today)  # Hackney's: not in Camden's figures
    return {"la": la, "other_la": other_la, "today": today}


def test_split_equals_the_naive_count_and_adds_up_to_the_data_gap(world):
    la, today = world["la"], world["today"]
    fast = plan_gap.data_gap_by_plan(today)
    slow = plan_gap.data_gap_by_plan_python(today)
    assert set(fast) == set(slow) == {la.pk, world["other_la"].pk}
    for la_id in fast:
        assert fast[la_id] == slow[la_id]
    facts = definitions.Facts(definitions.Scope.for_la(la), today)
    values = definitions.values(["data_gap_months", *NAMES], facts)
    assert values["data_gap_with_plan"] + values["data_gap_no_plan"] == values["data_gap_months"]
    assert values["data_gap_with_plan"] > 0 and values["data_gap_no_plan"] > 0 and values["data_gap_plan_cost"] > 0
    gap = facts.plan_gap
    assert sum(gap.with_plan) == values["data_gap_with_plan"] and sum(gap.no_plan) == values["data_gap_no_plan"]
    # council plans without dates cover every gap month: 3 children x their gap months x £12.50,
    # plus the social tariff's months inside its dates at £15
    assert values["data_gap_plan_cost"] == gap.plan_cost


def test_a_voucher_moves_a_child_from_no_plan_to_plan(la, school, officer):
    today = timezone.localdate()
    child = connected_child(la, school, today)
    before = plan_gap.total(today, [la.pk])
    assert before.with_plan_months == 0 and before.no_plan_months > 0
    DataVoucherFactory(local_authority=la)
    plan = plans.give_voucher(child=child, by=officer)
    after = plan_gap.total(today, [la.pk])
    months_covered = after.with_plan_months
    assert months_covered > 0 and after.with_plan_months + after.no_plan_months == before.no_plan_months
    # the voucher's six months: the gap months from the plan's end to the voucher's end
    assert plan.ends.month and months_covered <= 7


def test_the_same_split_on_the_cover_page_the_dashboard_and_the_dfe_return(client, world, django_assert_max_num_queries):
    la = world["la"]
    client.force_login(UserFactory(role="cio", local_authority=la))
    facts = definitions.Facts(definitions.Scope.for_la(la))
    want = definitions.values(NAMES, facts)
    seen = {}
    for surface, url in (("dashboard", reverse("reports:dashboard")), ("cover", reverse("devices:cliff_edge"))):
        found = page_figures(client.get(url).content.decode())
        for name in NAMES:
            seen[(surface, name)] = found.get(name)
    wb = load_workbook(io.BytesIO(client.get(reverse("reports:dfe_return")).content))
    labels = by_label()
    summary = {labels[row[0]]: number(row[1]) for row in wb["Summary"].iter_rows(min_row=4, values_only=True) if row[0] in labels}
    for name in NAMES:
        seen[("DfE return", name)] = {summary[name]}
    problems = [f"{name} on {surface}: {value}, registry {want[name]}" for (surface, name), value in seen.items() if value != {want[name]}]
    assert not problems, problems
    # the months: the cover page's table, the dashboard's and the workbook's sheet agree
    gap = facts.plan_gap
    sheet = list(wb["Data gap and plans"].iter_rows(min_row=3, values_only=True))
    with_row, none_row = sheet[1], sheet[2]
    assert list(with_row[1:37]) == gap.with_plan and list(none_row[1:37]) == gap.no_plan
    assert with_row[37] == sum(gap.with_plan)
    html = client.get(reverse("devices:cliff_edge")).content.decode()
    assert html.count('data-plan="with"') == 36
    # The split takes the gap from the horizon the page computed: only the plans' side is read
    # again (one query in its savepoint; SET LOCALs on PostgreSQL). 16 + 3 horizon queries before.
    with django_assert_max_num_queries(13 + PG_SET_LOCALS * 2):
        client.get(reverse("devices:cliff_edge"))


def test_the_london_lead_sees_the_split_suppressed_by_the_one_policy(client, la, school, officer):
    today = timezone.localdate()
    child = connected_child(la, school, today)
    plans.choose_plan(child=child, kind=K.COUNCIL_PLAN, by=officer, monthly_cost=Decimal("10"))
    client.force_login(UserFactory(role="london_lead"))
    html = client.get(reverse("devices:cliff_edge"), {"la": la.pk}).content.decode()
    found = page_figures(html)
    facts = definitions.Facts(definitions.Scope.for_la(la), today)
    # SIM-months of one child are not small, but each month's 1 is: hidden, never shown
    assert found["data_gap_with_plan"] <= {definitions.value("data_gap_with_plan", facts), "[c]"}
    import re

    cells = re.findall(r'data-plan="(?:with|none)">([^<]*)<', html)
    assert len(cells) == 72
    assert not [c for c in cells if c.strip().isdigit() and 1 <= int(c) <= 4]
    assert "[c]" in cells


def test_school_scope_has_no_split():
    facts = definitions.Facts(definitions.Scope((1,), 5))
    assert definitions.value("data_gap_with_plan", facts) is None


def test_the_split_from_the_horizons_gap_groups_is_the_split_read_directly(world, other_la):
    """The cliff edge passes the gap its horizon query read (``LaHorizon.data_gap_groups``) to
    the split instead of reading it again: the same figures, from the summary table or from the
    device table, for one LA or several."""
    from devices import horizon as hz

    today = timezone.localdate()
    la = world["la"]
    for la_ids in ([la.pk], [la.pk, other_la.pk], None):
        read = plan_gap.total(today, la_ids)
        for horizons in (hz.cliff_edge(today, la_ids=la_ids), hz.cliff_edge_direct(today, la_ids=la_ids)):
            groups = [g for entry in horizons.values() for g in entry.data_gap_groups]
            passed = plan_gap.total(today, la_ids, gap_groups=groups)
            assert (passed.with_plan, passed.no_plan, passed.with_plan_months, passed.no_plan_months, passed.plan_cost) == (
                read.with_plan, read.no_plan, read.with_plan_months, read.no_plan_months, read.plan_cost)
    assert read.no_plan_months > 0 and read.with_plan_months > 0
    facts = definitions.Facts(definitions.Scope.for_la(la), today, horizon=definitions.as_horizon(hz.la_horizon(la, today), today))
    assert facts.plan_gap.no_plan == plan_gap.total(today, [la.pk]).no_plan
