"""Idle SIM scenario: finding the SIMs with a child that used no data (``connectivity.idle``).

- ``idle_sims``: ``connectivity.idle.idle_sims(today)`` over every synthetic SIM and reading
  (national scale: about 667,000 SIMs and 7 million readings), median of ``REPEATS`` runs. One
  SIM in ``IDLE_EVERY`` is made idle for the run (its readings in the idle window set to 0, inside
  a transaction rolled back afterwards, so the data is left as it was). Anchor: the naive way,
  one query per handed-over SIM for its readings (``idle_sims_naive``), timed on the first
  ``ANCHOR_SAMPLE`` SIMs and scaled to all of them -- ``extra`` says so. Both answers are compared
  on the sample.
"""

from __future__ import annotations

import statistics
import time

from benchmarks import Result

REPEATS = 3
IDLE_EVERY = 20
ANCHOR_SAMPLE = 2000


class _Rollback(Exception):
    pass


def idle_sims(scale, stdout):
    from django.db import connection, transaction
    from django.db.models.functions import Mod
    from django.utils import timezone

    from allocations.models import Allocation
    from connectivity import idle
    from connectivity.models import Sim, UsageReading

    today = timezone.localdate()
    result = {}
    try:
        with transaction.atomic():
            win = idle.window(today)
            if win is None:
                raise RuntimeError("no usage readings: run generate_scale_data first")
            chosen = Sim.objects.annotate(r=Mod("pk", IDLE_EVERY)).filter(r=3).values("pk")
            made_idle = UsageReading.objects.filter(period__gte=win.month_start, sim_id__in=chosen).update(mb_used=0)
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute(f"ANALYZE {UsageReading._meta.db_table}")
            times, found = [], []
            for _ in range(REPEATS if scale != "tiny" else 1):
                started = time.perf_counter()
                _win, found = idle.idle_sims(today)
                times.append(time.perf_counter() - started)
            ours = statistics.median(times)
            handed_over = Allocation.objects.filter(
                status="handed_over", handed_over_on__lte=win.start, device__sim__isnull=False, device__sim__status=Sim.Status.ACTIVE,
            ).count()
            sample = min(ANCHOR_SAMPLE, handed_over)
            started = time.perf_counter()
            _win, naive = idle.idle_sims_naive(today, limit=sample)
            naive_s = time.perf_counter() - started
            anchor = naive_s * handed_over / sample if sample else 0.0
            last = naive[-1].sim_id if naive else 0
            same = [s for s in found if s.sim_id <= last] == naive if sample < handed_over else found == naive
            result = {
                "ours": ours, "anchor": anchor,
                "extra": {
                    "sims": Sim.objects.count(), "readings": UsageReading.objects.count(), "handed_over_sims": handed_over,
                    "readings_zeroed": made_idle, "idle": len(found),
                    "stopped": sum(1 for s in found if s.reason == idle.STOPPED),
                    "anchor": f"naive_{sample}_sims_{naive_s:.2f}s_scaled_to_{handed_over}",
                    "same_answer_on_sample": same, "database": connection.vendor,
                },
            }
            raise _Rollback
    except _Rollback:
        pass
    return Result("idle_sims", result["ours"], result["anchor"], result["extra"])


SCENARIOS = [idle_sims]
