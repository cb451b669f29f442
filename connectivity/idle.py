"""Idle SIMs and silent devices: SIMs with a child that use no data, found from the usage readings.

Definitions (docs/operations.md, "Idle SIMs and check-ins"):

* **data date**: the last day the usage readings cover, never after today: the latest day
  reading, or the last day of the latest month reading, whichever is later. Networks send their
  files late (a month's bill after the month ends), so the idle window ends there rather than
  today: a month not yet reported does not make every SIM look idle.
* **idle**: an active SIM (status ``active``) in a device handed over to a child (an allocation
  with status ``handed_over``, handed over at least ``CONNECTIVITY_IDLE_DAYS`` days before the data
  date), that the network reported on in the last four months (any reading from the start of
  the third month before the window), and that used no data in the window: the
  ``CONNECTIVITY_IDLE_DAYS`` days up to the data date. A month reading counts for the window when
  its month overlaps it (a month with data in it is not idle, as we cannot tell which days).
* **usage stopped**: an idle SIM that used on average at least ``CONNECTIVITY_STOPPED_MIN_MB`` a
  month over the three whole months before the window's first month (per month, the month
  reading, or the day readings' sum where that is larger). A SIM that had been used well and went
  silent suggests a lost device or a broken router more than one that never got going.

Set-wise (``idle_sims``): one anti-join for the SIMs with no data in the window, one grouped
query per 5,000 of those for the months before; no query per SIM.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Q, Sum

from allocations.models import Allocation, AllocationStatus
from connectivity.models import Sim, UsageReading
from devices.horizon import add_months

BATCH = 5000
IDLE = "idle"
STOPPED = "stopped"


@dataclass(frozen=True)
class IdleSim:
    sim_id: int
    iccid: str
    device_id: int
    serial: str
    allocation_id: int
    child_id: int
    local_authority_id: int
    school_id: int | None
    reason: str  # IDLE or STOPPED
    previous_mb: float  # average a month over the three months before the window


@dataclass(frozen=True)
class Window:
    data_date: datetime.date
    start: datetime.date  # first day of the window (no data used from here to data_date)
    month_start: datetime.date  # first of the window's first month
    previous_start: datetime.date  # first of the three whole months before it


def last_day_of_month(day):
    return add_months(day.replace(day=1), 1) - datetime.timedelta(days=1)


def data_date(today):
    """The last day the readings cover (at most ``today``), or None without readings."""
    latest = UsageReading.objects.order_by().aggregate(
        day=Max("period", filter=Q(granularity=UsageReading.Granularity.DAY)),
        month=Max("period", filter=Q(granularity=UsageReading.Granularity.MONTH)),
    )
    ends = [d for d in (latest["day"], latest["month"] and last_day_of_month(latest["month"])) if d]
    return min(max(ends), today) if ends else None


def window(today, idle_days=None):
    idle_days = settings.CONNECTIVITY_IDLE_DAYS if idle_days is None else idle_days
    end = data_date(today)
    if end is None:
        return None
    start = end - datetime.timedelta(days=idle_days - 1)
    month_start = start.replace(day=1)
    return Window(data_date=end, start=start, month_start=month_start, previous_start=add_months(month_start, -3))


def _in_window(win, prefix=""):
    month, day = UsageReading.Granularity.MONTH, UsageReading.Granularity.DAY
    return Q(**{f"{prefix}granularity": day, f"{prefix}period__gte": win.start}) | Q(
        **{f"{prefix}granularity": month, f"{prefix}period__gte": win.month_start}
    )


def _history(win, sim_ids):
    """{sim id: (MB by month readings, MB by day readings)} over the three months before the
    window, for the SIMs the network reported on in the lookback window: one grouped query."""
    month, day = UsageReading.Granularity.MONTH, UsageReading.Granularity.DAY
    before = Q(period__lt=win.month_start)
    rows = (
        UsageReading.objects.order_by()
        .filter(sim_id__in=sim_ids, period__gte=win.previous_start, period__lte=win.data_date)
        .values("sim_id")
        .annotate(
            by_month=Sum("mb_used", filter=before & Q(granularity=month), default=0.0),
            by_day=Sum("mb_used", filter=before & Q(granularity=day), default=0.0),
        )
        .values_list("sim_id", "by_month", "by_day")
    )
    return {sim_id: (by_month or 0.0, by_day or 0.0) for sim_id, by_month, by_day in rows}


def idle_sims(today, *, idle_days=None, min_mb=None):
    """(window, [IdleSim]) as of ``today``: every idle SIM with a child, in SIM order.

    Two set-wise steps: the handed-over active SIMs with no reading above 0 in the window (one
    anti-join, which PostgreSQL answers from the readings' unique index, ``mb_used`` included:
    it stops at a SIM's first reading with data), then the three months before for those only
    (one grouped query per 5,000), which also drops SIMs the network has not reported on."""
    idle_days = settings.CONNECTIVITY_IDLE_DAYS if idle_days is None else idle_days
    min_mb = settings.CONNECTIVITY_STOPPED_MIN_MB if min_mb is None else min_mb
    win = window(today, idle_days)
    if win is None:
        return None, []
    used = UsageReading.objects.filter(_in_window(win), sim_id=OuterRef("device__sim__pk"), period__lte=win.data_date, mb_used__gt=0)
    rows = list(
        Allocation.objects.order_by()
        .filter(
            status=AllocationStatus.HANDED_OVER, handed_over_on__lte=win.start,
            device__sim__isnull=False, device__sim__status=Sim.Status.ACTIVE, child__anonymised_at__isnull=True,
        )
        .exclude(Exists(used))
        .values_list(
            "device__sim__pk", "device__sim__iccid", "device_id", "device__serial", "pk", "child_id",
            "device__sim__local_authority_id", "child__school_id",
        )
    )
    history = {}
    ids = sorted(r[0] for r in rows)
    for i in range(0, len(ids), BATCH):
        history.update(_history(win, ids[i : i + BATCH]))
    result = []
    for sim_id, iccid, device_id, serial, allocation_id, child_id, la_id, school_id in rows:
        if sim_id not in history:
            continue  # nothing from the network in four months: nothing to go on
        average = max(history[sim_id]) / 3
        reason = STOPPED if min_mb > 0 and average >= min_mb else IDLE
        result.append(IdleSim(sim_id, iccid, device_id, serial, allocation_id, child_id, la_id, school_id, reason, round(average, 1)))
    result.sort(key=lambda s: s.sim_id)
    return win, result


def idle_sims_naive(today, *, idle_days=None, min_mb=None, limit=None):
    """The same answer the obvious way, one query per SIM (the benchmark's anchor)."""
    idle_days = settings.CONNECTIVITY_IDLE_DAYS if idle_days is None else idle_days
    min_mb = settings.CONNECTIVITY_STOPPED_MIN_MB if min_mb is None else min_mb
    win = window(today, idle_days)
    if win is None:
        return None, []
    handed_over_by = win.start
    allocations = (
        Allocation.objects.filter(
            status=AllocationStatus.HANDED_OVER, handed_over_on__lte=handed_over_by,
            device__sim__isnull=False, device__sim__status=Sim.Status.ACTIVE, child__anonymised_at__isnull=True,
        )
        .select_related("device__sim", "device", "child")
        .order_by("device__sim__pk")
    )
    if limit:
        allocations = allocations[:limit]
    result = []
    for allocation in allocations:
        sim = allocation.device.sim
        readings = list(sim.readings.filter(period__gte=win.previous_start, period__lte=win.data_date))
        if not readings:
            continue
        recent = sum(
            r.mb_used for r in readings
            if (r.granularity == "day" and r.period >= win.start) or (r.granularity == "month" and r.period >= win.month_start)
        )
        if recent > 0:
            continue
        by_month = sum(r.mb_used for r in readings if r.granularity == "month" and r.period < win.month_start)
        by_day = sum(r.mb_used for r in readings if r.granularity == "day" and r.period < win.month_start)
        average = max(by_month, by_day) / 3
        reason = STOPPED if min_mb > 0 and average >= min_mb else IDLE
        result.append(IdleSim(sim.pk, sim.iccid, allocation.device_id, allocation.device.serial, allocation.pk,
                              allocation.child_id, sim.local_authority_id, allocation.child.school_id, reason, round(average, 1)))
    return win, result
