"""The figure registry: every figure the service shows, defined once.

Each ``Figure`` has a stable ``name`` (used in code, tests, the API and the anchors of the
definitions page ``/reports/figures/``), a translatable ``label``, a plain-English
``definition`` (shown next to the figure as "what this counts") and ONE function computing it
from the *facts* of a scope. A scope (``Scope``) is a school, an LA, several LAs or London
(every LA). ``Facts`` reads the compute functions of ``reports.figures`` (shortfall, horizon,
allowance) and two small aggregates of its own (tickets, allocations) once per scope and
request, so a page showing twenty figures runs each underlying query once.

Every surface asks here: the home cards (``<app>/dashboard.py``), the CIO dashboard, the
three-year cover page, the London view and its CSV (``reports.london``), the DfE return
(``reports.dfe_return``) and the API (``reports.api``). Two figures that differ on purpose have
two names: "Laptops and tablets in stock" (``laptops_in_stock``) is not "Devices in stock, all
kinds" (``devices_in_stock``). ``reports/tests/test_same_figure.py`` checks that every surface
shows the same value for the same figure and scope.

Whether small numbers are hidden is not decided here but by one policy,
``reports.suppression.hides_small_numbers(viewer, la_ids)``.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from reports import figures as compute

COUNT, MONEY = "count", "money"


def _fmt(template, **parts):
    """``template % parts``, translated when shown (not at import)."""
    return lazy(lambda: str(template) % {k: str(v) for k, v in parts.items()}, str)()


@dataclass(frozen=True)
class Scope:
    """What a figure is about: ``la_ids`` (``None``: every LA, i.e. London), optionally one school."""

    la_ids: tuple = None
    school_id: int = None

    @classmethod
    def london(cls):
        return cls(None)

    @classmethod
    def for_la(cls, la):
        return cls((getattr(la, "pk", la),))

    @classmethod
    def for_las(cls, la_ids):
        return cls(tuple(int(i) for i in la_ids))

    @classmethod
    def for_school(cls, school):
        return cls((school.local_authority_id,), school.pk)

    @classmethod
    def for_user(cls, user):
        """The scope of the rows ``user`` may see (``visible_to``'s rule, as a scope)."""
        from accounts.models import Role

        if user.is_superuser or user.role in (Role.ADMIN, Role.LONDON_LEAD):
            return cls.london()
        if user.role == Role.SCHOOL_STAFF:
            return cls((user.local_authority_id,), user.school_id or 0)
        if user.role == Role.SUPPORT_AGENT and not user.local_authority_id:
            return cls.london()
        return cls((user.local_authority_id or 0,))

    @property
    def la_list(self):
        return None if self.la_ids is None else list(self.la_ids)


@dataclass
class Tickets:
    """Support tickets in a scope, every one counted (safeguarding concerns included)."""

    open: int = 0
    breached: int = 0
    unassigned: int = 0
    open_by_language: list = field(default_factory=list)  # [(code, n)], most first
    #: the safeguarding concerns among them (the ticket list says how many it does not show
    #: to someone who is not a designated safeguarding lead)
    safeguarding_open: int = 0
    safeguarding_breached: int = 0
    safeguarding_unassigned: int = 0


@dataclass
class Allocations:
    planned: int = 0
    handed_over_council_owned: int = 0
    handed_over_family_owned: int = 0


class Facts:
    """The sources of every figure for one scope, each read once (lazily).

    ``preset`` lets a caller that has already computed a source (the CIO dashboard's
    ``figures.dashboard``) hand it over instead of computing it again.
    """

    def __init__(self, scope, today=None, **preset):
        self.scope = scope
        self.today = today or timezone.localdate()
        self.__dict__.update({k: v for k, v in preset.items() if v is not None})

    @cached_property
    def shortfall(self):
        s = self.scope
        if s.school_id is not None:
            found = compute.shortfall_by("school", s.la_list, self.today).get(s.school_id)
            return found or compute.Shortfall(key=s.school_id)
        return compute.total(compute.la_shortfall(s.la_list, self.today))

    @cached_property
    def devices(self):
        """Device counts by kind and status (a ``Shortfall`` with only its supply filled):
        the shortfall's own when it is already known, else one grouped count, so pages that
        show only device figures (the home cards) do not compute children's figures."""
        if "shortfall" in self.__dict__:
            return self.shortfall
        from devices.models import Device

        result = compute.Shortfall(key=self.scope.school_id)
        qs = self._scoped(Device.objects.all(), "local_authority", "school")
        for kind, status, n in qs.values_list("kind", "status").annotate(n=Count("*")).order_by():
            compute.count_devices(result, kind, status, n)
        return result

    @cached_property
    def horizon(self):
        if self.scope.school_id is not None:
            return None  # the cliff edge is computed per LA
        return compute.horizon(self.scope.la_list, self.today)

    @cached_property
    def allowance(self):
        return compute.allowance_evidence(self.scope.la_list, self.today)[1]

    @cached_property
    def tickets(self):
        if not compute.support_available():
            return Tickets()
        from support.models import OPEN_STATUSES, Ticket, breach_q

        qs = self._scoped(Ticket.objects.all(), "local_authority", "school")
        open_qs = qs.filter(status__in=OPEN_STATUSES)
        breached, unassigned, safeguarding = breach_q(timezone.now()), Q(assignee__isnull=True), Q(is_safeguarding=True)
        counts = open_qs.aggregate(
            open=Count("pk"), breached=Count("pk", filter=breached), unassigned=Count("pk", filter=unassigned),
            sg_open=Count("pk", filter=safeguarding), sg_breached=Count("pk", filter=safeguarding & breached),
            sg_unassigned=Count("pk", filter=safeguarding & unassigned),
        )
        by_language = open_qs.values_list("language").annotate(n=Count("pk")).order_by("-n", "language")
        return Tickets(
            open=counts["open"], breached=counts["breached"], unassigned=counts["unassigned"], open_by_language=list(by_language),
            safeguarding_open=counts["sg_open"], safeguarding_breached=counts["sg_breached"], safeguarding_unassigned=counts["sg_unassigned"],
        )

    @cached_property
    def allocations(self):
        from allocations.models import Allocation, AllocationStatus
        from devices.models import Ownership

        qs = self._scoped(Allocation.objects.all(), "child__local_authority", "child__school")
        handed = Q(status=AllocationStatus.HANDED_OVER)
        counts = qs.aggregate(
            planned=Count("pk", filter=Q(status=AllocationStatus.PLANNED)),
            council=Count("pk", filter=handed & ~Q(device__ownership=Ownership.FAMILY)),
            family=Count("pk", filter=handed & Q(device__ownership=Ownership.FAMILY)),
        )
        return Allocations(counts["planned"], counts["council"], counts["family"])

    def _scoped(self, qs, la_path, school_path):
        if self.scope.school_id is not None:
            return qs.filter(**{school_path: self.scope.school_id})
        if self.scope.la_ids is not None:
            return qs.filter(**{f"{la_path}__in": self.scope.la_ids})
        return qs


@dataclass(frozen=True)
class Figure:
    name: str
    label: str
    definition: str
    source: str  # the Facts attribute it is computed from
    get: object  # callable(source) -> value
    kind: str = COUNT

    def of(self, facts):
        """This figure's value from ``facts`` (``None`` when the scope has no such figure)."""
        source = getattr(facts, self.source)
        return None if source is None else self.get(source)

    @property
    def url(self):
        return reverse("reports:figure_definitions") + f"#{self.name}"


FIGURES = {}


def define(name, label, definition, source, get, kind=COUNT):
    if name in FIGURES:
        raise ValueError(f"figure {name!r} is defined twice")
    FIGURES[name] = Figure(name, label, definition, source, get, kind)


# --- devices by status bucket and kind ---------------------------------------------------------

BUCKET_WORDS = {
    "in_stock": (_("in stock"), _("delivered, in stock or returned: held by the council, not with a child")),
    "allocated": (_("allocated, not yet handed over"), _("allocated to a child and not yet handed over")),
    "handed_over": (_("handed over"), _("handed over to a child, including those now owned by the family")),
    "in_repair": (_("with a fault or in repair"), _("with a fault reported or in repair")),
    "out_of_service": (_("lost, stolen or written off"), _("lost, stolen, written off or replaced: no longer in service")),
}
KIND_WORDS = {
    "laptops": (_("Laptops and tablets"), _("laptops and tablets"), "devices_by_bucket"),
    "routers": (_("4G routers"), _("4G routers and dongles"), "routers_by_bucket"),
}


def _bucket_getter(attrs, bucket):
    return lambda s: sum(getattr(s, a)[bucket] for a in attrs)


for kind, (kind_label, kind_words, attr) in KIND_WORDS.items():
    for bucket, (words, meaning) in BUCKET_WORDS.items():
        define(
            f"{kind}_{bucket}", _fmt(_("%(kind)s %(status)s"), kind=kind_label, status=words),
            _fmt(_("The %(kind)s the council received that are %(meaning)s."), kind=kind_words, meaning=meaning),
            "devices", _bucket_getter([attr], bucket),
        )
    define(
        f"{kind}_delivered", _fmt(_("%(kind)s delivered"), kind=kind_label),
        _fmt(_("Every one of the %(kind)s the council received, whatever has happened to it since (the sum of the five status groups)."), kind=kind_words),
        "devices", (lambda a: lambda s: sum(getattr(s, a).values()))(attr),
    )
for bucket, (words, meaning) in BUCKET_WORDS.items():
    define(
        f"devices_{bucket}", _fmt(_("Devices %(status)s (all kinds)"), status=words),
        _fmt(_("Laptops, tablets and 4G routers that are %(meaning)s."), meaning=meaning),
        "devices", _bucket_getter(["devices_by_bucket", "routers_by_bucket"], bucket),
    )
define(
    "devices_delivered", _("Devices delivered (all kinds)"),
    _("Every laptop, tablet and 4G router the council received, whatever has happened to it since."),
    "devices", lambda s: sum(s.devices_by_bucket.values()) + sum(s.routers_by_bucket.values()),
)
define(
    "devices_with_children", _("Devices with children (all kinds)"),
    _("Laptops, tablets and 4G routers allocated to a child or handed over (the allocated and handed-over groups together)."),
    "devices", lambda s: sum(getattr(s, a)[b] for a in ("devices_by_bucket", "routers_by_bucket") for b in ("allocated", "handed_over")),
)
define(
    "laptops_in_service", _("Laptops and tablets in service"),
    _("Laptops and tablets the council received that are not lost, stolen, written off or replaced. This is the supply the laptop shortfall is measured against."),
    "devices", lambda s: s.devices,
)
define(
    "routers_in_service", _("4G routers in service"),
    _("4G routers and dongles the council received that are not lost, stolen, written off or replaced."),
    "devices", lambda s: s.routers,
)
define(
    "devices_in_service", _("Devices in service (all kinds)"),
    _("Laptops, tablets and 4G routers that are not lost, stolen, written off or replaced: the devices the three-year cover applies to."),
    "horizon", lambda h: h.devices,
)

# --- children and need -------------------------------------------------------------------------

define(
    "children_needing_device", _("Children needing a device"),
    _("Children on the council's list (not anonymised) marked as needing a laptop or tablet."),
    "shortfall", lambda s: s.children_need_device,
)
define(
    "children_with_device", _("Children with a device"),
    _("Children needing a device who have a laptop or tablet allocated to them or handed over."),
    "shortfall", lambda s: s.children_with_device,
)
define(
    "children_handed_over", _("Children with a device handed over"),
    _("Children needing a device whose laptop or tablet has been handed over to them."),
    "shortfall", lambda s: s.children_handed_over,
)
define(
    "children_allocated_not_handed_over", _("Children allocated a device, not yet handed over"),
    _("Children needing a device with a laptop or tablet allocated to them that has not been handed over yet."),
    "shortfall", lambda s: max(0, s.children_with_device - s.children_handed_over),
)
define(
    "children_waiting", _("Children waiting for a device"),
    _("Children needing a device with no laptop or tablet allocated or handed over: children needing a device minus children with a device."),
    "shortfall", lambda s: s.children_awaiting_device,
)
define(
    "estimated_device_need", _("Estimated laptop and tablet need not yet named"),
    _("The latest estimate each school gave of children needing a laptop or tablet who are not yet on the list."),
    "shortfall", lambda s: s.estimated_device_need,
)
define(
    "estimated_router_need", _("Estimated 4G router need not yet named"),
    _("The latest estimate each school gave of children needing a 4G router who are not yet on the list."),
    "shortfall", lambda s: s.estimated_router_need,
)
define(
    "device_need", _("Total need for laptops and tablets"),
    _("Children needing a device plus the estimated laptop and tablet need not yet named."),
    "shortfall", lambda s: s.device_need,
)
define(
    "laptop_shortfall", _("Laptop shortfall"),
    _("Total need for laptops and tablets minus laptops and tablets in service, or 0 when there are enough. For an LA it is worked out from the LA's totals, so stock held centrally counts against every school's need."),
    "shortfall", lambda s: s.laptop_shortfall,
)
define(
    "laptop_shortfall_cost", _("Cost of closing the laptop shortfall"),
    _("The laptop shortfall times the unit price of a laptop."),
    "shortfall", lambda s: s.laptop_cost, MONEY,
)
define(
    "children_needing_connectivity", _("Children needing connectivity"),
    _("Children on the council's list (not anonymised) marked as needing connectivity."),
    "shortfall", lambda s: s.children_need_connectivity,
)
define(
    "children_with_data", _("Children with data"),
    _("Children needing connectivity with a data plan active today on a device allocated to them."),
    "shortfall", lambda s: s.children_connected,
)
define(
    "children_without_data", _("Children without data"),
    _("Children needing connectivity with no data plan active today on any device allocated to them."),
    "shortfall", lambda s: s.children_need_connectivity - s.children_connected,
)
define(
    "children_device_no_data", _("Children with a device but no data"),
    _("Children needing connectivity who have a laptop or tablet but no data plan active today."),
    "shortfall", lambda s: s.connectivity_gap_children,
)
define(
    "connectivity_shortfall", _("Connectivity shortfall"),
    _("Children with a device but no data plus the estimated 4G router need not yet named."),
    "shortfall", lambda s: s.connectivity_shortfall,
)
define(
    "connectivity_shortfall_cost", _("Cost of closing the connectivity shortfall"),
    _("The connectivity shortfall times the price of a dongle and 36 months of data."),
    "shortfall", lambda s: s.connectivity_cost, MONEY,
)

# --- the three-year cover (horizon) ------------------------------------------------------------

define(
    "devices_without_cover", _("Devices already without cover"),
    _("Devices in service whose licence cover, or data cover where the child needs connectivity, has already ended within their three years."),
    "horizon", lambda h: h.already_uncovered,
)
define(
    "devices_losing_cover", _("Devices losing cover in the next 36 months"),
    _("Devices in service whose licence or data cover ends in this month or one of the next 35, within their three years."),
    "horizon", lambda h: h.losing_cover,
)
define(
    "devices_covered_to_end", _("Devices covered for their three years"),
    _("Devices in service with licence cover (and data cover where it applies) to the end of their three years."),
    "horizon", lambda h: h.covered_to_end,
)
define(
    "licence_uncovered_months", _("Uncovered licence device-months over the three years"),
    _("For every device in service, the months of its three years without licence cover, added up (past months included)."),
    "horizon", lambda h: h.licence_uncovered_months,
)
define(
    "data_uncovered_months", _("Uncovered data SIM-months over the three years"),
    _("For every device that needs data, the months of its three years without a data plan, added up (past months included)."),
    "horizon", lambda h: h.data_uncovered_months,
)
define(
    "licence_gap_months", _("Licence gap still to close (device-months)"),
    _("For every device in service, the months from this month to the end of its three years without licence cover, added up."),
    "horizon", lambda h: h.licence_gap_months,
)
define(
    "data_gap_months", _("Data gap still to close (SIM-months)"),
    _("For every device that needs data, the months from this month to the end of its three years without a data plan, added up."),
    "horizon", lambda h: h.data_gap_months,
)
define(
    "licence_gap_cost", _("Cost of closing the licence gap"),
    _("The licence gap still to close times the monthly price of a licence."),
    "horizon", lambda h: h.licence_cost, MONEY,
)
define(
    "data_gap_cost", _("Cost of closing the data gap"),
    _("The data gap still to close times the monthly price of data."),
    "horizon", lambda h: h.data_cost, MONEY,
)
define(
    "cover_gap_cost", _("Cost of closing the cover gap"),
    _("The cost of closing the licence gap plus the cost of closing the data gap."),
    "horizon", lambda h: h.licence_cost + h.data_cost, MONEY,
)

# --- data allowance evidence -------------------------------------------------------------------

define(
    "sims_with_reading", _("SIMs with a monthly reading (last 12 months)"),
    _("SIMs with at least one monthly usage reading from the network operator in the last 12 months."),
    "allowance", lambda a: a.sims,
)
define(
    "sims_used_allowance", _("SIMs that used all 3 GB (last 12 months)"),
    _("SIMs whose use reached the DfE allowance of 3 GB in at least one month of the last 12."),
    "allowance", lambda a: a.exhausted,
)

# --- support -----------------------------------------------------------------------------------

define(
    "open_tickets", _("Open support tickets"),
    _("Tickets that are new, open or waiting for the requester. Every ticket is counted, including safeguarding concerns that only safeguarding leads can open."),
    "tickets", lambda t: t.open,
)
define(
    "sla_breaches", _("Tickets past their SLA"),
    _("Open tickets past their first-response or resolution time (a ticket waiting for the requester cannot breach its resolution time)."),
    "tickets", lambda t: t.breached,
)
define(
    "unassigned_tickets", _("Unassigned tickets"),
    _("Open tickets with nobody assigned."),
    "tickets", lambda t: t.unassigned,
)

define(
    "open_safeguarding_concerns", _("Open safeguarding concerns"),
    _("Open tickets raised as a worry about a child's safety. They are counted in the open tickets; only designated safeguarding leads can open them, so the ticket list tells everyone else how many it does not show."),
    "tickets", lambda t: t.safeguarding_open,
)
define(
    "safeguarding_concerns_past_sla", _("Safeguarding concerns past their SLA"),
    _("Open safeguarding concerns past their first-response or resolution time (counted in the tickets past their SLA)."),
    "tickets", lambda t: t.safeguarding_breached,
)
define(
    "unassigned_safeguarding_concerns", _("Unassigned safeguarding concerns"),
    _("Open safeguarding concerns with nobody assigned (counted in the unassigned tickets)."),
    "tickets", lambda t: t.safeguarding_unassigned,
)

# --- allocations -------------------------------------------------------------------------------

define(
    "allocations_planned", _("Allocations planned, not yet handed over"),
    _("Allocations of any device (laptop, tablet or router) to a child that are planned and not yet handed over."),
    "allocations", lambda a: a.planned,
)
define(
    "allocations_handed_over_council_owned", _("Devices handed over, still owned by the council"),
    _("Allocations handed over where the device is still owned by the council."),
    "allocations", lambda a: a.handed_over_council_owned,
)
define(
    "devices_owned_by_families", _("Devices now owned by families"),
    _("Allocations handed over where ownership of the device has passed to the family."),
    "allocations", lambda a: a.handed_over_family_owned,
)


# --- asking --------------------------------------------------------------------------------------


def figure(name):
    return FIGURES[name]


def value(name, facts):
    """The value of figure ``name`` for the scope of ``facts``."""
    return FIGURES[name].of(facts)


def values(names, facts):
    return {name: FIGURES[name].of(facts) for name in names}


def facts_for(user, today=None):
    """The ``Facts`` of the rows ``user`` may see, shared by every home card in one request."""
    cached = getattr(user, "_figure_facts", None)
    if cached is None:
        cached = user._figure_facts = Facts(Scope.for_user(user), today)
    return cached


def by_la(names, la_ids=None, today=None, horizons=None):
    """``[(la, {name: value})]`` for every LA (in name order), one row each, from one pass of
    each source needed (``la_shortfall``; ``cliff_edge`` when a horizon figure is asked for,
    unless the caller passes its result as ``horizons``)."""
    from accounts.models import LocalAuthority
    from devices.horizon import cliff_edge

    today = today or timezone.localdate()
    sources = {"shortfall" if FIGURES[n].source == "devices" else FIGURES[n].source for n in names}
    unsupported = sources - {"shortfall", "horizon"}
    if unsupported:
        raise ValueError(f"figures from {sorted(unsupported)} are not computed per LA")
    shortfall = {s.key: s for s in compute.la_shortfall(la_ids, today)} if "shortfall" in sources else {}
    if horizons is None:
        horizons = cliff_edge(today, la_ids=la_ids) if "horizon" in sources else {}
    las = LocalAuthority.objects.order_by("name")
    if la_ids is not None:
        las = las.filter(pk__in=la_ids)
    rows = []
    for la in las:
        facts = Facts(
            Scope.for_la(la), today,
            shortfall=shortfall.get(la.pk) or compute.Shortfall(key=la.pk, name=la.name, code=la.code),
            horizon=as_horizon(horizons.get(la.pk), today) if "horizon" in sources else None,
        )
        rows.append((la, values(names, facts)))
    return rows


def as_horizon(entry, today):
    """A ``figures.Horizon`` from one LA's ``devices.horizon.LaHorizon`` (or an empty one)."""
    from devices.horizon import horizon_months, month_from_index, month_index

    h = horizon_months()
    months = [month_from_index(month_index(today) + i) for i in range(h)]
    result = compute.Horizon(months=months, cliff=[0] * h, data_gap_groups=[])
    if entry is not None:
        result.data_gap_groups = list(entry.data_gap_groups)
        result.cliff = list(entry.cliff)
        result.devices, result.already_uncovered, result.covered_to_end = entry.devices, entry.already_uncovered, entry.covered_to_end
        result.licence_gap_months, result.data_gap_months = entry.licence_gap_months_ahead, entry.data_gap_months_ahead
        result.licence_uncovered_months, result.data_uncovered_months = entry.licence_uncovered_months, entry.data_uncovered_months
    return result


def card(name, facts, url="", hint=""):
    """A home-page ``Card`` for figure ``name``: its label, value and "what this counts" link."""
    from core.dashboard import Card

    f = FIGURES[name]
    return Card(str(f.label), f.of(facts), url, str(hint), about=f.url, name=name)


def total_cost(facts):
    return sum((value(n, facts) or Decimal("0.00") for n in ("laptop_shortfall_cost", "connectivity_shortfall_cost", "licence_gap_cost", "data_gap_cost")), Decimal("0.00"))


# --- connection plans (connectivity.plan_gap): the data gap split by the plan chosen per child


def _plan_gap(self):
    """The data gap split by connection plan (``connectivity.plan_gap``); per LA, like the horizon.
    The gap itself comes from the horizon (its ``data_gap_groups``, read by the horizon's own
    query), so only the planned part is read here."""
    if self.scope.school_id is not None:
        return None
    from connectivity import plan_gap

    groups = getattr(self.horizon, "data_gap_groups", None)
    return plan_gap.total(self.today, self.scope.la_list, gap_groups=groups)


Facts.plan_gap = cached_property(_plan_gap)
Facts.plan_gap.__set_name__(Facts, "plan_gap")

define(
    "data_gap_with_plan", _("Data gap with a plan (SIM-months)"),
    _("Of the data gap still to close, the SIM-months in which the child's chosen connection plan (a follow-on council plan, a social tariff, a data bank voucher or extra data on the family's phone) will give them data."),
    "plan_gap", lambda g: g.with_plan_months,
)
define(
    "data_gap_no_plan", _("Data gap with no plan (SIM-months)"),
    _("Of the data gap still to close, the SIM-months with no connection plan chosen for the child, or outside the months their plan covers (a 4G router with no child counts here)."),
    "plan_gap", lambda g: g.no_plan_months,
)
define(
    "data_gap_plan_cost", _("Cost of the connection plans chosen"),
    _("For every month of the data gap a child's connection plan covers, the plan's monthly cost, added up (data bank vouchers cost nothing unless a cost is recorded)."),
    "plan_gap", lambda g: g.plan_cost, MONEY,
)
