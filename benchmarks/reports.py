"""Reports scenarios: the CIO dashboard, the DfE return workbook and the London view.

Each runs on the synthetic data of ``generate_scale_data`` for the LA with the most devices
(London view: every LA) and measures our way against an anchor computing the same figures by
looping over ORM objects:

- ``dashboard_la``: the dashboard page as that LA's CIO through the Django test Client
  (median of ``REQUESTS``). Anchor: ``la_figures_by_loop`` -- per child, its allocations and
  their devices' plans; per device, its status -- timed on a sample of ``SAMPLE`` children and
  devices and extrapolated linearly to the LA's counts (``extra`` says so).
- ``dfe_return``: ``reports.dfe_return.build_workbook`` and saving it. Anchor: the same loop
  as the dashboard's, extrapolated, plus the workbook writing time measured for ours.
- ``london_view``: the London page as the London lead (every LA aggregated and suppressed).
  Anchor: the loop over every LA's children and devices, extrapolated from a sample.
"""

from __future__ import annotations

import io
import statistics
import time

from benchmarks import Result

REQUESTS = 5
SAMPLE = 1000


def _load():
    import os

    return f"{os.getloadavg()[0]:.1f}"


def _top_la():
    from django.db.models import Count

    from accounts.models import LocalAuthority
    from devices.models import Device

    top = Device.objects.values("local_authority").annotate(n=Count("id")).order_by("-n").first()
    return LocalAuthority.objects.get(pk=top["local_authority"]) if top else LocalAuthority.objects.order_by("pk").first()


def _user(role, la=None):
    from accounts.models import User

    user, _created = User.objects.get_or_create(
        username=f"bench-{role}-{la.code if la else 'all'}", defaults={"role": role, "local_authority": la}
    )
    return user


def _time(client, url):
    times = []
    for _ in range(REQUESTS):
        started = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return statistics.median(times)


def la_figures_by_loop(la_ids, sample=SAMPLE):
    """The need/supply/connectivity counts by Python loops over ORM objects (the anchor).

    Loops over at most ``sample`` children and ``sample`` devices and returns
    ``(seconds extrapolated to all rows, counts from the sample)``.
    """
    import datetime

    from allocations.models import ACTIVE_ALLOCATION_STATUSES, Child
    from devices.models import INACTIVE_STATUSES, Device

    today = datetime.date.today()
    children = Child.objects.filter(local_authority_id__in=la_ids)
    devices = Device.objects.filter(local_authority_id__in=la_ids)
    n_children, n_devices = children.count(), devices.count()
    counts = {"need": 0, "with_device": 0, "need_conn": 0, "connected": 0, "devices": 0}
    started = time.perf_counter()
    seen_children = 0
    for child in children[:sample]:
        seen_children += 1
        active = [a for a in child.allocations.all() if a.status in ACTIVE_ALLOCATION_STATUSES]
        if child.needs_laptop:
            counts["need"] += 1
            if any(a.device.kind in ("laptop", "tablet") for a in active):
                counts["with_device"] += 1
        if child.needs_connectivity:
            counts["need_conn"] += 1
            for a in active:
                sim = getattr(a.device, "sim", None)
                if sim and any(p.start <= today <= p.end for p in sim.plans.all()):
                    counts["connected"] += 1
                    break
    child_time = time.perf_counter() - started
    started = time.perf_counter()
    seen_devices = 0
    for device in devices[:sample]:
        seen_devices += 1
        if device.status not in INACTIVE_STATUSES and device.kind in ("laptop", "tablet"):
            counts["devices"] += 1
    device_time = time.perf_counter() - started
    seconds = 0.0
    if seen_children:
        seconds += child_time * n_children / seen_children
    if seen_devices:
        seconds += device_time * n_devices / seen_devices
    return seconds, counts


def dashboard_la(scale, stdout):
    from django.test import Client

    from devices.models import Device

    la = _top_la()
    client = Client(secure=True, headers={"x-forwarded-proto": "https"})
    client.force_login(_user("cio", la))
    client.get("/reports/")
    ours = _time(client, "/reports/")
    anchor, _counts = la_figures_by_loop([la.pk])
    return Result("dashboard_la", ours, anchor, {"la_devices": Device.objects.filter(local_authority=la).count(), "anchor": "sampled_extrapolated", "target_s": 0.25, "load_avg": _load()})


def dfe_return(scale, stdout):
    from devices.models import Device
    from reports.dfe_return import build_workbook

    la = _top_la()
    times = []
    for _ in range(3):
        started = time.perf_counter()
        wb = build_workbook(la)
        wb.save(io.BytesIO())
        times.append(time.perf_counter() - started)
    anchor, _counts = la_figures_by_loop([la.pk])
    return Result("dfe_return", statistics.median(times), anchor, {"la_devices": Device.objects.filter(local_authority=la).count(), "anchor": "sampled_extrapolated", "target_s": 1.0, "load_avg": _load()})


def london_view(scale, stdout):
    from django.test import Client

    from accounts.models import LocalAuthority
    from devices.models import Device

    from django.core.cache import cache
    from django.test.utils import override_settings

    client = Client(secure=True, headers={"x-forwarded-proto": "https"})
    client.force_login(_user("london_lead"))
    # Cold: every request recomputes (the cache is off); warm: the page as the cache serves it.
    with override_settings(REPORTS_LONDON_CACHE_SECONDS=0):
        client.get("/reports/london/")
        ours = _time(client, "/reports/london/")
    cache.clear()
    client.get("/reports/london/")
    warm = _time(client, "/reports/london/")
    la_ids = list(LocalAuthority.objects.values_list("pk", flat=True))
    anchor, _counts = la_figures_by_loop(la_ids)
    return Result("london_view", ours, anchor, {"las": len(la_ids), "devices": Device.objects.count(), "cached_s": round(warm, 4), "anchor": "sampled_extrapolated", "target_s": 0.3, "load_avg": _load()})


SCENARIOS = [dashboard_la, dfe_return, london_view]
