"""The London-wide table: every LA side by side, aggregates only, small numbers suppressed.

The London lead's ``visible_to`` returns no child, device or ticket rows; this module computes
aggregates across all LAs deliberately and returns only a suppressed ``StatTable``. Nothing
here can reach a row: the figures are ``GROUP BY local_authority`` counts.
"""

from django.utils.translation import gettext_lazy as _

from reports import definitions, figures
from reports.statistics import Column, StatTable

DEVICE_PARTS = ["laptops_in_stock", "laptops_allocated", "laptops_handed_over", "laptops_in_repair", "laptops_out_of_service"]

#: The table's columns: registered figures (``reports.definitions``), in groups a reader can
#: choose between on the page (the CSV has them all).
GROUPS = {
    "devices": DEVICE_PARTS + ["laptops_delivered"],
    "children": ["children_with_device", "children_waiting", "children_needing_device", "estimated_device_need"],
    "connectivity": ["children_with_data", "children_without_data", "children_needing_connectivity", "estimated_router_need"],
}
COLUMNS = [name for names in GROUPS.values() for name in names]
GROUP_LABELS = {"devices": _("Laptops and tablets"), "children": _("Children and need"), "connectivity": _("Connectivity")}

#: Short headers for "All columns" (under their group's heading, each in an <abbr> with the
#: figure's label, and listed in the key below the table), so every column fits 1280 px.
SHORT_LABELS = {
    "laptops_in_stock": _("Stock"), "laptops_allocated": _("Allocated"), "laptops_handed_over": _("Handed over"),
    "laptops_in_repair": _("Repair"), "laptops_out_of_service": _("Gone"), "laptops_delivered": _("Delivered"),
    "children_with_device": _("With one"), "children_waiting": _("Waiting"), "children_needing_device": _("Need"),
    "estimated_device_need": _("Not named"), "children_with_data": _("With data"), "children_without_data": _("No data"),
    "children_needing_connectivity": _("Need"), "estimated_router_need": _("Not named"),
}


def columns():
    return [Column(name, definitions.figure(name).label) for name in COLUMNS]


RELATIONS = [
    ("laptops_delivered", DEVICE_PARTS),
    ("children_needing_device", ["children_with_device", "children_waiting"]),
    ("children_needing_connectivity", ["children_with_data", "children_without_data"]),
]


def values_of(s):
    """The registered figures of one LA's (or London's) ``Shortfall``."""
    return definitions.values(COLUMNS, definitions.Facts(definitions.Scope((s.key,)), shortfall=s))


def london_table(today=None):
    """A ``StatTable`` with one row per LA and a London total row (not yet suppressed)."""
    rows = figures.la_shortfall(None, today)
    table = StatTable(
        columns=columns(),
        label_headers=[_("LA code"), _("Local authority")],
        total_labels=["", _("London")],
        row_relations=RELATIONS,
    )
    totals = dict.fromkeys([c.key for c in table.columns], 0)
    for s in rows:
        values = values_of(s)
        table.rows.append((s.key, [s.code, s.name], values))
        for k, n in values.items():
            totals[k] += n
    table.total_values = totals
    return table


def published_london(today=None):
    """``(header, rows, computed_at)`` of the suppressed London table, cached for
    ``settings.REPORTS_LONDON_CACHE_SECONDS`` (default 300): London-wide aggregates do not need
    to be to the second, and computing them scans every LA's rows. The cache holds only the
    published (suppressed) table, never unsuppressed counts."""
    from django.conf import settings
    from django.core.cache import cache
    from django.utils import timezone
    from django.utils.translation import get_language

    seconds = getattr(settings, "REPORTS_LONDON_CACHE_SECONDS", 300)
    key = f"reports:london:{get_language()}:{(today or timezone.localdate()).isoformat()}"
    found = cache.get(key) if seconds else None
    if found is None:
        header, rows = london_table(today).published()
        found = ([str(h) for h in header], [[str(v) if not isinstance(v, int) else v for v in row] for row in rows], timezone.now())
        if seconds:
            cache.set(key, found, seconds)
    return found
