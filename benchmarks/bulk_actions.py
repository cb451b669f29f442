"""Bulk actions: "put in stock" for many devices at once (``bulk_actions``).

- ours: ``devices.services.put_in_stock`` over every delivered device of a bench LA
  (``transition_many``: the rows locked in primary-key order in one query, one ``UPDATE`` per
  2,000 devices, the custody events and the simple_history records in bulk inserts), with the
  same ``TRANSITIONS`` check per device as the single action.
- anchor: the naive way, ``devices.services.transition`` once per device (each locks and reads
  its row, checks the move, saves the device with its history record, validates and saves its
  event: five or six queries per device).
- page: the same through HTTP, the device list's bulk action posted as an officer ("every device
  matching this filter", the check page's count and the result page included).

Each run is inside a transaction that is rolled back, so all three start from the same delivered
devices and nothing is left behind. The issue's target: 10,000 devices under 30 s
(``target_met``, on ours and on the page). Devices: ``devices_for(scale)``.
"""

from __future__ import annotations


from benchmarks import Result
from benchmarks import timed_and_rolled_back as _timed


def devices_for(scale):
    return {"tiny": 200, "small": 10_000, "london": 10_000, "national": 10_000}.get(scale, 10_000)


def bulk_actions(scale, stdout):
    from django.db import transaction
    from django.test import Client

    from accounts.models import LocalAuthority, School, User
    from devices import services
    from devices.models import Device, DeviceEvent

    n = devices_for(scale)
    with transaction.atomic():
        la, _ = LocalAuthority.objects.get_or_create(code="B98", defaults={"name": "Bench bulk LA", "gss_code": "E09999998"})
        school, _ = School.objects.get_or_create(urn=999801, defaults={"name": "Bench bulk school", "local_authority": la})
        officer, _ = User.objects.get_or_create(username="bench-bulk-officer", defaults={"role": "council_officer", "local_authority": la})
        Device.objects.filter(local_authority=la).delete()
        Device.objects.bulk_create(
            [Device(kind="laptop", serial=f"BENCH-BULK-{i:06d}", local_authority=la, school=school, status="delivered") for i in range(n)],
            batch_size=2000,
        )
    devices = Device.objects.filter(local_authority=la)

    def page():
        client = Client(secure=True, headers={"x-forwarded-proto": "https"})
        client.force_login(officer)
        check = client.get("/devices/bulk/", {"action": "stock", "which": "matching", "filters": "status=delivered"})
        upto = devices.order_by("-pk").values_list("pk", flat=True).first()
        done = client.post("/devices/bulk/", {"action": "stock", "which": "matching", "filters": "status=delivered", "upto": upto})
        assert check.status_code == 200 and done.status_code == 200, (check.status_code, done.status_code)
        return devices.filter(status="in_stock").count()

    try:
        ours_s, outcome = _timed(lambda: (services.put_in_stock(devices=devices, by=officer), DeviceEvent.objects.filter(device__local_authority=la).count()))
        anchor_s, moved = _timed(lambda: sum(1 for d in devices.order_by("pk") if services.transition(device=d, to_status="in_stock", by=officer)))
        page_s, paged = _timed(page)
    finally:
        with transaction.atomic():
            Device.objects.filter(local_authority=la).delete()
    result, events = outcome
    stdout.write(f"bulk_actions: {n} devices, put_in_stock {ours_s:.2f} s, through the page {page_s:.2f} s, transition per device {anchor_s:.2f} s")
    return Result("bulk_actions", ours_s, anchor_s, {
        "devices": n, "moved": len(result.done), "events": events, "moved_one_by_one": moved, "page_s": round(page_s, 3),
        "moved_through_page": paged, "target_s": 30, "target_met": ours_s < 30 and page_s < 30,
    })


SCENARIOS = [bulk_actions]
