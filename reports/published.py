"""Figures as shown to a viewer: registered figures in ``StatTable``s, suppressed by the one
policy (``reports.suppression.hides_small_numbers``) with the one algorithm
(``reports.suppression.suppress``, via ``StatTable``).

Pages other than the London view (which is always published data) use these builders: the
three-year cover page (one LA, and every LA side by side), the allowance evidence page and the
API. ``cells(table)`` gives ``{row_key: {column: value or "[c]"}}``.
"""

from reports import definitions
from reports.statistics import TOTAL, Column, StatTable
from reports.suppression import SUPPRESSED, hides_small_numbers

COVER_COUNTS = ["devices_in_service", "devices_without_cover", "devices_losing_cover", "devices_covered_to_end"]
COVER_MONTHS = ["licence_uncovered_months", "data_uncovered_months", "licence_gap_months", "data_gap_months"]
COVER_RELATIONS = [("devices_in_service", ["devices_without_cover", "devices_losing_cover", "devices_covered_to_end"])]


def cells(table):
    """``{row_key: {column_key: value}}`` of the published table (hidden cells are ``[c]``)."""
    _header, rows = table.published()
    keys = [key for key, _labels, _values in table.rows] + [TOTAL]
    n_labels = len(table.label_headers)
    return {key: {c.key: row[n_labels + j] for j, c in enumerate(table.columns)} for key, row in zip(keys, rows)}


def _column(name, **kw):
    f = definitions.figure(name)
    return Column(name, f.label, kind="money" if f.kind == definitions.MONEY else "count", **kw)


def la_cover(facts, viewer):
    """One LA's cover figures and its 36 months (``m0`` … ``m35``) as a one-row table."""
    h = facts.horizon
    months = [f"m{i}" for i in range(len(h.cliff))]
    cols = [_column(n) for n in COVER_COUNTS + COVER_MONTHS] + [Column(m, m) for m in months]
    cols.append(_column("cover_gap_cost", summed=False, hide_with=("licence_gap_months", "data_gap_months")))
    table = StatTable(
        columns=cols, label_headers=[""], total_labels=[""],
        row_relations=COVER_RELATIONS + [("devices_losing_cover", months)],
    )
    table.total_values = dict(definitions.values(COVER_COUNTS + COVER_MONTHS + ["cover_gap_cost"], facts), **dict(zip(months, h.cliff)))
    table.suppress_small = hides_small_numbers(viewer, facts.scope.la_ids)
    return cells(table)[TOTAL]


def cover_by_la(viewer, la_ids=None, today=None, horizons=None):
    """Every LA's cover figures side by side, with a total row; ``(rows, total)`` where rows are
    ``[(la, {figure: value})]``. ``horizons``: ``devices.horizon.cliff_edge``'s result, if known."""
    names = COVER_COUNTS + ["cover_gap_cost"]
    found = definitions.by_la(names, la_ids, today, horizons=horizons)
    cols = [_column(n) for n in COVER_COUNTS] + [_column("cover_gap_cost", summed=False, hide_with=("devices_without_cover", "devices_losing_cover"))]
    table = StatTable(columns=cols, label_headers=[""], total_labels=[""], row_relations=COVER_RELATIONS)
    totals = dict.fromkeys(names, 0)
    for la, values in found:
        table.rows.append((la.pk, [la.name], values))
        for k in names:
            totals[k] += values[k]
    table.total_values = totals
    table.suppress_small = hides_small_numbers(viewer, None if la_ids is None else list(la_ids))
    published = cells(table)
    return [(la, published[la.pk]) for la, _values in found], published[TOTAL]


def evidence_rows(rows, viewer, la_ids):
    """The allowance evidence page's months, suppressed by the policy: a month's shares and
    percentiles are hidden with its counts."""
    cols = [
        Column("sims", "sims", summed=False), Column("exhausted", "exhausted", summed=False),
        Column("share", "share", kind="share", summed=False, hide_with=("sims", "exhausted")),
        Column("median", "median", kind="text", summed=False, hide_with=("sims",)),
        Column("p90", "p90", kind="text", summed=False, hide_with=("sims",)),
    ]
    table = StatTable(columns=cols, label_headers=[""], total_labels=[""])
    for i, row in enumerate(rows):
        table.rows.append((i, [""], {"sims": row.sims, "exhausted": row.exhausted, "share": row.exhausted_percent, "median": row.median_mb, "p90": row.p90_mb}))
    table.suppress_small = hides_small_numbers(viewer, la_ids)
    published = cells(table)
    return [(row, published[i]) for i, row in enumerate(rows)]


#: The shortfall API's fields and the registered figure each one is.
API_FIELDS = {
    "children_need_device": "children_needing_device",
    "estimated_device_need": "estimated_device_need",
    "devices": "laptops_in_service",
    "children_with_device": "children_with_device",
    "children_handed_over": "children_handed_over",
    "laptop_shortfall": "laptop_shortfall",
    "laptop_cost": "laptop_shortfall_cost",
    "children_need_connectivity": "children_needing_connectivity",
    "children_connected": "children_with_data",
    "connectivity_shortfall": "connectivity_shortfall",
    "connectivity_cost": "connectivity_shortfall_cost",
}


def shortfall_by_la(viewer, la_ids):
    """The shortfall API's rows: ``[{local_authority, name, <field>: value}]``, one per LA, with
    small numbers hidden (``None``) where the one policy says so."""
    names = list(dict.fromkeys([*API_FIELDS.values(), "device_need"]))
    found = definitions.by_la(names, la_ids)
    cols = [_column(n, summed=False) for n in names if definitions.figure(n).kind != definitions.MONEY]
    cols += [
        _column("laptop_shortfall_cost", summed=False, hide_with=("laptop_shortfall",)),
        _column("connectivity_shortfall_cost", summed=False, hide_with=("connectivity_shortfall",)),
    ]
    table = StatTable(
        columns=cols, label_headers=[""], total_labels=[""],
        row_relations=[("device_need", ["children_needing_device", "estimated_device_need"])],
        conditional_relations=lambda v: [("device_need", ["laptops_in_service", "laptop_shortfall"])]
        if (v.get("device_need") or 0) >= (v.get("laptops_in_service") or 0) else [],
    )
    for la, values in found:
        table.rows.append((la.pk, [la.name], values))
    table.suppress_small = hides_small_numbers(viewer, la_ids)
    published = cells(table)
    rows = []
    for la, _values in found:
        row = {"local_authority": la.code, "name": la.name}
        for field_name, figure_name in API_FIELDS.items():
            v = published[la.pk][figure_name]
            row[field_name] = None if v == SUPPRESSED else v
        rows.append(row)
    return rows
