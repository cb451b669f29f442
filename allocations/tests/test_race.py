"""Two officers allocate the same device at the same moment: one wins, the other gets a clear
error. Real concurrency needs real transactions and row locks, so this runs on PostgreSQL."""

import threading

import pytest
from django.db import close_old_connections, connection

from allocations import services
from allocations.models import Allocation
from allocations.services import AllocationError
from allocations.tests.factories import ChildFactory
from devices.models import DeviceEvent, DeviceStatus
from devices.tests.factories import DeviceFactory


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks across connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_concurrent_allocations_of_one_device(school, officer):
    device = DeviceFactory(local_authority=school.local_authority, status=DeviceStatus.IN_STOCK)
    children = [ChildFactory(school=school), ChildFactory(school=school)]
    barrier = threading.Barrier(2)
    outcomes = []

    def run(child):
        try:
            barrier.wait(timeout=10)
            services.allocate(child=child, device=device, by=officer)
            outcomes.append("ok")
        except AllocationError as exc:
            outcomes.append(str(exc))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in children]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes, key=lambda o: o != "ok")[0] == "ok"
    assert len(outcomes) == 2 and outcomes.count("ok") == 1
    assert any("already allocated to another child" in o or "cannot be marked" in o for o in outcomes if o != "ok")
    assert Allocation.objects.filter(device=device).count() == 1
    assert DeviceEvent.objects.filter(device=device, kind="allocated").count() == 1
