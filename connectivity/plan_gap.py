"""The data gap split by connection plan: of the SIM-months without a data plan ahead (the
horizon's ``data_gap_months``), how many a child's chosen connection plan covers ("gap with a
plan") and how many nothing covers yet ("gap with no plan"), month by month over the 36 months
from this month, and what the chosen plans cost.

Definitions (those of ``devices.horizon``, whose terms this reuses):

* A device whose data cover applies (a 4G router, or a device actively allocated to a child
  who needs connectivity: the trigger-kept ``child_needs_data``) with horizon start ``S`` and
  first month without data ``FD`` has a **data gap** in every month ``m`` with
  ``max(FD, T, S) <= m < S + 36`` (``T`` this month). Summed over devices this is exactly the
  horizon's ``data_gap_months`` (and its 36 months from ``T``, the month-by-month table).
* A gap month is **with a plan** when the device is actively allocated to a child whose current
  ``ConnectionPlan`` is a plan (not "no plan yet") covering that month: from the month of its
  start (any month when it has none) to the month of its cover-until date (every later month
  when it has none). Every other gap month is **with no plan** (a router with no child too).
* **Cost of the plans chosen**: each plan's monthly cost for each gap month it covers (data bank
  vouchers and family data cost the council nothing unless a cost is recorded).

Two SQL queries: the gap of every device whose data cover applies, from the horizon's summary
table as the cliff edge reads it (``reports_horizoncount``: a few thousand rows nationally), and
the planned part, read from the current plans through their child's active allocation to the
device (index lookups, so its cost follows the number of plans, not of devices); "no plan" is
the gap minus the planned part. The months are counted from the groups in Python. A page that
has just computed the horizon (the cliff edge, a CIO dashboard) passes its gap groups in
(``LaHorizon.data_gap_groups``, read by the horizon's own query), and only the planned part is
read.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from devices import horizon as hz


@dataclass
class PlanGap:
    """The data gap of a set of LAs split by connection plan; ``with_plan[i]`` and
    ``no_plan[i]`` are SIM-months in ``months[i]`` (this month and the next 35)."""

    months: list
    with_plan: list
    no_plan: list
    with_plan_months: int = 0  # over every device's remaining horizon (= sum(with_plan) mostly)
    no_plan_months: int = 0
    plan_cost: Decimal = field(default_factory=lambda: Decimal("0.00"))

    def add(self, other):
        self.with_plan = [a + b for a, b in zip(self.with_plan, other.with_plan)]
        self.no_plan = [a + b for a, b in zip(self.no_plan, other.no_plan)]
        self.with_plan_months += other.with_plan_months
        self.no_plan_months += other.no_plan_months
        self.plan_cost += other.plan_cost
        return self

    def rows(self):
        return list(zip(self.months, self.with_plan, self.no_plan))


def empty(today):
    h = hz.horizon_months()
    t = hz.month_index(today)
    return PlanGap(months=[hz.month_from_index(t + i) for i in range(h)], with_plan=[0] * h, no_plan=[0] * h)


def _la_filter(column, la_ids):
    if la_ids is None:
        return ""
    return "AND {} IN ({})".format(column, ", ".join(str(int(i)) for i in la_ids) or "NULL")


def _gap_sql(today, la_ids):
    """``(la, s, fd, n)``: devices whose data cover applies, by horizon start and first month
    without data: from the horizon's summary table (``reports_horizoncount``), as the cliff
    edge reads it, or from the device table when the summaries are off."""
    from devices.models import INACTIVE_STATUSES, Device
    from reports import summaries

    if summaries.ENABLED:
        from django.conf import settings

        rows = summaries.horizon_rows_sql(today, la_ids, settings.DFE_LICENCE_MONTHS)
        return f"SELECT la, s, fd, SUM(n) FROM ({rows}) h WHERE nd = 1 GROUP BY la, s, fd"
    day = hz._date_literal(today)
    inactive = ", ".join(f"'{s}'" for s in INACTIVE_STATUSES)
    s = hz._mi_sql(f"COALESCE(dv.handed_over_on, dv.delivered_on, {day})")
    fd = f"CASE WHEN dv.plan_cover_end IS NULL THEN -1 ELSE {hz._mi_sql(hz._next_day_sql('dv.plan_cover_end'))} END"
    return f"""
SELECT la, s, fd, COUNT(*) FROM (
  SELECT dv.local_authority_id AS la, {s} AS s, {fd} AS fd FROM {Device._meta.db_table} dv
  WHERE dv.status NOT IN ({inactive}) AND (dv.kind = 'router' OR dv.child_needs_data) {_la_filter('dv.local_authority_id', la_ids)}
) d GROUP BY la, s, fd"""


def _mi(expr):
    """``month_index`` in SQL, computed per row. The horizon's PostgreSQL form looks month
    indices up in a calendar array built once per query (worth it over two million devices);
    its ~40 ms to build, per date column, is most of the time of this query over a few
    thousand planned devices, so here the plain ``date_part`` form is used."""
    if hz.connection.vendor == "postgresql":
        return f"(CAST(date_part('year', {expr}) AS INTEGER) * 12 + CAST(date_part('month', {expr}) AS INTEGER) - 1)"
    return hz._mi_sql(expr)


def _planned_sql(today, la_ids):
    """``(la, s, fd, ps, pe, n, cost)``: the same devices, only those actively allocated to a
    child with a current plan, read from the plans' side (index lookups per plan: the cost
    follows the number of plans, not of devices)."""
    from allocations.models import Allocation
    from connectivity.models import ConnectionPlan
    from devices.models import INACTIVE_STATUSES, Device

    d, a, p = Device._meta.db_table, Allocation._meta.db_table, ConnectionPlan._meta.db_table
    day = hz._date_literal(today)
    inactive = ", ".join(f"'{s}'" for s in INACTIVE_STATUSES)
    kinds = ", ".join(f"'{k}'" for k in ConnectionPlan.PLAN_KINDS)
    true = "TRUE" if hz.connection.vendor == "postgresql" else "1"
    s = _mi(f"COALESCE(dv.handed_over_on, dv.delivered_on, {day})")
    fd = f"CASE WHEN dv.plan_cover_end IS NULL THEN -1 ELSE {_mi(hz._next_day_sql('dv.plan_cover_end'))} END"
    ps = f"CASE WHEN cp.starts IS NULL THEN NULL ELSE {_mi('cp.starts')} END"
    pe = f"CASE WHEN cp.ends IS NULL THEN NULL ELSE {_mi('cp.ends')} END"
    # A device has at most one active allocation (a constraint), a child one current plan.
    return f"""
SELECT la, s, fd, ps, pe, COUNT(*), SUM(cost) FROM (
  SELECT dv.local_authority_id AS la, {s} AS s, {fd} AS fd, {ps} AS ps, {pe} AS pe, COALESCE(cp.monthly_cost, 0) AS cost
  FROM {p} cp
  JOIN {a} al ON al.child_id = cp.child_id AND al.status IN ('planned', 'handed_over')
  JOIN {d} dv ON dv.id = al.device_id
  WHERE cp.is_current = {true} AND cp.kind IN ({kinds}) AND dv.status NOT IN ({inactive})
    AND (dv.kind = 'router' OR dv.child_needs_data) {_la_filter('dv.local_authority_id', la_ids)}
) x GROUP BY la, s, fd, ps, pe"""


def data_gap_by_plan(today, la_ids=None, gap_groups=None):
    """``{la_id: PlanGap}`` for the LAs in ``la_ids`` (``None``: every LA) with a data gap.

    Two queries: the gap of every device whose data applies (the horizon's summary table), and
    the part of it whose child has a current plan (from the plans). ``gap_groups``: the gap as
    the horizon already read it (``(la, s, fd, n)`` rows, ``LaHorizon.data_gap_groups`` of the
    same LAs and day), which saves the first query. "No plan" is the gap minus
    the planned part, month by month. Each group adds its months to the 36-month series by a
    difference array: constant work per group, whatever its length."""
    h = hz.horizon_months()
    t = hz.month_index(today)
    totals, planned, months, costs = {}, {}, {}, {}

    def span(a, b, n, diff):
        """Add ``n`` to the months ``[a, b)`` of the window; returns the months in ``[a, b)``."""
        if b <= a:
            return 0
        lo, hi = max(a, t) - t, min(b, t + h) - t
        if hi > lo:
            diff[lo] += n
            diff[hi] -= n
        return b - a

    gap = gap_groups if gap_groups is not None else hz._run(_gap_sql(today, la_ids))
    for la, s, fd, n in gap:
        s, fd, n = int(s), int(fd), int(n or 0)
        if not n:
            continue
        diff = months.setdefault(la, [[0] * (h + 1), [0] * (h + 1)])[0]
        totals[la] = totals.get(la, 0) + n * span(max(fd, t, s), s + h, n, diff)
    for la, s, fd, ps, pe, n, cost in hz._run(_planned_sql(today, la_ids)):
        s, fd, n = int(s), int(fd), int(n)
        first, end = max(fd, t, s), s + h
        if ps is not None:
            first = max(first, int(ps))
        if pe is not None:
            end = min(end, int(pe) + 1)
        diff = months.setdefault(la, [[0] * (h + 1), [0] * (h + 1)])[1]
        length = span(first, end, n, diff)
        planned[la] = planned.get(la, 0) + n * length
        costs[la] = costs.get(la, Decimal("0")) + Decimal(str(cost or 0)) * length
    result = {}
    for la, (gap_diff, plan_diff) in months.items():
        entry = empty(today)
        gap_run = plan_run = 0
        for i in range(h):
            gap_run += gap_diff[i]
            plan_run += plan_diff[i]
            entry.with_plan[i] = plan_run
            entry.no_plan[i] = gap_run - plan_run
        entry.with_plan_months = planned.get(la, 0)
        entry.no_plan_months = totals.get(la, 0) - entry.with_plan_months
        entry.plan_cost = costs.get(la, Decimal("0")).quantize(Decimal("0.01"))
        if totals.get(la, 0) or entry.with_plan_months:
            result[la] = entry
    return result


def total(today, la_ids=None, gap_groups=None):
    """One ``PlanGap`` summed over ``la_ids`` (``gap_groups``: see ``data_gap_by_plan``)."""
    found = empty(today)
    for entry in data_gap_by_plan(today, la_ids, gap_groups=gap_groups).values():
        found.add(entry)
    return found


def data_gap_by_plan_python(today, devices=None):
    """The same split by a Python loop over devices, a few queries each: the benchmark's naive
    way and the tests' reference. Not used by pages."""
    from allocations.models import ACTIVE_ALLOCATION_STATUSES, Allocation
    from connectivity.models import ConnectionPlan
    from devices.models import Device

    h = hz.horizon_months()
    t = hz.month_index(today)
    result = {}
    qs = devices if devices is not None else Device.objects.active()
    for device in qs.iterator(chunk_size=2000):
        if not (device.kind == "router" or device.child_needs_data):
            continue
        s = hz.month_index(hz.horizon_start(device, today))
        fd = hz.month_index(device.plan_cover_end + datetime.timedelta(days=1)) if device.plan_cover_end else -1
        if fd >= s + h:
            continue
        allocation = Allocation.objects.filter(device=device, status__in=ACTIVE_ALLOCATION_STATUSES).first()
        plan = None
        if allocation is not None:
            plan = ConnectionPlan.objects.filter(child_id=allocation.child_id, is_current=True, kind__in=ConnectionPlan.PLAN_KINDS).first()
        entry = result.setdefault(device.local_authority_id, empty(today))
        for m in range(max(fd, t, s), s + h):
            covered = plan is not None and (plan.starts is None or hz.month_index(plan.starts) <= m) and (plan.ends is None or m <= hz.month_index(plan.ends))
            if covered:
                entry.with_plan_months += 1
                entry.plan_cost += plan.monthly_cost or Decimal("0")
            else:
                entry.no_plan_months += 1
            if 0 <= m - t < h:
                (entry.with_plan if covered else entry.no_plan)[m - t] += 1
    for entry in result.values():
        entry.plan_cost = entry.plan_cost.quantize(Decimal("0.01"))
    return result


def published(facts, viewer):
    """The split as shown to ``viewer`` (small numbers hidden by the one policy,
    ``reports.suppression.hides_small_numbers``, with the one algorithm via ``StatTable``):
    ``(figures, months)`` with ``figures`` ``{figure name: value or "[c]"}`` and ``months``
    ``[(month, with plan, no plan)]``. ``None`` when the scope has no split (a school)."""
    from reports import definitions
    from reports.published import _column, cells
    from reports.statistics import TOTAL, Column, StatTable
    from reports.suppression import hides_small_numbers

    gap = facts.plan_gap
    if gap is None:
        return None
    h = len(gap.months)
    wp, np_ = [f"wp{i}" for i in range(h)], [f"np{i}" for i in range(h)]
    names = ["data_gap_with_plan", "data_gap_no_plan"]
    cols = [_column(n) for n in names] + [Column(k, k) for k in wp + np_]
    cols.append(_column("data_gap_plan_cost", summed=False, hide_with=("data_gap_with_plan",)))
    # The months add up to the totals unless some device's three years start after this month.
    exact = sum(gap.with_plan) == gap.with_plan_months and sum(gap.no_plan) == gap.no_plan_months
    table = StatTable(
        columns=cols, label_headers=[""], total_labels=[""],
        row_relations=[("data_gap_with_plan", wp), ("data_gap_no_plan", np_)] if exact else [],
    )
    table.total_values = dict(definitions.values(names + ["data_gap_plan_cost"], facts), **dict(zip(wp, gap.with_plan)), **dict(zip(np_, gap.no_plan)))
    table.suppress_small = hides_small_numbers(viewer, facts.scope.la_ids)
    shown = cells(table)[TOTAL]
    return shown, [(m, shown[a], shown[b]) for m, a, b in zip(gap.months, wp, np_)]
