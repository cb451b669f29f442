"""Shortfall figures against hand-computed expectations on a small LA (reports/tests/conftest.py).

Named need: 4 children need a laptop (c1..c4); the school's latest laptop estimate is 5 (the
older 9 is superseded): need 9. Laptops and tablets in service: l1, l2, l3 at the school and l4
in central stock (l5 is lost): 4. Laptop shortfall 9 - 4 = 5, at £350 = £1,750.
Connectivity: c2 and c4 need it; c4 has a router with a plan active today; c2 has a laptop but
no data: 1, plus an estimate of 2 routers: 3, each at £45 + 36 x £10 = £405: £1,215.
"""

from decimal import Decimal

from reports import figures


def test_la_shortfall_matches_hand_count(small_la, django_assert_max_num_queries):
    la = small_la["la"]
    with django_assert_max_num_queries(5):  # children flags, children with data, devices, estimates, LAs
        s = figures.la_shortfall([la.pk])[0]
    assert s.children_need_device == 4
    assert s.estimated_device_need == 5
    assert s.device_need == 9
    assert s.devices == 4
    assert s.laptop_shortfall == 5
    assert s.laptop_cost == Decimal("1750.00")
    assert s.children_with_device == 3
    assert s.children_handed_over == 2
    assert s.children_awaiting_device == 1
    assert s.children_need_connectivity == 2
    assert s.children_connected == 1
    assert s.connectivity_gap_children == 1
    assert s.estimated_router_need == 2
    assert s.connectivity_shortfall == 3
    assert s.connectivity_cost == Decimal("1215.00")
    assert s.routers == 1
    assert s.devices_by_bucket == {"in_stock": 1, "allocated": 1, "handed_over": 2, "in_repair": 0, "out_of_service": 1}


def test_school_rows_split_central_stock(small_la):
    rows = figures.school_shortfall(small_la["la"].pk)
    by_name = {r.name: r for r in rows}
    school = by_name[small_la["school"].name]
    assert school.devices == 3 and school.laptop_shortfall == 6
    assert by_name["Second School"].device_need == 0
    assert by_name["Not yet at a school"].devices == 1


def test_other_la_is_separate(small_la, other_la):
    s = figures.la_shortfall([other_la.pk])[0]
    assert s.children_need_device == 1 and s.devices == 1 and s.estimated_device_need == 0


def test_allowance_evidence(small_la):
    months, overall = figures.allowance_evidence([small_la["la"].pk])
    assert len(months) == 1
    assert months[0].sims == 2 and months[0].exhausted == 1 and months[0].share == 50.0
    assert overall.sims == 2 and overall.exhausted == 1


def test_allowance_evidence_counts_each_sim_once_over_the_period(la, other_la):
    """A SIM read in several months counts once in the period's total, and as having used the
    whole allowance if it did in any one month; day readings, readings before the 12 months,
    after today and of another LA do not count."""
    import datetime

    from django.conf import settings
    from django.utils import timezone

    from connectivity.models import UsageReading
    from connectivity.tests.factories import SimFactory, UsageReadingFactory

    full = settings.DFE_DATA_ALLOWANCE_MB
    this = timezone.localdate().replace(day=1)
    last = (this - datetime.timedelta(days=1)).replace(day=1)
    a, b, c = (SimFactory(local_authority=la) for _ in range(3))
    UsageReadingFactory(sim=a, period=this, mb_used=full)
    UsageReadingFactory(sim=a, period=last, mb_used=10)
    UsageReadingFactory(sim=b, period=this, mb_used=full + 1)
    UsageReadingFactory(sim=b, period=last, mb_used=full)
    UsageReadingFactory(sim=c, period=last, mb_used=full - 1)
    UsageReadingFactory(sim=c, period=this, granularity=UsageReading.Granularity.DAY, mb_used=full)
    UsageReadingFactory(sim=c, period=this.replace(year=this.year - 2), mb_used=full)
    UsageReadingFactory(sim=c, period=this.replace(year=this.year + 1), mb_used=full)
    UsageReadingFactory(sim=SimFactory(local_authority=other_la), period=this, mb_used=full)

    months, overall = figures.allowance_evidence([la.pk])
    assert [(m.month, m.sims, m.exhausted) for m in months] == [(last, 3, 1), (this, 2, 2)]
    assert (overall.sims, overall.exhausted) == (3, 2)
    _, everyone = figures.allowance_evidence()
    assert (everyone.sims, everyone.exhausted) == (4, 3)


def test_horizon_uses_devices_horizon(small_la):
    h = figures.horizon([small_la["la"].pk])
    assert len(h.months) == 36 and len(h.cliff) == 36
    # Five devices in service (l1-l4 and the router); the lost laptop is not counted.
    assert h.devices == 5
    assert h.already_uncovered + h.losing_cover + h.covered_to_end == 5
    assert h.licence_cost == (Decimal("2.50") * h.licence_gap_months).quantize(Decimal("0.01"))


def test_support_picture_counts_tickets_by_language(small_la):
    from support.tests.factories import TicketFactory

    school = small_la["school"]
    TicketFactory(school=school, language="pl")
    TicketFactory(school=school, language="pl", status="closed")
    TicketFactory(school=school, language="so")
    picture = figures.support_picture([small_la["la"].pk])
    assert picture.backlog == 2
    by = {code: (open_, total) for code, _name, open_, total in picture.by_language}
    assert by == {"pl": (1, 2), "so": (1, 1)}


def test_dashboard_total_is_the_sum_of_school_rows(small_la):
    la = small_la["la"]
    direct = figures.la_shortfall([la.pk])[0]
    dash = figures.dashboard(la)
    for name in ("device_need", "devices", "laptop_shortfall", "children_with_device", "children_handed_over", "connectivity_shortfall", "routers"):
        assert getattr(dash.total, name) == getattr(direct, name), name
    assert dash.total_cost == dash.costs["laptops"] + dash.costs["connectivity"] + dash.costs["licences"] + dash.costs["data"]
