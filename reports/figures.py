"""Shortfall, progress, horizon, allowance and support figures, computed with SQL aggregation.

Every function takes ``la_ids`` (a list of LocalAuthority primary keys, ``None`` for all) and
returns aggregates only: never rows of children, devices or tickets. Views decide which LAs a
user may ask about (``reports.views.la_for``); the London view deliberately asks for all LAs and
shows only suppressed aggregates (``reports.suppression``).

Definitions (per school, and per LA):

* **Need (devices)**: active children with ``needs_laptop`` plus the school's latest
  ``NeedEstimate`` for laptops and tablets (children not yet named).
* **Supply (devices)**: laptops and tablets in service (not lost, stolen, written off or
  replaced) delivered to the LA; per school, those recorded at the school.
* **Laptop shortfall** = max(0, need − supply). The LA figure is computed from LA totals, so
  unallocated stock held centrally counts against every school's need.
* **Connectivity shortfall**: children who need connectivity, have a laptop or tablet (an active
  allocation), and have no data plan active today on any device allocated to them; plus the
  latest estimates for 4G routers. Closing it costs a dongle and 36 months of data each.
* **Licence and data gaps**: the three-year horizon from ``devices.horizon.cliff_edge``
  (engineer "monitoring"), priced at ``settings.UNIT_PRICES``.
* **Allowance evidence**: per month, the share of SIMs with a monthly reading whose use reached
  the DfE allowance (``settings.DFE_DATA_ALLOWANCE_MB``, 3 GB).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.db import connection
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import LocalAuthority, School
from allocations.models import ACTIVE_ALLOCATION_STATUSES, Allocation, Child
from connectivity.models import DataPlan, Sim, UsageReading
from devices.models import INACTIVE_STATUSES, LAPTOP_KINDS, Device, DeviceStatus
from reports.models import NeedEstimate

HORIZON_DATA_MONTHS = 36

# Device status buckets shown in progress figures and the London view (they add up to the total).
STATUS_BUCKETS = {
    "in_stock": (DeviceStatus.DELIVERED, DeviceStatus.IN_STOCK, DeviceStatus.RETURNED),
    "allocated": (DeviceStatus.ALLOCATED,),
    "handed_over": (DeviceStatus.HANDED_OVER, DeviceStatus.OWNERSHIP_TRANSFERRED),
    "in_repair": (DeviceStatus.FAULT_REPORTED, DeviceStatus.IN_REPAIR),
    "out_of_service": tuple(INACTIVE_STATUSES),
}
BUCKET_OF = {status: bucket for bucket, statuses in STATUS_BUCKETS.items() for status in statuses}


def prices():
    return {k: Decimal(str(v)) for k, v in settings.UNIT_PRICES.items()}


@dataclass
class Shortfall:
    """Need, supply and the shortfalls for one school or one LA (``key`` is its pk)."""

    key: int
    name: str = ""
    code: str = ""
    children_need_device: int = 0
    estimated_device_need: int = 0
    children_with_device: int = 0
    children_handed_over: int = 0
    devices: int = 0
    devices_by_bucket: dict = field(default_factory=lambda: dict.fromkeys(STATUS_BUCKETS, 0))
    routers: int = 0
    routers_by_bucket: dict = field(default_factory=lambda: dict.fromkeys(STATUS_BUCKETS, 0))
    children_need_connectivity: int = 0
    children_connected: int = 0
    connectivity_gap_children: int = 0
    estimated_router_need: int = 0

    @property
    def device_need(self):
        return self.children_need_device + self.estimated_device_need

    @property
    def laptop_shortfall(self):
        return max(0, self.device_need - self.devices)

    @property
    def children_awaiting_device(self):
        return max(0, self.children_need_device - self.children_with_device)

    @property
    def connectivity_shortfall(self):
        return self.connectivity_gap_children + self.estimated_router_need

    @property
    def laptop_cost(self):
        return (prices()["laptop"] * self.laptop_shortfall).quantize(Decimal("0.01"))

    @property
    def connectivity_cost(self):
        p = prices()
        return ((p["dongle"] + p["data_month"] * HORIZON_DATA_MONTHS) * self.connectivity_shortfall).quantize(Decimal("0.01"))

    def add(self, other):
        for name in (
            "children_need_device", "estimated_device_need", "children_with_device", "children_handed_over", "devices",
            "routers", "children_need_connectivity", "children_connected", "connectivity_gap_children", "estimated_router_need",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for bucket, n in other.devices_by_bucket.items():
            self.devices_by_bucket[bucket] += n
        for bucket, n in other.routers_by_bucket.items():
            self.routers_by_bucket[bucket] += n


def count_devices(s, kind, status, n):
    """Add ``n`` devices of ``kind`` and ``status`` to the ``Shortfall`` ``s`` (supply, buckets)."""
    if kind in LAPTOP_KINDS:
        s.devices_by_bucket[BUCKET_OF[status]] += n
        if status not in INACTIVE_STATUSES:
            s.devices += n
    else:
        s.routers_by_bucket[BUCKET_OF[status]] += n
        if status not in INACTIVE_STATUSES:
            s.routers += n


def _la_filter(qs, path, la_ids):
    return qs if la_ids is None else qs.filter(**{f"{path}__in": la_ids})


def _children_by(group, la_ids, today):
    """Child counts grouped by ``group`` ("school" or "local_authority").

    For the summaries' data date (today, once the scheduler has rolled it) from the summary
    tables ``reports_childcount`` / ``reports_schoolchildcount`` (``reports/summaries.py``);
    for any other date, ``_children_by_direct``. Returns dicts with need_device, with_device, handed,
    need_conn, connected and conn_gap.
    """
    from reports import summaries

    if not summaries.ENABLED or summaries.data_date() != today:
        return _children_by_direct(group, la_ids, today)
    return summaries.child_counts(la_ids, by_school=group == "school")


def _children_by_direct(group, la_ids, today):
    """Child counts grouped by ``group`` ("school" or "local_authority") in two SQL queries
    over the source tables, for any ``today`` (the reference the summaries are tested against).

    Per child: ``has_active_laptop`` / ``laptop_handed_over`` are columns kept by database
    triggers (``devices/cover.py``); "has data" is found from the plans active ``today``
    (plans -> SIMs -> the active allocations of their devices), counted in a second query.
    Returns dicts with need_device, with_device, handed, need_conn, connected and conn_gap.
    """
    child_t, alloc_t = Child._meta.db_table, Allocation._meta.db_table
    sim_t, plan_t = Sim._meta.db_table, DataPlan._meta.db_table
    column = {"school": "school_id", "local_authority": "local_authority_id"}[group]
    active = ", ".join(f"'{status}'" for status in ACTIVE_ALLOCATION_STATUSES)
    la_sql = ""
    if la_ids is None:
        # Every LA: start from the plans active today (a third of all plans) and hash-join.
        data_sql = f"""
  SELECT a.child_id FROM {plan_t} p
  JOIN {sim_t} s ON s.id = p.sim_id
  JOIN {alloc_t} a ON a.device_id = s.device_id AND a.status IN ({active})
  WHERE p.start <= %s AND p."end" >= %s"""
        data_params, la_params = [today, today], []
    else:
        # Some LAs: start from their children and follow the indexes.
        ids = [int(i) for i in la_ids] or [0]
        marks = ", ".join(["%s"] * len(ids))
        data_sql = f"""
  SELECT a.child_id FROM {child_t} c2
  JOIN {alloc_t} a ON a.child_id = c2.id AND a.status IN ({active})
  JOIN {sim_t} s ON s.device_id = a.device_id
  JOIN {plan_t} p ON p.sim_id = s.id AND p.start <= %s AND p."end" >= %s
  WHERE c2.local_authority_id IN ({marks})"""
        la_sql = f"AND c.local_authority_id IN ({marks})"
        data_params, la_params = [today, today] + ids, ids
    # Two queries: one pass over the children's flags, then the children with data today
    # (a semi-join), which PostgreSQL runs in parallel; together faster than one outer join.
    flags_sql = f"""
SELECT c.{column},
  SUM(CASE WHEN c.needs_laptop THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.needs_laptop AND c.has_active_laptop THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.needs_laptop AND c.laptop_handed_over THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.needs_connectivity THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.needs_connectivity AND c.has_active_laptop THEN 1 ELSE 0 END)
FROM {child_t} c
WHERE c.anonymised_at IS NULL {la_sql}
GROUP BY c.{column}
"""
    data_count_sql = f"""
SELECT c.{column},
  SUM(CASE WHEN c.needs_connectivity THEN 1 ELSE 0 END),
  SUM(CASE WHEN c.needs_connectivity AND c.has_active_laptop THEN 1 ELSE 0 END)
FROM {child_t} c
WHERE c.anonymised_at IS NULL {la_sql} AND c.id IN ({data_sql}
)
GROUP BY c.{column}
"""
    with connection.cursor() as cursor:
        cursor.execute(flags_sql, la_params)
        flag_rows = cursor.fetchall()
        cursor.execute(data_count_sql, la_params + data_params)
        data_rows = {key: (int(conn or 0), int(conn_laptop or 0)) for key, conn, conn_laptop in cursor.fetchall()}
    result = []
    for key, need_device, with_device, handed, need_conn, conn_laptop in flag_rows:
        connected, connected_with_laptop = data_rows.get(key, (0, 0))
        values = {
            "need_device": int(need_device or 0),
            "with_device": int(with_device or 0),
            "handed": int(handed or 0),
            "need_conn": int(need_conn or 0),
            "connected": connected,
            "conn_gap": int(conn_laptop or 0) - connected_with_laptop,
        }
        result.append(dict(values, **{group: key}))
    return result


def _devices_by(group, la_ids):
    """Devices counted by ``group`` ("school" or "local_authority"), kind and status: dicts
    with ``group``, kind, status and n, from the ``reports_devicecount`` /
    ``reports_schooldevicecount`` summary tables."""
    from reports import summaries

    if not summaries.ENABLED:
        return _devices_by_direct(group, la_ids)
    return [
        {group: key, "kind": kind, "status": status, "n": n}
        for key, kind, status, n in summaries.device_counts(la_ids, by_school=group == "school")
    ]


def _devices_by_direct(group, la_ids):
    qs = _la_filter(Device.objects.all(), "local_authority", la_ids)
    # COUNT(*), not COUNT(id): by local authority it is then answered from the
    # (local_authority, kind, status) index alone.
    return qs.values(group, "kind", "status").annotate(n=Count("*")).order_by()


def latest_estimates(la_ids=None):
    """The newest estimate per school and kind (older ones are history)."""
    newest = NeedEstimate.objects.filter(school=OuterRef("school"), kind=OuterRef("kind")).order_by("-estimated_on", "-pk")
    qs = NeedEstimate.objects.filter(pk=Subquery(newest.values("pk")[:1]))
    return _la_filter(qs, "school__local_authority", la_ids)


def _estimates_by(group, la_ids):
    path = "school" if group == "school" else "school__local_authority"
    return latest_estimates(la_ids).values(path, "kind").annotate(n=Sum("count")).order_by().values_list(path, "kind", "n")


#: The ``shortfall_by("school")`` key of the children with no school, who belong to the LA
#: directly (care leavers, children missing education, LA-funded places): a line of their own,
#: apart from the devices at no school (``None``: stock held centrally).
COUNCIL_CHILDREN = "council"


def shortfall_by(group, la_ids=None, today=None):
    """``{key: Shortfall}`` grouped by "school" or "local_authority"; four aggregate queries.
    By school, the children with no school are under ``COUNCIL_CHILDREN``."""
    today = today or timezone.localdate()
    out = {}

    def get(key):
        if key not in out:
            out[key] = Shortfall(key=key)
        return out[key]

    for row in _children_by(group, la_ids, today):
        # No school: NULL from the source tables, 0 from the summary tables.
        s = get(COUNCIL_CHILDREN if group == "school" and not row[group] else row[group])
        s.children_need_device += row["need_device"]
        s.children_with_device += row["with_device"]
        s.children_handed_over += row["handed"]
        s.children_need_connectivity += row["need_conn"]
        s.children_connected += row["connected"]
        s.connectivity_gap_children += row["conn_gap"]
    for row in _devices_by(group, la_ids):
        count_devices(get(row[group]), row["kind"], row["status"], row["n"])
    for key, kind, n in _estimates_by(group, la_ids):
        s = get(key)
        if kind in LAPTOP_KINDS:
            s.estimated_device_need += n or 0
        else:
            s.estimated_router_need += n or 0
    return out


def school_shortfall(la_id, today=None):
    """Per-school ``Shortfall`` rows for one LA (schools with no activity included), by name;
    then, where there are any, the children who belong to the LA directly (no school) and the
    devices at no school, each on a line of its own, so the LA's totals are the rows' sum."""
    found = shortfall_by("school", [la_id], today)
    rows = []
    for school in School.objects.filter(local_authority_id=la_id).only("pk", "name", "urn").order_by("name"):
        s = found.pop(school.pk, None) or Shortfall(key=school.pk)
        s.name, s.code = school.name, str(school.urn)
        rows.append(s)
    council = found.pop(COUNCIL_CHILDREN, None)
    if council is not None:
        council.name, council.code = _("Children belonging to the council directly (no school)"), ""
        rows.append(council)
    unassigned = found.pop(None, None)
    if unassigned is not None:
        unassigned.name = _("Not yet at a school")
        rows.append(unassigned)
    return rows


def la_shortfall(la_ids=None, today=None):
    """Per-LA ``Shortfall``, every LA listed (in name order), zeros where nothing is recorded."""
    found = shortfall_by("local_authority", la_ids, today)
    las = LocalAuthority.objects.order_by("name").only("pk", "name", "code")
    if la_ids is not None:
        las = las.filter(pk__in=la_ids)
    rows = []
    for la in las:
        s = found.get(la.pk) or Shortfall(key=la.pk)
        s.name, s.code = la.name, la.code
        rows.append(s)
    return rows


def total(rows, name=None):
    t = Shortfall(key=None, name=name or _("Total"))
    for r in rows:
        t.add(r)
    return t


# --- horizon ---------------------------------------------------------------------------------


@dataclass
class Horizon:
    """The 36-month horizon for a set of LAs, summed (``devices.horizon`` figures)."""

    months: list
    cliff: list
    devices: int = 0
    already_uncovered: int = 0
    covered_to_end: int = 0
    licence_gap_months: int = 0
    data_gap_months: int = 0
    licence_uncovered_months: int = 0
    data_uncovered_months: int = 0
    #: The LAs' ``devices.horizon.LaHorizon.data_gap_groups`` joined, or None when not known
    #: (``connectivity.plan_gap`` then reads the gap itself).
    data_gap_groups: list | None = field(default=None, compare=False, repr=False)

    @property
    def licence_cost(self):
        return (prices()["licence_month"] * self.licence_gap_months).quantize(Decimal("0.01"))

    @property
    def data_cost(self):
        return (prices()["data_month"] * self.data_gap_months).quantize(Decimal("0.01"))

    @property
    def losing_cover(self):
        return sum(self.cliff)

    def cumulative(self):
        """Devices without cover by the end of each month: already uncovered plus the cliff so far."""
        running, out = self.already_uncovered, []
        for n in self.cliff:
            running += n
            out.append(running)
        return out


def horizon(la_ids=None, today=None):
    """Horizon figures summed over ``la_ids``; one SQL query (``devices.horizon.cliff_edge``)."""
    from devices.horizon import cliff_edge, horizon_months, month_from_index, month_index

    today = today or timezone.localdate()
    h = horizon_months()
    months = [month_from_index(month_index(today) + i) for i in range(h)]
    result = Horizon(months=months, cliff=[0] * h, data_gap_groups=[])
    for entry in cliff_edge(today, la_ids=la_ids).values():
        result.data_gap_groups.extend(entry.data_gap_groups)
        result.cliff = [a + b for a, b in zip(result.cliff, entry.cliff)]
        result.devices += entry.devices
        result.already_uncovered += entry.already_uncovered
        result.covered_to_end += entry.covered_to_end
        result.licence_gap_months += entry.licence_gap_months_ahead
        result.data_gap_months += entry.data_gap_months_ahead
        result.licence_uncovered_months += entry.licence_uncovered_months
        result.data_uncovered_months += entry.data_uncovered_months
    return result


# --- allowance evidence ----------------------------------------------------------------------


@dataclass
class AllowanceMonth:
    month: datetime.date
    sims: int
    exhausted: int

    @property
    def share(self):
        return round(100 * self.exhausted / self.sims, 1) if self.sims else None


def allowance_evidence(la_ids=None, today=None, months=12):
    """Per month (the last ``months`` with readings): SIMs with a reading, and those that used
    the whole DfE allowance. Plus the number of SIMs with a reading, and that exhausted it, in
    any of those months. One query: the readings are read once (into a materialised CTE) and
    counted both ways.

    A SIM has at most one monthly reading per month (``one_reading_per_sim_period``), so a
    month's SIMs are its readings (``COUNT(*)``, no ``DISTINCT``), and the period's SIMs are
    the groups of the readings by SIM: hash aggregates, no sorts. The readings come from that
    constraint's index alone (it carries ``mb_used``; PostgreSQL), the LA's SIMs from
    ``sim_la_id``."""
    today = today or timezone.localdate()
    allowance = settings.DFE_DATA_ALLOWANCE_MB
    first = (today.replace(day=1) - datetime.timedelta(days=31 * (months - 1))).replace(day=1)
    reading_t, sim_t = UsageReading._meta.db_table, Sim._meta.db_table
    la_sql, params = "", [UsageReading.Granularity.MONTH, first, today]
    if la_ids is not None:
        ids = [int(i) for i in la_ids] or [0]
        la_sql = "AND s.local_authority_id IN ({})".format(", ".join(["%s"] * len(ids)))
        params += ids
    sql = f"""
WITH r AS MATERIALIZED (
  SELECT u.sim_id, u.period, u.mb_used FROM {reading_t} u JOIN {sim_t} s ON s.id = u.sim_id
  WHERE u.granularity = %s AND u.period >= %s AND u.period <= %s {la_sql}
)
SELECT 0, r.period, COUNT(*), SUM(CASE WHEN r.mb_used >= %s THEN 1 ELSE 0 END) FROM r GROUP BY r.period
UNION ALL
SELECT 1, NULL, COUNT(*), SUM(x.exhausted) FROM (
  SELECT r.sim_id, MAX(CASE WHEN r.mb_used >= %s THEN 1 ELSE 0 END) AS exhausted FROM r GROUP BY r.sim_id
) x
ORDER BY 1, 2"""
    with connection.cursor() as cursor:
        cursor.execute(sql, params + [allowance, allowance])
        found = cursor.fetchall()
    rows, overall = [], AllowanceMonth(None, 0, 0)
    for is_total, period, sims, exhausted_sims in found:
        if is_total:
            overall = AllowanceMonth(None, int(sims or 0), int(exhausted_sims or 0))
        else:
            if isinstance(period, str):  # SQLite returns dates as text from raw SQL
                period = datetime.date.fromisoformat(period)
            rows.append(AllowanceMonth(period, int(sims), int(exhausted_sims or 0)))
    return rows, overall


# --- support picture -------------------------------------------------------------------------


def support_available():
    try:
        from support.models import Ticket  # noqa: F401
    except ImportError:
        return False
    return True


@dataclass
class SupportPicture:
    backlog: int = 0
    breached: int = 0
    raised_90_days: int = 0
    responded_90_days: int = 0
    median_first_response_hours: float = None
    by_language: list = field(default_factory=list)  # [(code, name, open, total)]


def support_picture(la_ids=None, now=None):
    """Backlog, SLA breaches, first-response time and tickets by language (support app).

    Counts every ticket including safeguarding concerns: these are aggregates, not rows.
    Returns ``None`` when the support app is not installed.
    """
    if not support_available():
        return None
    from support.models import OPEN_STATUSES, Ticket, breach_q, language_name

    now = now or timezone.now()
    qs = _la_filter(Ticket.objects.all(), "local_authority", la_ids)
    counts = qs.aggregate(backlog=Count("pk", filter=Q(status__in=OPEN_STATUSES)), breached=Count("pk", filter=breach_q(now)))
    since = now - datetime.timedelta(days=90)
    recent = qs.filter(created_at__gte=since)
    responses = list(
        recent.filter(first_responded_at__isnull=False)
        .annotate(wait=F("first_responded_at") - F("created_at"))
        .order_by("wait")
        .values_list("wait", flat=True)[:100000]
    )
    picture = SupportPicture(
        backlog=counts["backlog"], breached=counts["breached"], raised_90_days=recent.count(), responded_90_days=len(responses)
    )
    if responses:
        mid = responses[len(responses) // 2]
        picture.median_first_response_hours = round(mid.total_seconds() / 3600, 1)
    by_language = (
        qs.values("language")
        .annotate(open=Count("pk", filter=Q(status__in=OPEN_STATUSES)), total=Count("pk"))
        .order_by("-total", "language")
    )
    picture.by_language = [(r["language"], language_name(r["language"]), r["open"], r["total"]) for r in by_language]
    return picture


def tickets_by_language_and_la(la_ids=None):
    """``{la_id: {language: count}}`` of all tickets (the London view and the return)."""
    if not support_available():
        return {}
    from support.models import Ticket

    out = defaultdict(dict)
    qs = _la_filter(Ticket.objects.filter(local_authority__isnull=False), "local_authority", la_ids)
    for la_id, lang, n in qs.values_list("local_authority", "language").annotate(n=Count("pk")).order_by():
        out[la_id][lang] = n
    return out


# --- the whole dashboard ----------------------------------------------------------------------


@dataclass
class Dashboard:
    la: LocalAuthority
    total: Shortfall
    schools: list
    horizon: Horizon
    allowance: list
    allowance_overall: AllowanceMonth
    support: SupportPicture

    @property
    def costs(self):
        return {
            "laptops": self.total.laptop_cost,
            "connectivity": self.total.connectivity_cost,
            "licences": self.horizon.licence_cost,
            "data": self.horizon.data_cost,
        }

    @property
    def total_cost(self):
        return sum(self.costs.values(), Decimal("0.00"))


def dashboard(la, today=None):
    """Everything the CIO dashboard and the DfE return show for one LA (about ten queries)."""
    today = today or timezone.localdate()
    schools = school_shortfall(la.pk, today)
    # Every child, device and estimate of the LA is in exactly one school row (or the "not yet
    # at a school" row), so the LA's figures are the sum of the rows: no second pass over the data.
    la_total = total(schools, name=la.name)
    la_total.key, la_total.code = la.pk, la.code
    allowance, overall = allowance_evidence([la.pk], today)
    return Dashboard(
        la=la, total=la_total, schools=schools, horizon=horizon([la.pk], today),
        allowance=allowance, allowance_overall=overall, support=support_picture([la.pk]),
    )
