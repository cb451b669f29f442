"""The same figure for the same scope has the same value on every surface.

One data set (factories); every surface read through its public face: the home page's cards,
the CIO dashboard and the three-year cover page (HTML parsed), the London view (HTML) and its
CSV, the DfE return (the downloaded workbook, read with openpyxl) and the shortfall API (JSON).
Each value is compared with the registry's own (``reports.definitions``) for that scope: for
the LA's own CIO in full, for the London lead after the one suppression rule (a ``[c]`` only
where the registry's value is from 1 to 4 or would give one away).
"""

import csv
import datetime
import io
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.tests.factories import SchoolFactory, UserFactory
from allocations.tests.factories import AllocationFactory, ChildFactory
from connectivity.tests.factories import DataPlanFactory, NetworkOperatorFactory, SimFactory
from devices.tests.factories import DeviceFactory, LicenceFactory, RouterFactory
from reports import definitions, london, published
from reports.suppression import SUPPRESSED
from reports.tests.factories import NeedEstimateFactory


@pytest.fixture
def world(la, other_la):
    """Two LAs with figures both large (5 or more) and small (1 to 4)."""
    from support.models import Status
    from support.tests.factories import TicketFactory

    today = timezone.localdate()
    a, b = SchoolFactory(local_authority=la, name="Alpha School"), SchoolFactory(local_authority=la, name="Beta School")
    ee = NetworkOperatorFactory(name="EE", slug="ee")
    handed_on = today - datetime.timedelta(days=40)
    for i in range(7):  # at Alpha: handed over, and needing connectivity (5 of them with data)
        child = ChildFactory(school=a, needs_laptop=True, needs_connectivity=i < 6)
        laptop = DeviceFactory(local_authority=la, school=a, status="handed_over", handed_over_on=handed_on)
        LicenceFactory(device=laptop, start=handed_on, end=handed_on + datetime.timedelta(days=3 * 366))
        AllocationFactory(child=child, device=laptop, status="handed_over", handed_over_on=handed_on)
        if i < 5:
            router = RouterFactory(local_authority=la, school=a, status="handed_over", handed_over_on=handed_on)
            sim = SimFactory(local_authority=la, device=router, network=ee)
            DataPlanFactory(sim=sim, start=today - datetime.timedelta(days=10), end=today + datetime.timedelta(days=200))
            AllocationFactory(child=child, device=router, status="handed_over", handed_over_on=handed_on)
    for _ in range(5):  # at Beta: allocated, not yet handed over
        child = ChildFactory(school=b, needs_laptop=True)
        AllocationFactory(child=child, device=DeviceFactory(local_authority=la, school=b, status="allocated"), status="planned")
    for school in (a, a, b):  # waiting
        ChildFactory(school=school, needs_laptop=True)
    for _ in range(9):
        DeviceFactory(local_authority=la, school=None, status="in_stock")
    for _ in range(6):
        RouterFactory(local_authority=la, school=None, status="in_stock")
    DeviceFactory(local_authority=la, school=a, status="in_repair")
    DeviceFactory(local_authority=la, school=a, status="fault_reported")
    DeviceFactory(local_authority=la, school=b, status="lost")
    NeedEstimateFactory(school=a, kind="laptop", count=7, estimated_on=today - datetime.timedelta(days=3))
    NeedEstimateFactory(school=b, kind="router", count=6, estimated_on=today - datetime.timedelta(days=3))
    for i in range(6):
        TicketFactory(school=a, is_safeguarding=i == 0)
    TicketFactory(school=a, status=Status.CLOSED)
    # Hackney: a few of everything.
    h = SchoolFactory(local_authority=other_la, name="Hackney School")
    for _ in range(6):
        ChildFactory(school=h, needs_laptop=True)
    for _ in range(2):
        child = ChildFactory(school=h, needs_laptop=True)
        AllocationFactory(child=child, device=DeviceFactory(local_authority=other_la, school=h, status="handed_over", handed_over_on=handed_on), status="handed_over", handed_over_on=handed_on)
    for _ in range(5):
        DeviceFactory(local_authority=other_la, school=None, status="in_stock")
    TicketFactory(school=h)
    return {"la": la, "other_la": other_la, "a": a, "b": b}


class Tables(HTMLParser):
    """Every table of a page as rows of cell texts (an ``<abbr>`` read as its title, the words it
    stands for: the London view's short headings)."""

    def __init__(self):
        super().__init__()
        self.tables, self._row, self._cell, self._in_abbr = [], None, None, False

    def handle_starttag(self, tag, attrs):
        if tag == "abbr" and self._cell is not None and dict(attrs).get("title"):
            self._cell.append(dict(attrs)["title"])
            self._in_abbr = True
        elif tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "abbr":
            self._in_abbr = False
        elif tag in ("td", "th") and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1].append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None and not self._in_abbr:
            self._cell.append(data)


def tables(html):
    parser = Tables()
    parser.feed(html)
    return parser.tables


FIGURE_CELL = re.compile(r'data-figure="([a-z0-9_]+)"(?: data-value="([^"]*)")?>\s*([^<]*?)\s*<')


def number(text):
    text = str(text).strip().replace("£", "").replace(",", "")
    if text == SUPPRESSED:
        return SUPPRESSED
    return Decimal(text) if "." in text else int(text)


def page_figures(html):
    """``{figure: value}`` from the ``data-figure`` marks of a page (cards, cells, summary lists)."""
    found = {}
    for name, card_value, text in FIGURE_CELL.findall(html):
        raw = card_value if card_value else text
        if raw.strip():
            found.setdefault(name, set()).add(number(raw))
    return found


def by_label():
    return {str(f.label): f.name for f in definitions.FIGURES.values()}


class Seen:
    """Values seen, by (figure, scope), with where they were seen."""

    def __init__(self):
        self.values = {}

    def add(self, surface, scope, name, value):
        self.values.setdefault((name, scope), []).append((surface, value))


def expected(scope_key, world):
    scope = definitions.Scope.london() if scope_key == "london" else definitions.Scope.for_la(world[scope_key])
    facts = definitions.Facts(scope)
    return lambda name: definitions.value(name, facts)


def check(seen, world, suppressed):
    """Every value seen equals the registry's for its scope ([c] only for a suppressed viewer,
    and never hiding a figure of 5 or more that nothing would give away... only small or
    secondary ones, which ``suppress`` decides; here: a [c] is never shown in full elsewhere)."""
    assert seen.values
    problems = []
    for (name, scope_key), where in seen.values.items():
        want = expected(scope_key, world)(name)
        for surface, value in where:
            if value == SUPPRESSED:
                if not suppressed:
                    problems.append(f"{name} for {scope_key} hidden on {surface} for a viewer who sees it in full")
                continue
            if suppressed and isinstance(value, int) and 1 <= value <= 4:
                problems.append(f"{name} for {scope_key} shows {value} on {surface} to a viewer outside the council")
            if value != want:
                problems.append(f"{name} for {scope_key}: {value} on {surface}, {want} in the registry")
    assert not problems, "\n".join(problems)


def test_every_surface_shows_the_same_figures_to_the_councils_cio(client, world, django_assert_max_num_queries):
    la = world["la"]
    cio = UserFactory(role="cio", local_authority=la)
    client.force_login(cio)
    seen = Seen()
    for surface, url in (("home", reverse("home")), ("dashboard", reverse("reports:dashboard")), ("cover", reverse("devices:cliff_edge"))):
        html = client.get(url).content.decode()
        for name, values in page_figures(html).items():
            for v in values:
                seen.add(surface, "la", name, v)
    # The DfE return, as downloaded: the Summary sheet's lines and the school sheets' LA totals.
    response = client.get(reverse("reports:dfe_return"))
    wb = load_workbook(io.BytesIO(response.content))
    labels = by_label()
    for row in wb["Summary"].iter_rows(min_row=4, values_only=True):
        if row[0] in labels and row[1] is not None:
            seen.add("DfE return summary", "la", labels[row[0]], number(row[1]))
    for sheet in ("Devices by school", "Connectivity"):
        rows = list(wb[sheet].iter_rows(min_row=3, values_only=True))
        header, total = rows[0], next(r for r in rows if r[1] == "Total for the LA")
        for h, v in zip(header, total):
            if h in labels:
                seen.add(f"DfE return {sheet}", "la", labels[h], number(v))
    # The API.
    for row in client.get("/api/shortfall/").json()["results"]:
        assert row["local_authority"] == la.code
        for field, name in published.API_FIELDS.items():
            seen.add("API", "la", name, number(row[field]) if row[field] is not None else SUPPRESSED)
    check(seen, {"la": la}, suppressed=False)
    names = {name for name, _scope in seen.values}
    # Each figure the issue found differing is now seen on several surfaces, once defined.
    for name in ("open_tickets", "estimated_device_need", "devices_in_service", "devices_in_stock", "laptops_in_service", "children_waiting"):
        assert name in names, name
    surfaces = {name: {s for s, _v in seen.values[(name, "la")]} for name in names}
    assert {"home", "dashboard", "DfE return summary", "API"} <= surfaces["laptop_shortfall"] | {"home"}
    assert {"dashboard", "DfE return summary"} <= surfaces["open_tickets"]
    assert {"dashboard", "cover"} <= surfaces["devices_in_service"]


def test_the_dashboard_matches_the_dfe_return_to_the_unit(client, world):
    client.force_login(UserFactory(role="cio", local_authority=world["la"]))
    dashboard = {name: values for name, values in page_figures(client.get(reverse("reports:dashboard")).content.decode()).items()}
    wb = load_workbook(io.BytesIO(client.get(reverse("reports:dfe_return")).content))
    summary = {row[0]: row[1] for row in wb["Summary"].iter_rows(min_row=4, values_only=True) if row[0]}
    labels = {v: k for k, v in by_label().items()}
    compared = 0
    for name, values in dashboard.items():
        (value,) = values
        if labels[name] in summary:
            assert number(summary[labels[name]]) == value, name
            compared += 1
    costs = {"Laptops": "laptop_shortfall_cost", "Licence gaps": "licence_gap_cost", "Data gaps": "data_gap_cost", "Connectivity (dongle and 36 months of data)": "connectivity_shortfall_cost"}
    for label, name in costs.items():
        assert Decimal(str(summary[label])).quantize(Decimal("0.01")) == next(iter(dashboard[name])), name
        compared += 1
    assert compared >= 10


def test_every_surface_shows_the_same_figures_to_the_london_lead(client, world):
    lead = UserFactory(role="london_lead")
    client.force_login(lead)
    seen = Seen()
    labels = by_label()
    key_of = {world["la"].name: "la", world["other_la"].name: "other_la", "London": "london"}
    html = client.get(reverse("reports:london") + "?columns=all").content.decode()
    # "All columns" has a row of group headings above the figures' (short, in <abbr>) headings.
    (table,) = [t for t in tables(html) if any(h in labels for row in t for h in row)]
    at = next(i for i, row in enumerate(table) if any(h in labels for h in row))
    header = table[at]
    assert len([h for h in header if h in labels]) == len(london.COLUMNS)
    for row in table[at + 1:]:
        if row[1] in key_of:
            for h, v in zip(header, row):
                if h in labels:
                    seen.add("London view", key_of[row[1]], labels[h], number(v))
    text = client.get(reverse("reports:london_csv")).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    for row in rows[1:]:
        if row[1] in key_of:
            for h, v in zip(rows[0], row):
                if h in labels:
                    seen.add("London CSV", key_of[row[1]], labels[h], number(v))
    for la_key in ("la", "other_la"):
        html = client.get(reverse("devices:cliff_edge") + f"?la={world[la_key].pk}").content.decode()
        for name, values in page_figures(html).items():
            for v in values:
                seen.add("cover", la_key, name, v)
    check(seen, {"la": world["la"], "other_la": world["other_la"]}, suppressed=True)
    shown = [(k, s) for k, where in seen.values.items() for s, v in where if v != SUPPRESSED]
    hidden = [(k, s) for k, where in seen.values.items() for s, v in where if v == SUPPRESSED]
    assert shown and hidden
    # The page and the CSV publish the same cells.
    for (name, scope), where in seen.values.items():
        page = {v for s, v in where if s == "London view"}
        data = {v for s, v in where if s == "London CSV"}
        if page and data:
            assert page == data, (name, scope)
    assert set(london.COLUMNS) <= {name for name, _scope in seen.values}
