"""The DfE return: one workbook per LA with the shortfall evidence.

Sheets: Summary; Devices by school; Connectivity; Licence and data horizon (36 monthly
columns); Allowance evidence; Support demand by language. Every count from 1 to 4 is shown as
``[c]`` with secondary suppression (``reports.suppression``), because the return leaves the
council. Text cells go through ``core.exports.neutralise`` so nothing is run as a formula;
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
from reports import figures
from reports.statistics import Column, StatTable
from reports.suppression import SUPPRESSED

HEADER_ROW = 3
MONEY = '"£"#,##0.00'
BOLD = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDDDDD")


def school_table(dash):
    cols = [
        Column("need", _("Children needing a device")),
        Column("with_device", _("Children with a device")),
        Column("awaiting", _("Children awaiting a device")),
        Column("handed", _("Children with a device handed over"), summed=True),
        Column("estimated", _("Estimated need not yet named")),
        Column("device_need", _("Total need")),
        Column("devices", _("Devices in service")),
        Column("shortfall", _("Laptop shortfall"), summed=False),
        Column("cost", _("Cost of closing the shortfall (£)"), kind="money", summed=False, hide_with=("shortfall",), width=18),
    ]

    def values(s):
        return {
            "need": s.children_need_device, "with_device": s.children_with_device, "awaiting": s.children_awaiting_device,
            "handed": s.children_handed_over, "estimated": s.estimated_device_need, "device_need": s.device_need,
            "devices": s.devices, "shortfall": s.laptop_shortfall, "cost": s.laptop_cost,
        }

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
    cols = [
        Column("need", _("Children needing connectivity")),
        Column("connected", _("With an active data plan")),
        Column("not_connected", _("Without an active data plan")),
        Column("gap", _("Have a device but no data")),
        Column("estimated", _("Estimated 4G need not yet named")),
        Column("shortfall", _("Connectivity shortfall")),
        Column("routers", _("4G routers in service")),
        Column("cost", _("Cost of closing it (£)"), kind="money", summed=False, hide_with=("shortfall",), width=18),
    ]

    def values(s):
        return {
            "need": s.children_need_connectivity, "connected": s.children_connected,
            "not_connected": s.children_need_connectivity - s.children_connected, "gap": s.connectivity_gap_children,
            "estimated": s.estimated_router_need, "shortfall": s.connectivity_shortfall, "routers": s.routers,
            "cost": s.connectivity_cost,
        }

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


def _title(ws, title, la, today):
    _print_setup(ws)
    ws.cell(row=1, column=1, value=neutralise(f"{title}: {la.name} ({la.code})")).font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=neutralise(_("Figures at %(date)s. [c] = fewer than 5, or hidden so that such a count cannot be worked out.") % {"date": today.strftime("%d/%m/%Y")}))


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


def build_workbook(la, today=None):
    """An ``openpyxl.Workbook`` of the return for ``la`` (about fifteen queries)."""
    today = today or timezone.localdate()
    dash = figures.dashboard(la, today)
    wb = Workbook()

    schools = school_table(dash)
    conn = connectivity_table(dash)
    horizon = horizon_table(dash)
    allowance = allowance_table(dash)
    languages = language_table(dash)

    # Summary ---------------------------------------------------------------------------
    ws = wb.active
    ws.title = _("Summary")
    _title(ws, _("DfE return"), la, today)
    school_totals = dict(zip([c.key for c in schools.columns], schools.published()[1][-1][2:]))
    conn_totals = dict(zip([c.key for c in conn.columns], conn.published()[1][-1][2:]))
    h = dash.horizon
    summary = [
        (_("Children needing a device"), school_totals["need"], "count"),
        (_("Estimated need not yet named"), school_totals["estimated"], "count"),
        (_("Devices in service"), school_totals["devices"], "count"),
        (_("Children with a device handed over"), school_totals["handed"], "count"),
        (_("Laptop shortfall"), school_totals["shortfall"], "count"),
        (_("Children needing connectivity"), conn_totals["need"], "count"),
        (_("Connectivity shortfall"), conn_totals["shortfall"], "count"),
        (_("Uncovered licence device-months, next 36 months"), h.licence_gap_months, "count"),
        (_("Uncovered data SIM-months, next 36 months"), h.data_gap_months, "count"),
        (_("Devices already without cover"), h.already_uncovered if h.already_uncovered > 4 or h.already_uncovered == 0 else SUPPRESSED, "count"),
    ]
    costs = [
        (_("Laptops"), school_totals["cost"]),
        (_("Connectivity (dongle and 36 months of data)"), conn_totals["cost"]),
        (_("Licence gaps"), h.licence_cost),
        (_("Data gaps"), h.data_cost),
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
    _title(ws, _("Devices by school"), la, today)
    n = _write_table(ws, schools)
    if n > 1:
        _bar(_("Need and devices by school"), _("Children or devices"), ws, [8, 9], 2, HEADER_ROW + 1, HEADER_ROW + n - 1, f"B{HEADER_ROW + n + 3}")

    # Connectivity ----------------------------------------------------------------------------
    ws = wb.create_sheet(_("Connectivity"))
    _title(ws, _("Connectivity"), la, today)
    n = _write_table(ws, conn)
    if n > 1:
        _bar(_("Children needing connectivity, with and without data"), _("Children"), ws, [4, 5], 2, HEADER_ROW + 1, HEADER_ROW + n - 1, f"B{HEADER_ROW + n + 3}", stacked=True)

    # Horizon ---------------------------------------------------------------------------------
    ws = wb.create_sheet(_("Licence and data horizon"))
    _title(ws, _("Licence and data horizon"), la, today)
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

    # Allowance evidence ------------------------------------------------------------------------
    ws = wb.create_sheet(_("Allowance evidence"))
    _title(ws, _("Allowance evidence"), la, today)
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
    _title(ws, _("Support demand by language"), la, today)
    if dash.support is None:
        ws.cell(row=HEADER_ROW, column=1, value=_("The support service is not yet recording tickets."))
    else:
        n = _write_table(ws, languages)
        if n > 1:
            _bar(_("Tickets by language"), _("Tickets"), ws, [5], 2, HEADER_ROW + 1, HEADER_ROW + n - 1, f"G{HEADER_ROW}")
    return wb


def write_return(la, path, today=None):
    wb = build_workbook(la, today)
    wb.save(path)
    return path


def filename(la, today=None):
    today = today or timezone.localdate()
    return f"dfe-return-{la.code}-{today:%Y-%m-%d}.xlsx"

