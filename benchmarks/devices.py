"""Device scenarios: the device list page, usage ingestion, and the horizon cliff edge.

Each runs on the synthetic data of ``generate_scale_data`` (``bench`` makes it when missing)
and measures our way and the anchor in the same run:

- ``device_list``: the device list page as a council officer (the LA with the most devices),
  through the Django test Client, median of ``LIST_REQUESTS`` requests over pages 1..5;
  query counts at 25 and 200 rows a page. Anchor: the same view with django-tables2's default
  paginator (Django's ``Paginator``, which runs ``COUNT(*)``), mounted by
  ``benchmarks.anchor_urls`` and requested the same way.
- ``usage_ingest``: an operator CSV of daily readings (1,000,000 at national scale, fewer
  below), through ``connectivity.usage.import_usage`` end to end (read, validate, look up SIMs,
  upsert). Anchor: one ORM ``update_or_create`` per reading (with a SIM lookup per row), timed
  on a sample of ``ANCHOR_SAMPLE`` rows and extrapolated linearly -- ``extra`` says so.
- ``cliff_edge``: ``devices.horizon.cliff_edge`` for every LA (one SQL query). Anchor: the
  same figures by a Python loop over devices (``cliff_edge_python``), timed on a sample of
  devices and extrapolated to all active devices.
"""

from __future__ import annotations

import csv
import os
import statistics
import tempfile
import time

from benchmarks import Result

LIST_REQUESTS = 15
ANCHOR_SAMPLE = 2000
CLIFF_SAMPLE = 1000
INGEST_ROWS = {"tiny": 2_000, "small": 10_000, "london": 200_000, "national": 1_000_000}


def _officer():
    from django.db.models import Count

    from accounts.models import LocalAuthority, User
    from devices.models import Device

    top = Device.objects.filter(serial__startswith="SYN").values("local_authority").annotate(n=Count("id")).order_by("-n").first()
    la = LocalAuthority.objects.get(pk=top["local_authority"]) if top else LocalAuthority.objects.order_by("pk").first()
    user, _created = User.objects.get_or_create(
        username=f"bench-officer-{la.code}", defaults={"role": "council_officer", "local_authority": la}
    )
    return user


def _time_pages(client, url):
    times = []
    for i in range(LIST_REQUESTS):
        started = time.perf_counter()
        response = client.get(url, {"page": i % 5 + 1})
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{url} answered {response.status_code}")
    return statistics.median(times)


def device_list(scale, stdout):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from devices.models import Device

    user = _officer()
    # Production settings redirect plain HTTP; TLS ends at the proxy, which says so in a header.
    client = Client(secure=True, headers={"x-forwarded-proto": "https"})
    client.force_login(user)
    url, anchor_url = "/devices/", "/bench/device-list-anchor/"
    with override_settings(ROOT_URLCONF="benchmarks.anchor_urls"):
        client.get(url)  # warm caches and templates
        client.get(anchor_url)
        ours = _time_pages(client, url)
        anchor = _time_pages(client, anchor_url)
        queries = {}
        for name, target in (("queries_25", url), ("anchor_queries_25", anchor_url)):
            with CaptureQueriesContext(connection) as ctx:
                client.get(target, {"page": 2})
            queries[name] = len(ctx.captured_queries)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url, {"page": 2, "per_page": 200})
        queries["queries_200"] = len(ctx.captured_queries)
    return Result(
        "device_list",
        ours,
        anchor,
        {"requests": LIST_REQUESTS, "la_devices": Device.objects.filter(local_authority_id=user.local_authority_id).count(), **queries},
    )


def _ingest_file(path, rows):
    """Write an operator CSV of ``rows`` daily readings over the synthetic SIMs."""
    import datetime

    from django.utils import timezone

    from connectivity.models import Sim

    iccids = list(Sim.objects.order_by("pk").values_list("iccid", flat=True)[: max(rows, 1)])
    if not iccids:
        raise RuntimeError("no SIMs: run generate_scale_data first")
    first = timezone.localdate().replace(day=1)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["ICCID", "Usage (MB)", "Date"])
        for i in range(rows):
            day = first + datetime.timedelta(days=i // len(iccids))
            writer.writerow([iccids[i % len(iccids)], f"{(i * 37) % 400 + 0.5:.1f}", day.strftime("%d/%m/%Y")])
    return path


def usage_ingest(scale, stdout):
    from django.db import transaction

    from connectivity.models import Sim, UsageReading
    from connectivity.usage import command_limits, import_usage, parse_period, parse_usage

    rows = INGEST_ROWS.get(scale, 10_000)
    with tempfile.TemporaryDirectory() as tmp:
        path = _ingest_file(os.path.join(tmp, "usage.csv"), rows)
        started = time.perf_counter()
        result = import_usage(path, operator="generic", **command_limits())
        ours = time.perf_counter() - started
        assert result.ok and result.written == rows, (result.errors[:3], result.written)

        sample = max(1, min(ANCHOR_SAMPLE, rows // 5))
        with open(path, encoding="utf-8") as f:
            reader = csv.reader(f)
            next(reader)
            sample_rows = [next(reader) for _ in range(sample)]
        started = time.perf_counter()
        with transaction.atomic():
            for iccid, used, day in sample_rows:
                sim = Sim.objects.get(iccid=iccid)
                period, granularity = parse_period(day, month_column=False)
                UsageReading.objects.update_or_create(
                    sim=sim, period=period, granularity=granularity, defaults={"mb_used": parse_usage(used, 1.0), "source": "anchor"}
                )
        anchor_sample_s = time.perf_counter() - started
    return Result(
        "usage_ingest",
        ours,
        anchor_sample_s * rows / sample,
        {"readings": rows, "anchor_sample": sample, "anchor_sample_s": f"{anchor_sample_s:.3f}", "anchor": "extrapolated" if sample < rows else "measured"},
    )


def cliff_edge(scale, stdout):
    from django.utils import timezone

    from devices.horizon import cliff_edge as ours_fn
    from devices.horizon import cliff_edge_python
    from devices.models import Device

    today = timezone.localdate()
    ours_fn(today)  # warm the cache once, as a page view after the first would be
    runs = []
    for _ in range(3):
        started = time.perf_counter()
        figures = ours_fn(today)
        runs.append(time.perf_counter() - started)
    devices = sum(f.devices for f in figures.values())
    # The same figures from one scan of the device table (before the summary table), for scale.
    from devices.horizon import cliff_edge_direct

    started = time.perf_counter()
    direct = cliff_edge_direct(today)
    direct_s = time.perf_counter() - started
    if direct != figures:
        raise RuntimeError("cliff_edge from the summary table differs from the direct query")
    sample_ids = list(Device.objects.active().order_by("pk").values_list("pk", flat=True)[:CLIFF_SAMPLE])
    started = time.perf_counter()
    cliff_edge_python(today, devices=Device.objects.filter(pk__in=sample_ids))
    anchor_sample_s = time.perf_counter() - started
    sample = len(sample_ids) or 1
    return Result(
        "cliff_edge",
        statistics.median(runs),
        anchor_sample_s * max(devices, sample) / sample,
        {
            "devices": devices,
            "las": len(figures),
            "anchor_sample": sample,
            "anchor_sample_s": f"{anchor_sample_s:.3f}",
            "anchor": "extrapolated" if sample < devices else "measured",
            "direct_s": f"{direct_s:.3f}",
            "load_avg": f"{os.getloadavg()[0]:.1f}",
        },
    )


SCENARIOS = [device_list, usage_ingest, cliff_edge]
