"""Idle SIM detection (connectivity.idle): the edges of the definition, the data date, and the
set-wise answer equal to the naive per-SIM one; the daily check's alerts, once per SIM and month."""

import datetime
import io

import pytest

from allocations.tests.factories import AllocationFactory
from connectivity import idle
from connectivity.daily_checks import run_idle
from connectivity.models import Sim
from connectivity.tests.factories import SimFactory, UsageReadingFactory
from devices.models import Alert

TODAY = datetime.date(2026, 11, 20)
D = datetime.date


def with_child(school, *, handed=D(2026, 6, 1), status="handed_over", sim_status=Sim.Status.ACTIVE):
    allocation = AllocationFactory(child__school=school, status=status, handed_over_on=handed if status == "handed_over" else None)
    return SimFactory(device=allocation.device, local_authority=school.local_authority, status=sim_status)


def months(sim, *values, first=D(2026, 7, 1)):
    from devices.horizon import add_months

    for i, mb in enumerate(values):
        UsageReadingFactory(sim=sim, period=add_months(first, i), granularity="month", mb_used=mb)


def day(sim, on, mb):
    UsageReadingFactory(sim=sim, period=on, granularity="day", mb_used=mb)


@pytest.fixture
def scene(school):
    """Data to 19 November (a day reading): the window is 21 October to 19 November."""
    sims = {}
    sims["reporter"] = with_child(school)
    day(sims["reporter"], D(2026, 11, 19), 40)  # sets the data date
    sims["idle"] = with_child(school)
    months(sims["idle"], 100, 100, 100, 0)  # July to October
    sims["stopped"] = with_child(school)
    months(sims["stopped"], 2000, 1500, 1600, 0)
    sims["used_in_october"] = with_child(school)
    months(sims["used_in_october"], 100, 100, 100, 50)
    sims["used_in_november"] = with_child(school)
    months(sims["used_in_november"], 100, 100, 100, 0)
    day(sims["used_in_november"], D(2026, 11, 10), 5)
    sims["before_window"] = with_child(school)  # used on 15 October only: before the window
    day(sims["before_window"], D(2026, 10, 15), 10)
    sims["new_handover"] = with_child(school, handed=D(2026, 11, 1))
    months(sims["new_handover"], 100, 100, 100, 0)
    sims["planned"] = with_child(school, status="planned")
    months(sims["planned"], 100, 100, 100, 0)
    sims["suspended"] = with_child(school, sim_status=Sim.Status.SUSPENDED)
    months(sims["suspended"], 100, 100, 100, 0)
    sims["not_reported"] = with_child(school)  # nothing since March: we know nothing recent
    months(sims["not_reported"], 0, first=D(2026, 3, 1))
    sims["in_stock"] = SimFactory(local_authority=school.local_authority)
    months(sims["in_stock"], 100, 100, 100, 0)
    return sims


def test_data_date_and_window(scene):
    win = idle.window(TODAY)
    assert (win.data_date, win.start, win.month_start, win.previous_start) == (D(2026, 11, 19), D(2026, 10, 21), D(2026, 10, 1), D(2026, 7, 1))


def test_finds_the_idle_and_the_stopped_and_nothing_else(scene):
    win, found = idle.idle_sims(TODAY)
    by_id = {s.sim_id: s for s in found}
    names = {name for name, sim in scene.items() if sim.pk in by_id}
    assert names == {"idle", "stopped", "before_window"}
    assert by_id[scene["stopped"].pk].reason == idle.STOPPED and by_id[scene["stopped"].pk].previous_mb == 1700
    assert by_id[scene["idle"].pk].reason == idle.IDLE and by_id[scene["idle"].pk].previous_mb == 100
    allocation = scene["idle"].device.allocations.get()
    s = by_id[scene["idle"].pk]
    assert (s.child_id, s.allocation_id, s.school_id, s.serial) == (allocation.child_id, allocation.pk, allocation.child.school_id, scene["idle"].device.serial)


def test_the_naive_way_gives_the_same_answer(scene):
    assert idle.idle_sims(TODAY)[1] == idle.idle_sims_naive(TODAY)[1]


def test_settings_change_the_window_and_the_threshold(scene, settings):
    settings.CONNECTIVITY_STOPPED_MIN_MB = 50
    assert {s.reason for s in idle.idle_sims(TODAY)[1] if s.sim_id == scene["idle"].pk} == {idle.STOPPED}
    settings.CONNECTIVITY_IDLE_DAYS = 60  # window from 21 September: September's 100 MB is in it
    assert idle.window(TODAY).start == D(2026, 9, 21)
    assert idle.idle_sims(TODAY)[1] == []


def test_months_not_yet_reported_do_not_make_sims_idle(school):
    sim = with_child(school)
    months(sim, 100, 100, 100, 100)  # July to October; November's bill not in yet
    win, found = idle.idle_sims(D(2026, 11, 20))
    assert win.data_date == D(2026, 10, 31) and found == []


def test_no_readings_no_idle_sims(db):
    assert idle.idle_sims(TODAY) == (None, [])


def test_the_data_date_is_never_after_today(school):
    sim = with_child(school)
    day(sim, D(2026, 12, 5), 0)
    assert idle.data_date(TODAY) == TODAY


def test_daily_check_raises_one_alert_per_sim_and_month(scene):
    out = io.StringIO()
    run_idle(TODAY, out)
    run_idle(TODAY + datetime.timedelta(days=1), out)
    alerts = Alert.objects.filter(kind__in=(Alert.Kind.SIM_IDLE, Alert.Kind.USAGE_STOPPED))
    assert sorted((a.sim_id, a.kind) for a in alerts) == sorted(
        [(scene["idle"].pk, "sim_idle"), (scene["before_window"].pk, "sim_idle"), (scene["stopped"].pk, "usage_stopped")]
    )
    assert all(a.school_id == scene["idle"].device.allocations.get().child.school_id for a in alerts)
    assert "Idle SIMs (usage to 2026-11-19): 3, alerts raised 3" in out.getvalue()
    assert out.getvalue().count("alerts raised 0, check-ins sent 0") == 1  # the second run
    out = io.StringIO()
    run_idle(D(2026, 12, 2), out)  # a new month: raised again
    assert "alerts raised 3" in out.getvalue()
    assert alerts.all().count() == 6


def test_detection_runs_in_a_fixed_number_of_queries(scene, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        idle.idle_sims(TODAY)
