"""Requests to the networks: raising many at once.

- ``bulk_raise``: an officer asks the network to extend the plan of every SIM matching a filter
  (``connectivity.services.raise_requests``: the open requests and the children holding the
  devices read in a few queries, the requests and their first events written in two bulk
  inserts), over ``sims_for(scale)`` SIMs in 4G routers, each router with a child. Anchor: the
  naive way, ``raise_request`` once per SIM (each checks for a duplicate, finds the device's
  child, validates and saves the request and its event). Both run on the same SIMs, each inside
  a transaction that is rolled back, so nothing is left behind.
"""

from __future__ import annotations


from benchmarks import Result
from benchmarks import timed_and_rolled_back as _timed


def sims_for(scale):
    return {"tiny": 200, "small": 2_000, "london": 10_000, "national": 50_000}.get(scale, 2_000)


def bulk_raise(scale, stdout):
    from django.db import transaction

    from accounts.models import LocalAuthority, School, User
    from allocations.models import Allocation, Child
    from connectivity import services
    from connectivity.models import NetworkOperator, Sim
    from devices.models import Device

    n = sims_for(scale)
    with transaction.atomic():
        la, _ = LocalAuthority.objects.get_or_create(code="B99", defaults={"name": "Bench requests LA", "gss_code": "E09999999"})
        network, _ = NetworkOperator.objects.get_or_create(slug="bench-net", defaults={"name": "Bench network"})
        school, _ = School.objects.get_or_create(urn=999901, defaults={"name": "Bench requests school", "local_authority": la})
        officer, _ = User.objects.get_or_create(username="bench-requests-officer", defaults={"role": "council_officer", "local_authority": la})
        Sim.objects.filter(local_authority=la).delete()
        Allocation.objects.filter(child__local_authority=la).delete()
        Child.objects.filter(local_authority=la).delete()
        Device.objects.filter(local_authority=la).delete()
        devices = Device.objects.bulk_create([Device(kind="router", serial=f"BENCH-NR-{i}", local_authority=la, school=school, status="allocated") for i in range(n)], batch_size=2000)
        children = Child.objects.bulk_create([Child(local_authority=la, school=school, reference=f"BENCH-NR-{i}", first_name="A", last_name="B", year_group="7") for i in range(n)], batch_size=2000)
        Allocation.objects.bulk_create([Allocation(child=c, device=d, status="planned") for c, d in zip(children, devices)], batch_size=2000)
        Sim.objects.bulk_create([Sim(iccid=f"8944990{i:012d}", network=network, device=d, local_authority=la) for i, d in enumerate(devices)], batch_size=2000)
    sims = Sim.objects.filter(local_authority=la)
    try:
        ours_s, result = _timed(lambda: services.raise_requests(sims=sims, kind="extend", by=officer, reason="bench"))
        anchor_s, raised = _timed(lambda: sum(1 for sim in sims.select_related("device") if services.raise_request(kind="extend", sim=sim, by=officer, reason="bench")))
    finally:
        with transaction.atomic():
            Sim.objects.filter(local_authority=la).delete()
            Allocation.objects.filter(child__local_authority=la).delete()
            Child.objects.filter(local_authority=la).delete()
            Device.objects.filter(local_authority=la).delete()
    stdout.write(f"bulk_raise: {n} SIMs, raise_requests {ours_s:.2f} s, raise_request per SIM {anchor_s:.2f} s")
    return Result("bulk_raise", ours_s, anchor_s, {"sims": n, "raised": len(result.raised), "raised_one_by_one": raised})


SCENARIOS = [bulk_raise]
