"""The three-year horizon, against figures worked out by hand (see each test's comments)."""

import datetime
from decimal import Decimal

import pytest

from allocations.tests.factories import AllocationFactory, ChildFactory
from devices.horizon import cliff_edge, cliff_edge_python, device_months, first_gap, la_horizon
from devices.models import DeviceKind, DeviceStatus
from connectivity.tests.factories import DataPlanFactory, SimFactory
from devices.tests.factories import DeviceFactory, LicenceFactory

TODAY = datetime.date(2026, 11, 26)
D = datetime.date


@pytest.fixture
def horizon_data(la, other_la, settings):
    settings.DFE_LICENCE_MONTHS = 6
    settings.UNIT_PRICES = {**settings.UNIT_PRICES, "licence_month": 2.5, "data_month": 10.0}
    # A: laptop delivered 15 Jan 2026, no licences -> DfE default cover 15 Jan - 14 Jul 2026.
    a = DeviceFactory(local_authority=la, delivered_on=D(2026, 1, 15))
    # B: handed over 10 Mar 2026, licence March 2026 - February 2027.
    b = DeviceFactory(local_authority=la, delivered_on=D(2026, 1, 15), handed_over_on=D(2026, 3, 10))
    LicenceFactory(device=b, start=D(2026, 3, 1), end=D(2027, 2, 28))
    # C: router, licence to the end of 2028, data plans to 14 Jan 2027.
    c = DeviceFactory(local_authority=la, kind=DeviceKind.ROUTER, delivered_on=D(2026, 1, 15))
    LicenceFactory(device=c, start=D(2026, 1, 1), end=D(2028, 12, 31))
    sim = SimFactory(local_authority=la, device=c)
    DataPlanFactory(sim=sim, start=D(2026, 1, 15), end=D(2026, 7, 14))
    DataPlanFactory(sim=sim, start=D(2026, 7, 15), end=D(2027, 1, 14))
    # Lost devices are out of the horizon.
    DeviceFactory(local_authority=la, status=DeviceStatus.LOST, delivered_on=D(2026, 1, 15))
    # Other LA: E covered for its whole horizon; F a laptop for a child who needs
    # connectivity but has no SIM.
    e = DeviceFactory(local_authority=other_la, delivered_on=D(2026, 6, 1))
    LicenceFactory(device=e, start=D(2026, 6, 1), end=D(2029, 5, 31))
    f = DeviceFactory(local_authority=other_la, delivered_on=D(2026, 6, 1))
    LicenceFactory(device=f, start=D(2026, 6, 1), end=D(2029, 5, 31))
    child = ChildFactory(school__local_authority=other_la, needs_connectivity=True)
    AllocationFactory(child=child, device=f, status="handed_over")
    return {"a": a, "b": b, "c": c, "e": e, "f": f}


def test_device_months_default_dfe_cover(horizon_data):
    months = device_months(horizon_data["a"], TODAY)
    assert len(months) == 36
    assert months[0] == (D(2026, 1, 1), True, None)  # from delivery (15th) to the month's end
    assert [m[1] for m in months[:6]] == [True] * 6
    assert months[6] == (D(2026, 7, 1), False, None)  # cover ends 14 July: July is not covered
    assert months[-1][0] == D(2028, 12, 1)
    assert sum(m[1] for m in months) == 6


def test_device_months_from_handover_and_data(horizon_data):
    b = device_months(horizon_data["b"], TODAY)
    assert b[0][0] == D(2026, 3, 1)
    assert sum(m[1] for m in b) == 12 and b[11] == (D(2027, 2, 1), True, None) and b[12][1] is False
    c = device_months(horizon_data["c"], TODAY)
    assert all(m[1] for m in c)
    # Two consecutive plans cover Jan 2026 - Dec 2026 whole; January 2027 ends on the 14th.
    assert [m[2] for m in c[:13]] == [True] * 12 + [False]
    f = device_months(horizon_data["f"], TODAY)
    assert all(m[2] is False for m in f)


def test_device_months_shows_a_hole_between_licences(la):
    device = DeviceFactory(local_authority=la, delivered_on=D(2026, 1, 1))
    LicenceFactory(device=device, start=D(2026, 1, 1), end=D(2026, 3, 31))
    LicenceFactory(device=device, start=D(2026, 5, 1), end=D(2028, 12, 31))
    months = device_months(device, TODAY)
    assert [m[1] for m in months[:6]] == [True, True, True, False, True, True]
    assert first_gap(device, TODAY) is None  # the hole is in the past
    assert first_gap(device, D(2026, 4, 2)) == D(2026, 4, 1)


def test_device_months_without_dates_starts_today(la):
    device = DeviceFactory(local_authority=la, delivered_on=None)
    months = device_months(device, TODAY)
    assert months[0][0] == D(2026, 11, 1)
    # Default cover from today (26 Nov) for six months: December to April whole, May not.
    assert [m[1] for m in months[:7]] == [True, True, True, True, True, True, False]


def test_cliff_edge_figures(horizon_data, la, other_la):
    result = cliff_edge(TODAY)
    camden = result[la.pk]
    assert camden.devices == 3
    assert camden.already_uncovered == 1  # A lost cover in July 2026
    assert camden.months[0] == D(2026, 11, 1)
    assert camden.cliff[2] == 1  # C's data ends 14 Jan 2027
    assert camden.cliff[4] == 1  # B's licence ends 28 Feb 2027: March is the first gap
    assert camden.losing_cover == 2
    assert camden.licence_uncovered_months == 30 + 24 + 0
    assert camden.data_uncovered_months == 24
    assert camden.licence_gap_months_ahead == 26 + 24  # A: Nov 2026 - Dec 2028; B: Mar 2027 - Feb 2029
    assert camden.data_gap_months_ahead == 24
    assert camden.cost == Decimal("365.00")  # 50 * 2.50 + 24 * 10.00

    hackney = result[other_la.pk]
    assert hackney.devices == 2
    assert hackney.covered_to_end == 1
    assert hackney.already_uncovered == 1
    assert hackney.data_uncovered_months == 36
    assert hackney.data_gap_months_ahead == 31  # Nov 2026 - May 2029
    assert hackney.cost == Decimal("310.00")


def test_python_anchor_agrees_with_sql(horizon_data):
    assert cliff_edge_python(TODAY) == cliff_edge(TODAY)


def test_la_horizon_for_one_la_and_empty_la(horizon_data, la, db):
    from accounts.tests.factories import LocalAuthorityFactory

    assert la_horizon(la, TODAY).devices == 3
    empty = la_horizon(LocalAuthorityFactory(code="999"), TODAY)
    assert empty.devices == 0 and len(empty.rows()) == 36 and empty.cost == Decimal("0.00")


def test_figures_for_some_las_equal_the_national_query(horizon_data, la, other_la):
    # la_ids only filters the same query; the figures must not change.
    national = cliff_edge(TODAY)
    assert cliff_edge(TODAY, la_ids=[la.pk]) == {la.pk: national[la.pk]}
    assert cliff_edge(TODAY, la_ids=[other_la.pk]) == {other_la.pk: national[other_la.pk]}
    assert cliff_edge(TODAY, la_ids=[la.pk, other_la.pk]) == national
    assert cliff_edge(TODAY, la_ids=[]) == {}


def test_the_device_page_shows_the_same_months_as_device_months(client, users, horizon_data, monkeypatch):
    """The device page hands device_months what it has already read (licences, plans and the
    trigger-kept child_needs_data column); the months must be those device_months reads itself."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    client.force_login(users["admin"])
    for device in horizon_data.values():
        response = client.get(device.get_absolute_url())
        assert response.status_code == 200
        shown = [(m["month"], m["licence"], m["data"]) for m in response.context["strip"]]
        assert shown == device_months(device, TODAY), device.serial
