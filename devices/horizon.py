"""The three-year horizon: licence and data cover per device per month, and the cliff edge.

Every device handed to a child should have licence cover and, where connectivity is needed,
an active data plan, for ``settings.HORIZON_MONTHS`` (36) months from handover (from delivery
while unallocated; from today when neither date is known).

Definitions used throughout (the CIO dashboard and the daily checks reuse these functions):

* **Month index** ``mi(d) = year * 12 + month - 1``; month arithmetic is integer arithmetic on it.
* **Horizon** of a device: the 36 months starting with the month of its start date
  (``handed_over_on``, else ``delivered_on``, else today).
* **Licence cover**: any ``Licence`` row of the device, whatever the product. A device with no
  licence rows at all has the default DfE-managed cover: ``settings.DFE_LICENCE_MONTHS`` months
  from delivery (from the horizon start when the delivery date is unknown), i.e. from
  ``delivered_on`` up to the day before the same day-of-month six months later.
* **Data cover** applies to 4G routers, and to any device whose active allocation (planned or
  handed over) is to a child who needs connectivity. It is given by the ``DataPlan`` rows of the
  SIM in the device. Where it does not apply, a month's data cover is ``None``.
* **A month is covered** only when cover runs over the whole month (the part of it inside the
  horizon, for the first month). A licence ending on 14 July leaves July uncovered; a licence
  ending on 31 July covers July. This is the honest reading: a child without cover for the last
  fortnight of a month is without cover that month.

Per-device figures (``device_months``) take the exact union of a device's licences and plans,
so gaps between two licences show. The aggregates (``cliff_edge``) run in one SQL query over
all devices and, to stay fast at two million devices, use a precomputed *cover end* per device:
``MAX(end)`` of its licences (and of its SIM's plans), kept in columns of ``devices_device`` by
database triggers (``devices/cover.py``), so the query is one scan of one table. They assume cover is continuous from the
start of the horizon up to that end. A device whose licences have a hole in the middle is
counted as covered through the hole; ``device_months`` and the ``horizon_gap`` daily check show
such holes device by device.

Terms in the aggregate, per device, with ``S`` its first horizon month, ``T`` this month and
``F`` the first month not fully covered (``mi(cover_end + 1 day)``):

* loses cover in month ``L = F`` (for devices needing data, the earlier of the licence and the
  data ``F``), counted in the cliff edge when ``T <= L < S + 36``; when ``L < T`` the device is
  counted as *already without cover*; when ``L >= S + 36`` it is covered to the horizon's end.
* uncovered device-months over the horizon: ``36 - clamp(F - S, 0, 36)`` for licences, and
  the same for data where data applies.
* the gap still to close (from this month on): ``max(0, S + 36 - max(F, T))`` capped at 36;
  the cost of closing it is those months times ``settings.UNIT_PRICES['licence_month']`` (and
  ``['data_month']`` for data).
"""

import calendar
import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection, transaction

from connectivity.models import DataPlan
from devices.models import INACTIVE_STATUSES, Device, DeviceKind, Licence


def month_index(day):
    """``year * 12 + month - 1``: consecutive months have consecutive indices."""
    return day.year * 12 + day.month - 1


def month_from_index(index):
    """The first day of the month with this ``month_index``."""
    return datetime.date(index // 12, index % 12 + 1, 1)


def month_end(month_start):
    return month_start.replace(day=calendar.monthrange(month_start.year, month_start.month)[1])


def add_months(day, months):
    """``day`` moved by ``months`` calendar months, clamped to the end of a shorter month."""
    index = month_index(day) + months
    year, month = index // 12, index % 12 + 1
    # Safe for any date already stored (year 1 or 9999 from before dates were range-checked):
    # clamp instead of overflowing.
    if year > datetime.MAXYEAR:
        return datetime.date.max
    if year < datetime.MINYEAR:
        return datetime.date.min
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def horizon_months():
    return getattr(settings, "HORIZON_MONTHS", 36)


def horizon_start(device, today):
    """The day the device's horizon starts: handover, else delivery, else ``today``.

    Clamped to 1990-2100 (the range every form, import and API now enforces), so a date
    stored before that check (year 1, year 9999) cannot overflow the months that follow."""
    from core.imports.parsers import MAX_DATE, MIN_DATE

    day = device.handed_over_on or device.delivered_on or today
    return min(max(day, MIN_DATE), MAX_DATE)


def default_dfe_cover(device, today):
    """The implied DfE-managed licence interval for a device with no licence rows."""
    start = device.delivered_on or horizon_start(device, today)
    return start, add_months(start, settings.DFE_LICENCE_MONTHS) - datetime.timedelta(days=1)


def needs_data(device):
    """Whether data cover applies: a router, or allocated to a child who needs connectivity."""
    if device.kind == DeviceKind.ROUTER:
        return True
    from allocations.models import ACTIVE_ALLOCATION_STATUSES, Allocation

    return Allocation.objects.filter(
        device=device, status__in=ACTIVE_ALLOCATION_STATUSES, child__needs_connectivity=True
    ).exists()


def _covers(intervals, first, last):
    """Whether the union of closed date ``intervals`` covers every day from ``first`` to ``last``."""
    reached = None  # the last day covered so far (None: the day before ``first``)
    for start, end in sorted(intervals):
        # written without date arithmetic on stored dates, which may be year 1 or 9999
        if start > first if reached is None else (start > reached and (start - reached).days > 1):
            break
        if reached is None:
            if end >= first:  # else nothing from ``first`` on is covered yet
                reached = end
                if reached >= last:
                    return True
            continue
        reached = max(reached, end)
        if reached >= last:
            return True
    return reached is not None and reached >= last


def device_months(device, today, licences=None, plans=None, data_applies=None):
    """The device's horizon, month by month.

    Returns ``HORIZON_MONTHS`` tuples ``(month_start, licence_covered, data_covered)``;
    ``data_covered`` is ``None`` when data cover does not apply to the device (see the module
    docstring). Three or four queries, whatever the device; none when the caller has already
    read the device's ``licences`` and ``plans`` (``(start, end)`` pairs) and knows whether
    ``data_applies`` (the device page).
    """
    start_day = horizon_start(device, today)
    if licences is None:
        licences = list(Licence.objects.filter(device=device).values_list("start", "end"))
    licences = list(licences) or [default_dfe_cover(device, today)]
    if data_applies is None:
        data_applies = needs_data(device)
    if not data_applies:
        plans = []
    elif plans is None:
        plans = list(DataPlan.objects.filter(sim__device=device).values_list("start", "end"))
    first = month_index(start_day)
    result = []
    for index in range(first, first + horizon_months()):
        month_start = month_from_index(index)
        from_day = max(month_start, start_day)
        last_day = month_end(month_start)
        licence_ok = _covers(licences, from_day, last_day)
        data_ok = _covers(plans, from_day, last_day) if data_applies else None
        result.append((month_start, licence_ok, data_ok))
    return result


def first_gap(device, today):
    """The first month from this month on, within the horizon, lacking licence or data cover.

    ``None`` when the rest of the horizon is covered. Used by the ``horizon_gap`` daily check.
    """
    this_month = today.replace(day=1)
    for month_start, licence_ok, data_ok in device_months(device, today):
        if month_start < this_month:
            continue
        if not licence_ok or data_ok is False:
            return month_start
    return None


# --- Aggregates in SQL ---------------------------------------------------------------------


#: PostgreSQL: month indices of every day in this range are looked up in an array built once
#: per query (an InitPlan) instead of calling ``date_part`` twice per date per device, which
#: was most of the cliff edge's time at national scale. Dates outside it use ``date_part``.
_CALENDAR_FIRST = datetime.date(2010, 1, 1)
_CALENDAR_LAST = datetime.date(2060, 12, 31)


def _mi_sql(expr):
    """SQL for ``month_index`` of a date expression on the current backend."""
    if connection.vendor == "postgresql":
        slow = f"(CAST(date_part('year', {expr}) AS INTEGER) * 12 + CAST(date_part('month', {expr}) AS INTEGER) - 1)"
        first, last = _CALENDAR_FIRST.isoformat(), _CALENDAR_LAST.isoformat()
        calendar_sql = (
            "(SELECT array_agg(CAST(date_part('year', d) AS INTEGER) * 12 + CAST(date_part('month', d) AS INTEGER) - 1 "
            f"ORDER BY d) FROM generate_series(DATE '{first}', DATE '{last}', interval '1 day') AS d)"
        )
        return f"COALESCE({calendar_sql}[({expr}) - DATE '{first}' + 1], {slow})"
    return f"(CAST(strftime('%Y', {expr}) AS INTEGER) * 12 + CAST(strftime('%m', {expr}) AS INTEGER) - 1)"


def _next_day_sql(expr):
    if connection.vendor == "postgresql":
        return f"({expr} + 1)"
    return f"date({expr}, '+1 day')"


def _least(a, b):
    return f"LEAST({a}, {b})" if connection.vendor == "postgresql" else f"MIN({a}, {b})"


def _greatest(a, b):
    return f"GREATEST({a}, {b})" if connection.vendor == "postgresql" else f"MAX({a}, {b})"


def _date_literal(day):
    """A SQL date literal for a ``datetime.date`` we built ourselves (never user input)."""
    if connection.vendor == "postgresql":
        return f"DATE '{day.isoformat()}'"
    return f"'{day.isoformat()}'"


@dataclass
class LaHorizon:
    """Horizon figures for one LA. ``cliff[i]`` devices lose cover in month ``months[i]``."""

    local_authority_id: int
    months: list
    cliff: list
    devices: int = 0
    already_uncovered: int = 0
    covered_to_end: int = 0
    licence_uncovered_months: int = 0
    data_uncovered_months: int = 0
    licence_gap_months_ahead: int = 0
    data_gap_months_ahead: int = 0
    cost: Decimal = field(default_factory=lambda: Decimal("0.00"))
    #: ``(la, s, fd, n)``: ``n`` devices whose data cover applies, by horizon start ``s`` and
    #: first month without data ``fd``, those with a data gap ahead only: read by the same query,
    #: so the split of the data gap by connection plan (``connectivity.plan_gap``) need not
    #: read it again. Not part of the figures (nor of equality).
    data_gap_groups: list = field(default_factory=list, compare=False, repr=False)

    @property
    def uncovered_months(self):
        return self.licence_uncovered_months + self.data_uncovered_months

    @property
    def losing_cover(self):
        return sum(self.cliff)

    def rows(self):
        """``(month_start, devices losing cover)`` for the 36 months from this month."""
        return list(zip(self.months, self.cliff))


def _cliff_sql(today, la_ids, final=None):
    """The horizon query. Without ``final``: the per-LA aggregate. With ``final``: a query over
    ``lost`` (one row per device: la, device_id, school_id, s, fl, fd, nd, l)."""
    d = Device._meta.db_table
    day = _date_literal(today)
    dfe = int(settings.DFE_LICENCE_MONTHS)
    start_mi = _mi_sql(f"COALESCE(dv.handed_over_on, dv.delivered_on, {day})")
    dfe_mi = _mi_sql(f"COALESCE(dv.delivered_on, dv.handed_over_on, {day})")
    inactive = ", ".join(f"'{s}'" for s in INACTIVE_STATUSES)
    la_filter = ""
    if la_ids is not None:
        la_filter = "AND dv.local_authority_id IN ({})".format(", ".join(str(int(i)) for i in la_ids) or "NULL")
    # Per device: S (first horizon month), FL / FD (first month without licence / data cover),
    # ND (data applies); then L = first month without the cover that applies. The cover ends
    # are the trigger-kept columns of devices_device (devices/cover.py): one scan of one table.
    terms = f"""{start_mi} AS s,
    CASE WHEN dv.licence_cover_end IS NULL THEN {dfe_mi} + {dfe}
      ELSE {_mi_sql(_next_day_sql('dv.licence_cover_end'))} END AS fl,
    CASE WHEN dv.kind = 'router' OR dv.child_needs_data THEN 1 ELSE 0 END AS nd,
    CASE WHEN dv.plan_cover_end IS NULL THEN -1 ELSE {_mi_sql(_next_day_sql('dv.plan_cover_end'))} END AS fd"""
    where = f"WHERE dv.status NOT IN ({inactive}) {la_filter}"
    if final is not None:
        return f"""
WITH per AS MATERIALIZED (
  SELECT dv.local_authority_id AS la, dv.id AS device_id, dv.school_id AS school_id, {terms}
  FROM {d} dv {where}
), lost AS (
  SELECT la, device_id, school_id, s, fl, fd, nd, CASE WHEN nd = 1 THEN {_least('fl', 'fd')} ELSE fl END AS l
  FROM per
)
{final}"""
    # The aggregate first groups devices by (LA, S, FL, FD, ND), computing each term once per
    # device in a (parallel) scan; the bucket and the sums are then worked out once per group,
    # weighted by its count ``n``: a few thousand groups instead of two million rows.
    return _aggregate_sql(today, f"""
  SELECT dv.local_authority_id AS la, {terms}, COUNT(*) AS n
  FROM {d} dv {where}
  GROUP BY 1, 2, 3, 4, 5""")


#: The bucket of the aggregate's rows that are data-gap groups (``LaHorizon.data_gap_groups``).
GAP_GROUP = -3


def _aggregate_sql(today, per_sql):
    """The per-LA aggregate over ``per_sql``: rows ``(la, s, fl, fd, nd, n)``, ``n`` devices
    sharing those terms (from the device table, or from the summary table). Rows of bucket
    ``GAP_GROUP`` are ``(la, GAP_GROUP, n, s, fd, 0, 0)``: the data-gap groups."""
    h = horizon_months()
    t = month_index(today)
    return f"""
WITH per AS ({per_sql}
), lost AS (
  SELECT la, s, fl, fd, nd, n, CASE WHEN nd = 1 THEN {_least('fl', 'fd')} ELSE fl END AS l
  FROM per
)
SELECT la,
  CASE WHEN l >= s + {h} THEN -2 WHEN l < {t} THEN -1 WHEN l - {t} >= {h} THEN -2 ELSE l - {t} END AS bucket,
  SUM(n),
  SUM(n * ({h} - {_least(str(h), _greatest('fl - s', '0'))})),
  SUM(CASE WHEN nd = 1 THEN n * ({h} - {_least(str(h), _greatest('fd - s', '0'))}) ELSE 0 END),
  SUM(n * {_least(str(h), _greatest('0', f's + {h} - ' + _greatest('fl', str(t))))}),
  SUM(CASE WHEN nd = 1 THEN n * {_least(str(h), _greatest('0', f's + {h} - ' + _greatest('fd', str(t))))} ELSE 0 END)
FROM lost
GROUP BY la, bucket
UNION ALL
SELECT la, {GAP_GROUP}, SUM(n), s, fd, 0, 0
FROM lost
WHERE nd = 1 AND fd < s + {h} AND s + {h} > {t}
GROUP BY la, s, fd
"""


#: PostgreSQL working memory for the horizon query: enough to hash two million devices'
#: cover ends without spilling to disk (the default 4 MB makes it several times slower).
WORK_MEM = "256MB"


def _run(sql):
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
            # JIT compilation of this wide expression list costs about 1.2 s at national scale
            # and saves less than it costs; the query runs once per page or report.
            cursor.execute("SET LOCAL jit = off")
        cursor.execute(sql)
        return cursor.fetchall()


def cliff_edge(today, la_ids=None):
    """Horizon figures per LA, in one SQL query over the ``reports_horizoncount`` summary table
    (devices in service counted by LA and horizon terms, kept by database triggers:
    ``reports/summaries.py``), for any ``today``.

    ``la_ids``: limit to these LAs (``None``: all). Returns ``{la_id: LaHorizon}`` with an
    entry for every LA that has active devices. See the module docstring for the definitions.
    ``cliff_edge_direct`` computes the same from the device table.
    """
    from reports import summaries

    if not summaries.ENABLED:
        return cliff_edge_direct(today, la_ids)
    rows = _run(_aggregate_sql(today, summaries.horizon_rows_sql(today, la_ids, settings.DFE_LICENCE_MONTHS)))
    # Ledger rows of devices since deleted may leave an LA whose devices sum to 0: not listed.
    return {la: entry for la, entry in _figures(today, rows).items() if entry.devices}


def cliff_edge_direct(today, la_ids=None):
    """``cliff_edge`` from one scan of the device table (its trigger-kept cover columns)."""
    return _figures(today, _run(_cliff_sql(today, la_ids)))


def _figures(today, rows):
    h = horizon_months()
    this_month = month_index(today)
    months = [month_from_index(this_month + i) for i in range(h)]
    prices = settings.UNIT_PRICES
    licence_price = Decimal(str(prices["licence_month"]))
    data_price = Decimal(str(prices["data_month"]))
    result = {}
    groups = []
    for la, bucket, count, lic_unc, data_unc, lic_ahead, data_ahead in rows:
        bucket, count = int(bucket), int(count or 0)  # SUM(n) is numeric on PostgreSQL
        if bucket == GAP_GROUP:
            groups.append((la, int(lic_unc), int(data_unc), count))  # (la, s, fd, n)
            continue
        entry = result.get(la)
        if entry is None:
            entry = result[la] = LaHorizon(local_authority_id=la, months=months, cliff=[0] * h)
        if bucket == -1:
            entry.already_uncovered += count
        elif bucket == -2:
            entry.covered_to_end += count
        else:
            entry.cliff[bucket] += count
        entry.devices += count
        entry.licence_uncovered_months += int(lic_unc or 0)
        entry.data_uncovered_months += int(data_unc or 0)
        entry.licence_gap_months_ahead += int(lic_ahead or 0)
        entry.data_gap_months_ahead += int(data_ahead or 0)
    for la, s, fd, n in groups:
        if n and la in result:
            result[la].data_gap_groups.append((la, s, fd, n))
    for entry in result.values():
        entry.cost = (licence_price * entry.licence_gap_months_ahead + data_price * entry.data_gap_months_ahead).quantize(
            Decimal("0.01")
        )
    return result


def devices_losing_cover(today, months_ahead=3):
    """Devices whose cover (licence, or data where it applies) ends within the horizon in this
    month or the next ``months_ahead - 1`` months, by the same cover-end rule as ``cliff_edge``.

    Returns ``[(device_id, la_id, school_id, gap_month_start)]``; used by the ``horizon_gap``
    daily check. One query.
    """
    t = month_index(today)
    h = horizon_months()
    final = f"SELECT device_id, la, school_id, l FROM lost WHERE l >= {t} AND l < {t + int(months_ahead)} AND l < s + {h}"
    return [(device_id, la, school_id, month_from_index(int(l))) for device_id, la, school_id, l in _run(_cliff_sql(today, None, final=final))]


def la_horizon(local_authority, today):
    """``LaHorizon`` for one LA (an empty one when it has no active devices)."""
    la_id = getattr(local_authority, "pk", local_authority)
    h = horizon_months()
    this_month = month_index(today)
    found = cliff_edge(today, la_ids=[la_id]).get(la_id)
    if found is None:
        months = [month_from_index(this_month + i) for i in range(h)]
        found = LaHorizon(local_authority_id=la_id, months=months, cliff=[0] * h)
    return found


def cliff_edge_python(today, devices=None):
    """The same figures as ``cliff_edge`` by a Python loop over devices (the benchmark's anchor).

    Uses the same cover-end rule as the SQL, so both agree; it is here to be measured, not used.
    """
    h = horizon_months()
    this_month = month_index(today)
    months = [month_from_index(this_month + i) for i in range(h)]
    prices = settings.UNIT_PRICES
    result = {}
    qs = devices if devices is not None else Device.objects.active()
    for device in qs.iterator(chunk_size=2000):
        licence_end = Licence.objects.filter(device=device).order_by("-end").values_list("end", flat=True).first()
        plan_end = DataPlan.objects.filter(sim__device=device).order_by("-end").values_list("end", flat=True).first()
        data_applies = needs_data(device)
        s = month_index(horizon_start(device, today))
        if licence_end is None:
            fl = month_index(device.delivered_on or device.handed_over_on or today) + settings.DFE_LICENCE_MONTHS
        else:
            fl = month_index(licence_end + datetime.timedelta(days=1))
        fd = month_index(plan_end + datetime.timedelta(days=1)) if plan_end else -1
        lost = min(fl, fd) if data_applies else fl
        entry = result.get(device.local_authority_id)
        if entry is None:
            entry = result[device.local_authority_id] = LaHorizon(device.local_authority_id, months, [0] * h)
        entry.devices += 1
        if lost >= s + h or lost - this_month >= h:
            entry.covered_to_end += 1
        elif lost < this_month:
            entry.already_uncovered += 1
        else:
            entry.cliff[lost - this_month] += 1
        entry.licence_uncovered_months += h - min(h, max(fl - s, 0))
        entry.licence_gap_months_ahead += min(h, max(0, s + h - max(fl, this_month)))
        if data_applies:
            entry.data_uncovered_months += h - min(h, max(fd - s, 0))
            entry.data_gap_months_ahead += min(h, max(0, s + h - max(fd, this_month)))
    for entry in result.values():
        entry.cost = (
            Decimal(str(prices["licence_month"])) * entry.licence_gap_months_ahead
            + Decimal(str(prices["data_month"])) * entry.data_gap_months_ahead
        ).quantize(Decimal("0.01"))
    return result
