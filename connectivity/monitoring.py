"""Data allowance monitoring: usage against allowance per SIM per month, and the evidence.

Definitions (shared with the device page's ``connectivity.coverage``):

* **Used** in a month: the SIM's monthly reading for that month when there is one, otherwise
  the sum of its daily readings in the month (month to date).
* **Allowance** in a month: the largest ``allowance_mb`` among the SIM's plans active at any
  time in the month; a SIM with no such plan has no allowance that month (state ``no_plan``).
* **State**: ``exhausted`` at 100% of the allowance or more, ``warning`` at 80% or more,
  otherwise ``ok``.
* **Projected run-out** (only where daily readings exist for the month): the average daily use
  so far (daily readings' sum divided by the days from the 1st to the last day read) carried on
  in a straight line; the day the allowance would be used up. ``None`` when use is zero, or
  the allowance is already used (then the state says so).
* **Likely to run out this month**: already at 80% or more, or a projected run-out date on or
  before the month's last day.
* **Evidence** per LA and month: among SIMs with a plan that month and a reading, the share
  that used their whole allowance, and the median and 90th percentile of use (MB), as
  ``percentile_cont`` (linear interpolation) -- in SQL on PostgreSQL, and the same formula in
  Python on other databases.

All the per-SIM work is grouped SQL over the readings of one month; Python only classifies
the grouped rows.
"""

import calendar
import datetime
import math
from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, F, Max, Sum, When

from connectivity.models import DataPlan, Sim, UsageReading

WARNING_SHARE = 0.8
OK, WARNING, EXHAUSTED, NO_PLAN = "ok", "warning", "exhausted", "no_plan"


def month_bounds(month):
    start = month.replace(day=1)
    return start, start.replace(day=calendar.monthrange(start.year, start.month)[1])


def state_for(used_mb, allowance_mb):
    """``ok`` / ``warning`` (80%+) / ``exhausted`` (100%+) / ``no_plan``."""
    if not allowance_mb:
        return NO_PLAN
    share = used_mb / allowance_mb
    if share >= 1:
        return EXHAUSTED
    if share >= WARNING_SHARE:
        return WARNING
    return OK


def project_runout(used_mb, allowance_mb, month_start, last_day_read):
    """The day the allowance runs out at the month-to-date daily rate, or ``None``."""
    if not allowance_mb or last_day_read is None or used_mb <= 0 or used_mb >= allowance_mb:
        return None
    days = (last_day_read - month_start).days + 1
    rate = used_mb / days
    return last_day_read + datetime.timedelta(days=math.ceil((allowance_mb - used_mb) / rate))


@dataclass
class SimMonth:
    """One SIM's month: what it used against its allowance, and where it is heading."""

    sim_id: int
    month: datetime.date
    used_mb: float
    allowance_mb: int | None
    state: str
    plan_end: datetime.date | None
    last_day_read: datetime.date | None = None
    projected_runout: datetime.date | None = None

    @property
    def percent(self):
        return round(100 * self.used_mb / self.allowance_mb) if self.allowance_mb else None

    @property
    def likely_to_run_out(self):
        _start, end = month_bounds(self.month)
        return self.state in (WARNING, EXHAUSTED) or (self.projected_runout is not None and self.projected_runout <= end)


def sim_months(sims, month):
    """``{sim_id: SimMonth}`` for the SIMs in ``sims`` with any reading in ``month``.

    Two queries whatever the number of SIMs: the month's readings grouped by SIM, and the
    plans active in the month.
    """
    start, end = month_bounds(month)
    usage = (
        UsageReading.objects.filter(sim__in=sims.values("pk"), period__gte=start, period__lte=end)
        .order_by()
        .values("sim_id")
        .annotate(
            monthly=Sum(Case(When(granularity=UsageReading.Granularity.MONTH, period=start, then=F("mb_used")))),
            daily=Sum(Case(When(granularity=UsageReading.Granularity.DAY, then=F("mb_used")))),
            last_day=Max(Case(When(granularity=UsageReading.Granularity.DAY, then=F("period")))),
        )
    )
    rows = list(usage)
    plans = plans_in_month([r["sim_id"] for r in rows], start, end)
    result = {}
    for row in rows:
        allowance, plan_end = plans.get(row["sim_id"], (None, None))
        used = row["monthly"] if row["monthly"] is not None else (row["daily"] or 0.0)
        last_day = row["last_day"] if row["monthly"] is None else None
        if isinstance(last_day, str):  # SQLite returns the CASE of a date as text
            last_day = datetime.date.fromisoformat(last_day[:10])
        result[row["sim_id"]] = SimMonth(
            sim_id=row["sim_id"],
            month=start,
            used_mb=float(used),
            allowance_mb=allowance,
            state=state_for(used, allowance),
            plan_end=plan_end,
            last_day_read=last_day,
            projected_runout=project_runout(used, allowance, start, last_day),
        )
    return result


def plans_in_month(sim_ids, start, end):
    """``{sim_id: (largest allowance, latest end)}`` over plans active at any time in the month."""
    found = {}
    for i in range(0, len(sim_ids), 5000):
        chunk = sim_ids[i : i + 5000]
        plans = (
            DataPlan.objects.filter(sim_id__in=chunk, start__lte=end, end__gte=start)
            .order_by()
            .values("sim_id")
            .annotate(allowance=Max("allowance_mb"), plan_end=Max("end"))
        )
        found.update({p["sim_id"]: (p["allowance"], p["plan_end"]) for p in plans})
    return found


@dataclass
class RunoutRow:
    """A SIM likely to run out this month, with its device and (if allocated) child."""

    usage: SimMonth
    sim: Sim
    child: object = None


def likely_to_run_out(user, month):
    """SIMs visible to ``user`` likely to run out of data in ``month``, most used first.

    Four queries: readings grouped by SIM, plans, the SIMs (with device and school), and the
    children they are allocated to.
    """
    from allocations.models import ACTIVE_ALLOCATION_STATUSES, Allocation

    usage = sim_months(Sim.objects.visible_to(user), month)
    flagged = [u for u in usage.values() if u.likely_to_run_out]
    sims = Sim.objects.filter(pk__in=[u.sim_id for u in flagged]).select_related("device", "device__school", "network", "local_authority")
    sims = {s.pk: s for s in sims}
    device_ids = [s.device_id for s in sims.values() if s.device_id]
    children = {
        a.device_id: a.child
        for a in Allocation.objects.filter(device_id__in=device_ids, status__in=ACTIVE_ALLOCATION_STATUSES).select_related("child")
    }
    rows = [RunoutRow(usage=u, sim=sims[u.sim_id], child=children.get(sims[u.sim_id].device_id)) for u in flagged if u.sim_id in sims]
    rows.sort(key=lambda r: (-(r.usage.used_mb / r.usage.allowance_mb if r.usage.allowance_mb else 0), r.sim.iccid))
    return rows


# --- Evidence ---------------------------------------------------------------------------------


@dataclass
class Evidence:
    """One LA-month of the case for a larger allowance."""

    local_authority_id: int
    month: datetime.date
    sims: int
    exhausted: int
    median_mb: float | None
    p90_mb: float | None

    @property
    def exhausted_share(self):
        return self.exhausted / self.sims if self.sims else None

    @property
    def exhausted_percent(self):
        return round(100 * self.exhausted / self.sims, 1) if self.sims else None


def percentile_cont(sorted_values, fraction):
    """PostgreSQL's ``percentile_cont``: linear interpolation between the nearest ranks."""
    if not sorted_values:
        return None
    position = fraction * (len(sorted_values) - 1)
    low = math.floor(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _month_sql(expr):
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {expr}) AS DATE)"
    return f"date({expr}, 'start of month')"


def _month_end_sql(expr):
    if connection.vendor == "postgresql":
        return f"CAST({expr} + interval '1 month' - interval '1 day' AS DATE)"
    return f"date({expr}, '+1 month', '-1 day')"


def _per_sim_month_sql(la_ids):
    readings, plans, sims = UsageReading._meta.db_table, DataPlan._meta.db_table, Sim._meta.db_table
    la_list = ", ".join(str(int(i)) for i in la_ids) or "NULL"
    return f"""
WITH u AS (
  SELECT r.sim_id, {_month_sql('r.period')} AS month,
    MAX(CASE WHEN r.granularity = 'month' THEN r.mb_used END) AS monthly,
    SUM(CASE WHEN r.granularity = 'day' THEN r.mb_used END) AS daily
  FROM {readings} r JOIN {sims} s ON s.id = r.sim_id
  WHERE s.local_authority_id IN ({la_list}) AND r.period >= %s AND r.period <= %s
  GROUP BY r.sim_id, {_month_sql('r.period')}
), a AS (
  SELECT u.sim_id, u.month, COALESCE(u.monthly, u.daily, 0) AS used,
    (SELECT MAX(p.allowance_mb) FROM {plans} p
     WHERE p.sim_id = u.sim_id AND p.start <= {_month_end_sql('u.month')} AND p."end" >= u.month) AS allowance
  FROM u
)
SELECT s.local_authority_id AS la, a.month, a.used, a.allowance
FROM a JOIN {sims} s ON s.id = a.sim_id
WHERE a.allowance IS NOT NULL
"""


def evidence(la_ids, first_month, last_month):
    """``[Evidence]`` for each LA in ``la_ids`` and month from ``first_month`` to ``last_month``.

    One query. On PostgreSQL the percentiles are ``percentile_cont`` in the query; elsewhere
    the per-SIM figures come back ordered and the same percentiles are taken in Python.
    """
    la_ids = list(la_ids)
    if not la_ids:
        return []
    start, _ = month_bounds(first_month)
    _, end = month_bounds(last_month)
    inner = _per_sim_month_sql(la_ids)
    result = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"""
WITH x AS ({inner})
SELECT la, month, COUNT(*), SUM(CASE WHEN used >= allowance THEN 1 ELSE 0 END),
  percentile_cont(0.5) WITHIN GROUP (ORDER BY used), percentile_cont(0.9) WITHIN GROUP (ORDER BY used)
FROM x GROUP BY la, month ORDER BY la, month
""",
                [start, end],
            )
            for la, month, count, exhausted, median, p90 in cursor.fetchall():
                result.append(Evidence(la, _as_date(month), count, int(exhausted), float(median), float(p90)))
        else:
            cursor.execute(f"WITH x AS ({inner}) SELECT la, month, used, allowance FROM x ORDER BY la, month, used", [start.isoformat(), end.isoformat()])
            group_key, values, exhausted = None, [], 0
            for la, month, used, allowance in cursor.fetchall():
                if (la, month) != group_key:
                    if group_key:
                        result.append(_evidence_from(group_key, values, exhausted))
                    group_key, values, exhausted = (la, month), [], 0
                values.append(float(used))
                exhausted += used >= allowance
            if group_key:
                result.append(_evidence_from(group_key, values, exhausted))
    return result


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, str):
        return datetime.date.fromisoformat(value[:10])
    return value


def _evidence_from(key, values, exhausted):
    la, month = key
    return Evidence(la, _as_date(month), len(values), int(exhausted), percentile_cont(values, 0.5), percentile_cont(values, 0.9))
