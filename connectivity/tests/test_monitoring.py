"""Allowance states, run-out projection, and the evidence percentiles."""

import datetime

import pytest

from connectivity.models import Sim
from connectivity.monitoring import (
    EXHAUSTED,
    NO_PLAN,
    OK,
    WARNING,
    evidence,
    likely_to_run_out,
    percentile_cont,
    project_runout,
    sim_months,
    state_for,
)
from connectivity.tests.factories import DataPlanFactory, SimFactory, UsageReadingFactory
from devices.tests.factories import RouterFactory

D = datetime.date
MARCH = D(2026, 3, 1)


def test_states():
    assert state_for(100, 1000) == OK
    assert state_for(799, 1000) == OK
    assert state_for(800, 1000) == WARNING
    assert state_for(1000, 1000) == EXHAUSTED
    assert state_for(1500, 1000) == EXHAUSTED
    assert state_for(10, None) == NO_PLAN


def test_projection_is_linear_from_month_to_date():
    # 1,000 MB in the first 10 days of March = 100 MB a day; 2,072 MB left of 3,072 -> 21 more days.
    assert project_runout(1000, 3072, MARCH, D(2026, 3, 10)) == D(2026, 3, 31)
    assert project_runout(0, 3072, MARCH, D(2026, 3, 10)) is None
    assert project_runout(4000, 3072, MARCH, D(2026, 3, 10)) is None
    assert project_runout(1000, 3072, MARCH, None) is None


def test_percentile_cont_matches_postgres_definition():
    assert percentile_cont([1, 2, 3, 4], 0.5) == 2.5
    assert percentile_cont([10, 20, 30, 40, 50, 60, 70, 80, 90, 100], 0.9) == pytest.approx(91.0)
    assert percentile_cont([7], 0.9) == 7
    assert percentile_cont([], 0.5) is None


@pytest.fixture
def usage(la, other_la, school):
    def sim_with(la, allowance, **device):
        sim = SimFactory(local_authority=la, device=RouterFactory(local_authority=la, **device))
        DataPlanFactory(sim=sim, allowance_mb=allowance, start=D(2026, 1, 1), end=D(2026, 6, 30))
        return sim

    ok = sim_with(la, 1000, school=school)
    UsageReadingFactory(sim=ok, period=MARCH, mb_used=300)
    warn = sim_with(la, 1000)
    UsageReadingFactory(sim=warn, period=MARCH, mb_used=850)
    done = sim_with(la, 1000)
    UsageReadingFactory(sim=done, period=MARCH, mb_used=1000)
    # Daily readings only: 40 MB a day for 10 days = 400 of 1,000: runs out on 25 March.
    fast = sim_with(la, 1000, school=school)
    for day in range(1, 11):
        UsageReadingFactory(sim=fast, period=D(2026, 3, day), granularity="day", mb_used=40)
    # Daily readings, slow: 10 MB a day, 900 MB left -> 90 more days, 8 June.
    slow = sim_with(la, 1000)
    for day in range(1, 11):
        UsageReadingFactory(sim=slow, period=D(2026, 3, day), granularity="day", mb_used=10)
    other = sim_with(other_la, 1000)
    UsageReadingFactory(sim=other, period=MARCH, mb_used=990)
    return {"ok": ok, "warn": warn, "done": done, "fast": fast, "slow": slow, "other": other}


def test_sim_months(usage, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        months = sim_months(Sim.objects.all(), MARCH)
    assert months[usage["ok"].pk].state == OK
    assert months[usage["warn"].pk].state == WARNING
    assert months[usage["done"].pk].state == EXHAUSTED
    fast = months[usage["fast"].pk]
    assert (fast.used_mb, fast.last_day_read, fast.projected_runout) == (400.0, D(2026, 3, 10), D(2026, 3, 25))
    assert fast.likely_to_run_out and fast.plan_end == D(2026, 6, 30)
    slow = months[usage["slow"].pk]
    assert slow.projected_runout == D(2026, 6, 8) and not slow.likely_to_run_out


def test_likely_to_run_out_is_scoped(usage, users):
    officer_rows = likely_to_run_out(users["council_officer"], MARCH)
    assert [r.sim.pk for r in officer_rows] == [usage["done"].pk, usage["warn"].pk, usage["fast"].pk]
    school_rows = likely_to_run_out(users["school_staff"], MARCH)
    assert [r.sim.pk for r in school_rows] == [usage["fast"].pk]
    assert likely_to_run_out(users["london_lead"], MARCH) == []
    assert len(likely_to_run_out(users["admin"], MARCH)) == 4


def test_evidence_per_la_and_month(la, other_la):
    # Ten SIMs in Camden using 100, 200 ... 1000 MB of a 900 MB allowance in March.
    for i in range(1, 11):
        sim = SimFactory(local_authority=la)
        DataPlanFactory(sim=sim, allowance_mb=900, start=D(2026, 1, 1), end=D(2026, 12, 31))
        UsageReadingFactory(sim=sim, period=MARCH, mb_used=100 * i)
        UsageReadingFactory(sim=sim, period=D(2026, 4, 1), mb_used=50)
    # A SIM with usage but no plan that month is not counted.
    UsageReadingFactory(sim=SimFactory(local_authority=la), period=MARCH, mb_used=5000)
    # Daily readings count when there is no monthly reading.
    sim = SimFactory(local_authority=other_la)
    DataPlanFactory(sim=sim, allowance_mb=100, start=D(2026, 3, 1), end=D(2026, 3, 31))
    UsageReadingFactory(sim=sim, period=D(2026, 3, 2), granularity="day", mb_used=60)
    UsageReadingFactory(sim=sim, period=D(2026, 3, 3), granularity="day", mb_used=60)

    figures = {(e.local_authority_id, e.month): e for e in evidence([la.pk, other_la.pk], MARCH, D(2026, 4, 1))}
    march = figures[(la.pk, MARCH)]
    assert (march.sims, march.exhausted, march.exhausted_percent) == (10, 2, 20.0)
    assert march.median_mb == pytest.approx(550.0)
    assert march.p90_mb == pytest.approx(910.0)
    april = figures[(la.pk, D(2026, 4, 1))]
    assert (april.sims, april.exhausted, april.median_mb) == (10, 0, 50.0)
    hackney = figures[(other_la.pk, MARCH)]
    assert (hackney.sims, hackney.exhausted, hackney.median_mb) == (1, 1, 120.0)
    assert evidence([la.pk], D(2025, 1, 1), D(2025, 1, 1)) == []
