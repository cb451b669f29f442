"""The DfE return: one workbook per LA with the shortfall evidence.

Sheets: Summary; Devices by school; Connectivity; Licence and data horizon (36 monthly
columns); Allowance evidence; Support demand by language. Every figure is a registered one
(``reports.definitions``), so the return matches the CIO dashboard to the unit. It is the
council's own return and is written in full; small numbers are hidden (``[c]``, with secondary
suppression) only when the one policy (``reports.suppression.hides_small_numbers``) says the
viewer is outside the council. Text cells go through ``core.exports.neutralise`` so nothing is run as a formula;
numbers are stored as numbers; each sheet's header row is frozen; five sheets carry a native
Excel chart (openpyxl.chart).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from core.exports import neutralise
from reports import definitions, figures
from reports.statistics import Column, StatTable
from reports.suppression import SUPPRESSED, hides_small_numbers, is_primary

HEADER_ROW = 3
MONEY = '"£"#,##0.00'
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")


def _label(name):
    return definitions.figure(name).label


def _values(names, s):
    """Registered figures (``reports.definitions``) of one school's or the LA's ``Shortfall``."""
    return definitions.values(names, definitions.Facts(definitions.Scope((s.key,)), shortfall=s))


SCHOOL_FIGURES = {
    "need": "children_needing_device", "with_device": "children_with_device", "awaiting": "children_waiting",
    "handed": "children_handed_over", "estimated": "estimated_device_need", "device_need": "device_need",
    "devices": "laptops_in_service", "shortfall": "laptop_shortfall", "cost": "laptop_shortfall_cost",
}
CONNECTIVITY_FIGURES = {
    "need": "children_needing_connectivity", "connected": "children_with_data", "not_connected": "children_without_data",
    "gap": "children_device_no_data", "estimated": "estimated_router_need", "shortfall": "connectivity_shortfall",
    "routers": "routers_in_service", "cost": "connectivity_shortfall_cost",
}


def _keyed(mapping, s):
    found = _values(list(mapping.values()), s)
    return {key: found[name] for key, name in mapping.items()}


def school_table(dash):
    f = SCHOOL_FIGURES
    cols = [
        Column("need", _label(f["need"])),
        Column("with_device", _label(f["with_device"])),
        Column("awaiting", _label(f["awaiting"])),
        Column("handed", _label(f["handed"]), summed=True),
        Column("estimated", _label(f["estimated"])),
        Column("device_need", _label(f["device_need"])),
        Column("devices", _label(f["devices"])),
        Column("shortfall", _label(f["shortfall"]), summed=False),
        Column("cost", _("Cost of closing the shortfall (£)"), kind="money", summed=False, hide_with=("shortfall",), width=18),
    ]

    def values(s):
        return _keyed(SCHOOL_FIGURES, s)

    def conditional(v):
        # Shortfall = need − devices wherever it is positive: a linear relation an analyst can use.
        return [("device_need", ["devices", "shortfall"])] if v["device_need"] >= v["devices"] else []

    table = StatTable(
        columns=cols, label_headers=[_("URN"), _("School")], total_labels=["", _("Total for the LA")],
        row_relations=[("need", ["with_device", "awaiting"]), ("device_need", ["need", "estimated"])],
        conditional_relations=conditional,
    )
    for s in dash.schools:
        table.rows.append((s.key if s.key is not None else "none", [s.code, s.name], values(s)))
    table.total_values = values(dash.total)
    return table


def connectivity_table(dash):
    f = CONNECTIVITY_FIGURES
    cols = [Column(key, _label(f[key])) for key in ("need", "connected", "not_connected", "gap", "estimated", "shortfall", "routers")]
    cols.append(Column("cost", _("Cost of closing it (£)"), kind="money", summed=False, hide_with=("shortfall",), width=18))

    def values(s):
        return _keyed(CONNECTIVITY_FIGURES, s)

    table = StatTable(
        columns=cols, label_headers=[_("URN"), _("School")], total_labels=["", _("Total for the LA")],
        row_relations=[("need", ["connected", "not_connected"]), ("shortfall", ["gap", "estimated"])],
    )
    for s in dash.schools:
        table.rows.append((s.key if s.key is not None else "none", [s.code, s.name], values(s)))
    table.total_values = values(dash.total)
    return table


def horizon_table(dash):
    months = dash.horizon.months
    cols = [Column(f"m{i}", m.strftime("%b %Y"), summed=False, width=10) for i, m in enumerate(months)]
    cols.append(Column("total", _("Next 36 months"), summed=False))
    values = {f"m{i}": n for i, n in enumerate(dash.horizon.cliff)}
    values["total"] = sum(dash.horizon.cliff)
    table = StatTable(
        columns=cols, label_headers=[_("Measure")], total_labels=[_("Devices losing cover")],
        row_relations=[("total", [f"m{i}" for i in range(len(months))])],
    )
    # One measure: the total row is the only row, so the table's column sums are trivial.
    table.total_values = values
    return table


def allowance_table(dash):
    cols = [
        Column("sims", _("SIMs with a reading"), summed=False),
        Column("exhausted", _("SIMs that used all 3 GB"), summed=False),
        Column("share", _("Share that used all 3 GB (%)"), kind="share", summed=False, hide_with=("exhausted", "sims")),
    ]
    table = StatTable(columns=cols, label_headers=[_("Month")], total_labels=[_("Any month in the period")])
    for row in dash.allowance:
        table.rows.append((row.month.isoformat(), [row.month.strftime("%b %Y")], {"sims": row.sims, "exhausted": row.exhausted, "share": row.share}))
    o = dash.allowance_overall
    table.total_values = {"sims": o.sims, "exhausted": o.exhausted, "share": o.share}
    return table


def language_table(dash):
    cols = [Column("open", _("Open tickets")), Column("closed", _("Resolved or closed")), Column("total", _("All tickets"))]
    table = StatTable(
        columns=cols, label_headers=[_("Language code"), _("Language")], total_labels=["", _("All languages")],
        row_relations=[("total", ["open", "closed"])],
    )
    picture = dash.support
    totals = {"open": 0, "closed": 0, "total": 0}
    for code, name, open_, total in (picture.by_language if picture else []):
        v = {"open": open_, "closed": total - open_, "total": total}
        table.rows.append((code, [code, name], v))
        for k in totals:
            totals[k] += v[k]
    table.total_values = totals
    return table


# --- writing ----------------------------------------------------------------------------------


def _print_setup(ws):
    """Landscape, one page wide, so the PDF or printout shows whole rows."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _title(ws, title, la, today, suppress=False):
    _print_setup(ws)
    ws.cell(row=1, column=1, value=neutralise(f"{title}: {la.name} ({la.code})")).font = Font(bold=True, size=14)
    if suppress:
        note = _("Figures at %(date)s. [c] = fewer than 5, or hidden so that such a count cannot be worked out.")
    else:
        note = _("Figures at %(date)s, in full: the council's own return. Definitions: the service's page \"What the figures count\".")
    ws.cell(row=2, column=1, value=neutralise(note % {"date": today.strftime("%d/%m/%Y")}))


def _write_table(ws, table, freeze_labels=True):
    header, rows = table.published()
    n_labels = len(table.label_headers)
    for j, h in enumerate(header, start=1):
        cell = ws.cell(row=HEADER_ROW, column=j, value=neutralise(str(h)))
        cell.font, cell.fill = BOLD, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(rows, start=HEADER_ROW + 1):
        for j, value in enumerate(row, start=1):
            cell = ws.cell(row=i, column=j, value=neutralise(value))
            if j > n_labels:
                col = table.columns[j - n_labels - 1]
                if col.kind == "money" and value != SUPPRESSED:
                    cell.number_format = MONEY
                elif col.kind == "share" and value != SUPPRESSED:
                    cell.number_format = "0.0"
                if value == SUPPRESSED:
                    cell.alignment = Alignment(horizontal="right")
        if i == HEADER_ROW + len(rows):
            for j in range(1, len(row) + 1):
                ws.cell(row=i, column=j).font = BOLD
    for j, h in enumerate(header, start=1):
        if j <= n_labels:
            longest = max([len(str(h))] + [len(str(r[j - 1] or "")) for r in rows])
            width = min(max(10, longest + 2), 50)
        else:
            width = max(table.columns[j - n_labels - 1].width, 10)
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.row_dimensions[HEADER_ROW].height = 45
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=(n_labels + 1) if freeze_labels else 1)
    return len(rows)


def _bar(title, y_title, ws, data_cols, cats_col, first_row, last_row, anchor, stacked=False):
    chart = BarChart()
    chart.type = "col"
    chart.title = title
    chart.y_axis.title = y_title
    chart.height, chart.width = 9, 18
    if stacked:
        chart.grouping, chart.overlap = "stacked", 100
    for col in data_cols:
        chart.add_data(Reference(ws, min_col=col, min_row=HEADER_ROW, max_row=last_row), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=cats_col, min_row=first_row, max_row=last_row))
    ws.add_chart(chart, anchor)
    return chart


def build_workbook(la, today=None, viewer=None):
    """An ``openpyxl.Workbook`` of the return for ``la`` (about fifteen queries).

    Small numbers are hidden only where the one policy says so
    (``reports.suppression.hides_small_numbers``): a council's own return, downloaded by its own
    staff or written by the ``dfe_return`` command (``viewer`` ``None``), is in full."""
    today = today or timezone.localdate()
    dash = figures.dashboard(la, today)
    suppress = hides_small_numbers(viewer, [la.pk])
    facts = definitions.Facts(definitions.Scope.for_la(la), today, shortfall=dash.total, horizon=dash.horizon)
    wb = Workbook()

    schools = school_table(dash)
    conn = connectivity_table(dash)
    horizon = horizon_table(dash)
    allowance = allowance_table(dash)
    languages = language_table(dash)
    for table in (schools, conn, horizon, allowance, languages):
        table.suppress_small = suppress

    # Summary ---------------------------------------------------------------------------
    ws = wb.active
    ws.title = _("Summary")
    _title(ws, _("DfE return"), la, today, suppress)
    school_totals = dict(zip([c.key for c in schools.columns], schools.published()[1][-1][2:]))
    conn_totals = dict(zip([c.key for c in conn.columns], conn.published()[1][-1][2:]))
    h = dash.horizon

    def line(name, published=None):
        value = definitions.value(name, facts) if published is None else published
        if suppress and published is None and is_primary(value):
            value = SUPPRESSED
        return (definitions.figure(name).label, value, "count")

    summary = [
        line("children_needing_device", school_totals["need"]),
        line("estimated_device_need", school_totals["estimated"]),
        line("laptops_in_service", school_totals["devices"]),
        line("children_handed_over", school_totals["handed"]),
        line("laptop_shortfall", school_totals["shortfall"]),
        line("children_needing_connectivity", conn_totals["need"]),
        line("connectivity_shortfall", conn_totals["shortfall"]),
        line("licence_gap_months"),
        line("data_gap_months"),
        # --- connection plans
        line("data_gap_with_plan"),
        line("data_gap_no_plan"),
        line("data_gap_plan_cost"),
        line("devices_without_cover"),
        line("open_tickets"),
        line("sla_breaches"),
    ]
    costs = [
        (_("Laptops"), school_totals["cost"]),
        (_("Connectivity (dongle and 36 months of data)"), conn_totals["cost"]),
        (_("Licence gaps"), definitions.value("licence_gap_cost", facts)),
        (_("Data gaps"), definitions.value("data_gap_cost", facts)),
    ]
    ws.cell(row=HEADER_ROW, column=1, value=_("Measure")).font = BOLD
    ws.cell(row=HEADER_ROW, column=2, value=_("Value")).font = BOLD
    row = HEADER_ROW + 1
    for label, value, _kind in summary:
        ws.cell(row=row, column=1, value=neutralise(label))
        cell = ws.cell(row=row, column=2, value=neutralise(value))
        if value == SUPPRESSED:
            cell.alignment = Alignment(horizontal="right")
        row += 1
    row += 1
    ws.cell(row=row, column=1, value=_("Cost of closing each gap")).font = BOLD
    ws.cell(row=row, column=2, value=_("£")).font = BOLD
    cost_first = row + 1
    for label, value in costs:
        row += 1
        ws.cell(row=row, column=1, value=neutralise(label))
        cell = ws.cell(row=row, column=2, value=neutralise(value))
        if value != SUPPRESSED:
            cell.number_format = MONEY
    cost_last = row
    row += 1
    known = [v for _, v in costs if v != SUPPRESSED]
    ws.cell(row=row, column=1, value=_("Total of the gaps shown")).font = BOLD
    total_cell = ws.cell(row=row, column=2, value=sum(known))
    total_cell.number_format, total_cell.font = MONEY, BOLD
    ws.column_dimensions["A"].width = 52
    ws.column_dimensions["B"].width = 18
    ws.freeze_panes = ws.cell(row=HEADER_ROW + 1, column=1)
    chart = BarChart()
    chart.type = "bar"
    chart.title = _("Cost of closing each gap (£)")
    chart.add_data(Reference(ws, min_col=2, min_row=cost_first, max_row=cost_last), titles_from_data=False)
    chart.set_categories(Reference(ws, min_col=1, min_row=cost_first, max_row=cost_last))
    chart.legend = None
    chart.height, chart.width = 8, 16
    ws.add_chart(chart, "D3")

    # Devices by school -------------------------------------------------------------------
    ws = wb.create_sheet(_("Devices by school"))
    _title(ws, _("Devices by school"), la, today, suppress)
    n = _write_table(ws, schools)
    if n > 1:
        _bar(_("Need and devices by school"), _("Children or devices"), ws, [8, 9], 2, HEADER_ROW + 1, HEADER_ROW + n - 1, f"B{HEADER_ROW + n + 3}")

    # Connectivity ----------------------------------------------------------------------------
    ws = wb.create_sheet(_("Connectivity"))
    _title(ws, _("Connectivity"), la, today, suppress)
    n = _write_table(ws, conn)
    if n > 1:
        _bar(_("Children needing connectivity, with and without data"), _("Children"), ws, [4, 5], 2, HEADER_ROW + 1, HEADER_ROW + n - 1, f"B{HEADER_ROW + n + 3}", stacked=True)

    # Horizon ---------------------------------------------------------------------------------
    ws = wb.create_sheet(_("Licence and data horizon"))
    _title(ws, _("Licence and data horizon"), la, today, suppress)
    _write_table(ws, horizon)
    ws.cell(row=HEADER_ROW + 3, column=1, value=_("Uncovered licence device-months")).font = BOLD
    ws.cell(row=HEADER_ROW + 3, column=2, value=h.licence_gap_months)
    ws.cell(row=HEADER_ROW + 4, column=1, value=_("Uncovered data SIM-months")).font = BOLD
    ws.cell(row=HEADER_ROW + 4, column=2, value=h.data_gap_months)
    ws.column_dimensions["A"].width = 34
    line = BarChart()
    line.type = "col"
    line.title = _("Devices losing licence or data cover, by month")
    line.y_axis.title = _("Devices")
    line.add_data(Reference(ws, min_col=2, max_col=37, min_row=HEADER_ROW + 1), from_rows=True, titles_from_data=False)
    line.set_categories(Reference(ws, min_col=2, max_col=37, min_row=HEADER_ROW))
    line.legend = None
    line.height, line.width = 9, 28
    ws.add_chart(line, f"A{HEADER_ROW + 7}")

    # --- connection plans: the data gap by month, with a plan and with no plan ----------------
    ws = wb.create_sheet(_("Data gap and plans"))
    _title(ws, _("Data gap and plans"), la, today, suppress)
    gap_table = plan_gap_table(facts.plan_gap)
    gap_table.suppress_small = suppress
    _write_table(ws, gap_table)
    ws.column_dimensions["A"].width = 34

    # Allowance evidence ------------------------------------------------------------------------
    ws = wb.create_sheet(_("Allowance evidence"))
    _title(ws, _("Allowance evidence"), la, today, suppress)
    n = _write_table(ws, allowance)
    if n > 1:
        chart = LineChart()
        chart.title = _("Share of SIMs that used all 3 GB (%)")
        chart.y_axis.title = "%"
        chart.add_data(Reference(ws, min_col=4, min_row=HEADER_ROW, max_row=HEADER_ROW + n - 1), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=HEADER_ROW + 1, max_row=HEADER_ROW + n - 1))
        chart.height, chart.width = 9, 18
        ws.add_chart(chart, f"F{HEADER_ROW}")

    # Support demand by language ----------------------------------------------------------------
    ws = wb.create_sheet(_("Support demand by language"))
    _title(ws, _("Support demand by language"), la, today, suppress)
    if dash.support is None:
        ws.cell(row=HEADER_ROW, column=1, value=_("The support service is not yet recording tickets."))
    else:
        n = _write_table(ws, languages)
        if n > 1:
            _bar(_("Tickets by language"), _("Tickets"), ws, [5], 2, HEADER_ROW + 1, HEADER_ROW + n - 1, f"G{HEADER_ROW}")
    return wb


def write_return(la, path, today=None, viewer=None):
    wb = build_workbook(la, today, viewer=viewer)
    wb.save(path)
    return path


def filename(la, today=None):
    today = today or timezone.localdate()
    return f"dfe-return-{la.code}-{today:%Y-%m-%d}.xlsx"



# --- connection plans


def plan_gap_table(gap):
    """SIM-months of the data gap in each of the 36 months, with a connection plan and with
    none (``connectivity.plan_gap``); the total row is the whole gap of each month."""
    months = gap.months
    cols = [Column(f"m{i}", m.strftime("%b %Y"), width=10) for i, m in enumerate(months)]
    cols.append(Column("total", _("Next 36 months")))
    parts = [f"m{i}" for i in range(len(months))]
    table = StatTable(columns=cols, label_headers=[_("Measure")], total_labels=[_("Data gap (SIM-months)")], row_relations=[("total", parts)])
    for key, label, series in (("with", _("With a plan"), gap.with_plan), ("none", _("No plan"), gap.no_plan)):
        values = {f"m{i}": n for i, n in enumerate(series)}
        values["total"] = sum(series)
        table.rows.append((key, [label], values))
    totals = {f"m{i}": a + b for i, (a, b) in enumerate(zip(gap.with_plan, gap.no_plan))}
    totals["total"] = sum(gap.with_plan) + sum(gap.no_plan)
    table.total_values = totals
    return table
