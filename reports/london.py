"""The London-wide table: every LA side by side, aggregates only, small numbers suppressed.

The London lead's ``visible_to`` returns no child, device or ticket rows; this module computes
aggregates across all LAs deliberately and returns only a suppressed ``StatTable``. Nothing
here can reach a row: the figures are ``GROUP BY local_authority`` counts.
"""

from django.utils.translation import gettext_lazy as _

from reports import figures
from reports.statistics import Column, StatTable

DEVICE_PARTS = ["in_stock", "allocated", "handed_over", "in_repair", "out_of_service"]


def columns():
    return [
        Column("in_stock", _("Devices in stock")),
        Column("allocated", _("Devices allocated")),
        Column("handed_over", _("Devices handed over")),
        Column("in_repair", _("Devices with a fault or in repair")),
        Column("out_of_service", _("Devices lost, stolen or written off")),
        Column("devices_total", _("Devices delivered")),
        Column("with_device", _("Children with a device")),
        Column("awaiting", _("Children awaiting a device")),
        Column("need_device", _("Children needing a device")),
        Column("connected", _("Children with data")),
        Column("not_connected", _("Children without data")),
        Column("need_connectivity", _("Children needing connectivity")),
        Column("estimated", _("Estimated need not yet named")),
    ]


RELATIONS = [
    ("devices_total", DEVICE_PARTS),
    ("need_device", ["with_device", "awaiting"]),
    ("need_connectivity", ["connected", "not_connected"]),
]


def values_of(s):
    v = {k: s.devices_by_bucket[k] for k in DEVICE_PARTS}
    v["devices_total"] = sum(v.values())
    v["with_device"] = min(s.children_with_device, s.children_need_device)
    v["awaiting"] = s.children_awaiting_device
    v["need_device"] = s.children_need_device
    v["connected"] = s.children_connected
    v["not_connected"] = s.children_need_connectivity - s.children_connected
    v["need_connectivity"] = s.children_need_connectivity
    v["estimated"] = s.estimated_device_need + s.estimated_router_need
    return v


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
