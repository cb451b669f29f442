"""Connection-plan scenarios: the data gap split into "with a plan" and "no plan".

- ``data_gap_by_plan``: ``connectivity.plan_gap.data_gap_by_plan`` for every LA (the cover
  page and the DfE return ask for one LA; the London-wide call is the worst case), median of 3,
  over the synthetic data with a current council plan given to every other child who needs
  connectivity and has an active allocation. Anchor: the naive way, a Python loop over devices
  with a query for each device's allocation and its child's plan
  (``plan_gap.data_gap_by_plan_python``), timed on the first ``SAMPLE`` devices in service and
  extrapolated (measured whole when there are fewer). The two must agree on the sample's LAs.

The bench plans (notes ``bench-plan``) are removed afterwards.
"""

from __future__ import annotations

import os
import statistics
import time

from benchmarks import Result

SAMPLE = 3000


def _make_plans():
    from django.utils import timezone

    from allocations.models import ACTIVE_ALLOCATION_STATUSES, Allocation
    from connectivity.models import ConnectionPlan

    now = timezone.now()
    taken = set(ConnectionPlan.objects.filter(is_current=True).values_list("child_id", flat=True))
    child_ids = (
        Allocation.objects.filter(status__in=ACTIVE_ALLOCATION_STATUSES, child__needs_connectivity=True)
        .order_by("child_id").values_list("child_id", flat=True).distinct()
    )
    batch, made = [], 0
    for i, child_id in enumerate(child_ids.iterator(chunk_size=5000)):
        if i % 2 or child_id in taken:
            continue
        batch.append(ConnectionPlan(child_id=child_id, kind="council_plan", provider="EE", monthly_cost=10, is_current=True, chosen_at=now, notes="bench-plan"))
        if len(batch) == 5000:
            ConnectionPlan.objects.bulk_create(batch)
            made += len(batch)
            batch = []
    ConnectionPlan.objects.bulk_create(batch)
    return made + len(batch)


def _clean():
    from connectivity.models import ConnectionPlan

    ConnectionPlan.objects.filter(notes="bench-plan").delete()


def data_gap_by_plan(scale, stdout):
    from django.utils import timezone

    from connectivity import plan_gap
    from devices.models import Device

    today = timezone.localdate()
    _clean()
    made = _make_plans()
    try:
        plan_gap.data_gap_by_plan(today)  # warm, as a page view after the first would be
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            found = plan_gap.data_gap_by_plan(today)
            runs.append(time.perf_counter() - started)
        sample_ids = list(Device.objects.active().order_by("pk").values_list("pk", flat=True)[:SAMPLE])
        started = time.perf_counter()
        naive = plan_gap.data_gap_by_plan_python(today, devices=Device.objects.filter(pk__in=sample_ids))
        anchor_sample_s = time.perf_counter() - started
        devices = Device.objects.active().count()
        sample = len(sample_ids) or 1
        if devices <= SAMPLE and naive != found:
            raise RuntimeError("data_gap_by_plan differs from the naive count")
        with_plan = sum(g.with_plan_months for g in found.values())
        no_plan = sum(g.no_plan_months for g in found.values())
        stdout.write(f"data_gap_by_plan: {made} plans, {with_plan} SIM-months with a plan, {no_plan} without\n")
        return Result(
            "data_gap_by_plan",
            statistics.median(runs),
            anchor_sample_s * max(devices, sample) / sample,
            {
                "devices": devices, "plans": made, "las": len(found), "with_plan_months": with_plan, "no_plan_months": no_plan,
                "anchor_sample": sample, "anchor": "extrapolated" if sample < devices else "measured",
                "load_avg": f"{os.getloadavg()[0]:.1f}",
            },
        )
    finally:
        _clean()


SCENARIOS = [data_gap_by_plan]
