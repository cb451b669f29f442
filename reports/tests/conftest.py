import datetime

import pytest
from django.utils import timezone

from accounts.tests.factories import SchoolFactory
from allocations.tests.factories import AllocationFactory, ChildFactory
from connectivity.tests.factories import DataPlanFactory, NetworkOperatorFactory, SimFactory, UsageReadingFactory
from devices.tests.factories import DeviceFactory, RouterFactory
from reports.tests.factories import NeedEstimateFactory


@pytest.fixture
def small_la(la, school, other_la, other_school):
    """A small, hand-countable LA (see test_figures for the expected figures)."""
    today = timezone.localdate()
    month = today.replace(day=1)
    c1 = ChildFactory(school=school, needs_laptop=True)
    c2 = ChildFactory(school=school, needs_laptop=True, needs_connectivity=True)
    ChildFactory(school=school, needs_laptop=True)  # c3: waiting
    c4 = ChildFactory(school=school, needs_laptop=True, needs_connectivity=True)
    l1 = DeviceFactory(local_authority=la, school=school, status="handed_over", handed_over_on=today - datetime.timedelta(days=30))
    l2 = DeviceFactory(local_authority=la, school=school, status="allocated")
    l3 = DeviceFactory(local_authority=la, school=school, status="handed_over", handed_over_on=today - datetime.timedelta(days=30))
    DeviceFactory(local_authority=la, school=None, status="in_stock")  # l4: central stock
    DeviceFactory(local_authority=la, school=school, status="lost")  # l5: not in service
    r1 = RouterFactory(local_authority=la, school=school, status="handed_over")
    ee = NetworkOperatorFactory(name="EE", slug="ee")
    sim = SimFactory(local_authority=la, device=r1, network=ee)
    DataPlanFactory(sim=sim, start=today - datetime.timedelta(days=10), end=today + datetime.timedelta(days=100))
    AllocationFactory(child=c1, device=l1, status="handed_over", handed_over_on=today)
    AllocationFactory(child=c2, device=l2, status="planned")
    AllocationFactory(child=c4, device=l3, status="handed_over", handed_over_on=today)
    AllocationFactory(child=c4, device=r1, status="handed_over", handed_over_on=today)
    NeedEstimateFactory(school=school, kind="laptop", count=9, estimated_on=today - datetime.timedelta(days=60))
    NeedEstimateFactory(school=school, kind="laptop", count=5, estimated_on=today - datetime.timedelta(days=5))
    NeedEstimateFactory(school=school, kind="router", count=2, estimated_on=today - datetime.timedelta(days=5))
    sim2 = SimFactory(local_authority=la, network=ee)
    UsageReadingFactory(sim=sim, period=month, mb_used=3072)
    UsageReadingFactory(sim=sim2, period=month, mb_used=1000)
    # Another LA's data must never be counted.
    ChildFactory(school=other_school, needs_laptop=True)
    DeviceFactory(local_authority=other_la, school=other_school)
    second = SchoolFactory(local_authority=la, name="Second School")
    return {"la": la, "school": school, "second": second, "sim": sim, "ee": ee}


@pytest.fixture(autouse=True)
def _no_london_cache(settings):
    # Each test builds its own data; a cached London table from another test would be stale.
    settings.REPORTS_LONDON_CACHE_SECONDS = 0
