"""Two people scan the same code of one stocktake at the same moment: it counts once.
Real concurrency needs real transactions, so this runs on PostgreSQL."""

import threading

import pytest
from django.db import close_old_connections, connection

from devices.models import DeviceStatus
from devices.tests.factories import DeviceFactory
from stocktakes import services
from stocktakes.models import StocktakeScan


def scan_at_once(stocktake, code, users, n=4):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def run(user):
        try:
            barrier.wait(timeout=10)
            results.append(services.record_scan(stocktake=stocktake, code=code, by=user).result)
        except Exception as exc:  # noqa: BLE001 - the test reports any failure
            errors.append(repr(exc))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(users[i % len(users)],)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("code", ["SHELF-1", "not-on-the-list"])
def test_simultaneous_scans_count_once(users, school, code):
    DeviceFactory(local_authority=school.local_authority, school=school, status=DeviceStatus.IN_STOCK, serial="SHELF-1")
    staff = [users["council_officer"], users["school_staff"]]
    stocktake = services.start_stocktake(by=staff[0], local_authority=school.local_authority, school=school)
    results, errors = scan_at_once(stocktake, code, staff)
    assert errors == []
    first = "found" if code == "SHELF-1" else "unexpected"
    assert sorted(results) == sorted([first] + ["duplicate"] * 3)
    item = stocktake.items.get(code=code.upper())
    assert item.scans == 4
    assert stocktake.items.filter(code=code.upper()).count() == 1
    assert StocktakeScan.objects.filter(stocktake=stocktake, result=first).count() == 1
