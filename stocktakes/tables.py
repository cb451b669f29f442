"""Tables for the stocktake pages (django-tables2, rendered with ``{% page_table table %}``)."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import DateTimeColumn
from stocktakes.models import Stocktake

LINK = {"a": {"class": "govuk-link"}}


class StocktakeTable(tables.Table):
    name = tables.Column(accessor="pk", verbose_name=_("Stocktake"), linkify=lambda record: record.get_absolute_url(), attrs=LINK, order_by=("started_at",))
    status = tables.Column(verbose_name=_("Status"))
    started_at = DateTimeColumn(verbose_name=_("Started"))
    closed_at = DateTimeColumn(verbose_name=_("Closed"))
    n_expected = tables.Column(verbose_name=_("Expected"), orderable=False)
    n_found = tables.Column(verbose_name=_("Found"), orderable=False)
    n_missing = tables.Column(verbose_name=_("Missing"), orderable=False)
    n_unexpected = tables.Column(verbose_name=_("Unexpected"), orderable=False)

    class Meta:
        model = Stocktake
        fields = ("name", "status", "started_at", "closed_at", "n_expected", "n_found", "n_missing", "n_unexpected")
        order_by = ("-started_at",)

    def render_name(self, record):
        return record.place_name

    def value_name(self, record):
        return record.place_name


class OverdueSchoolTable(tables.Table):
    name = tables.Column(verbose_name=_("School"))
    urn = tables.Column(verbose_name=_("URN"))
    last_stocktake = DateTimeColumn(verbose_name=_("Last stocktake closed"), default=_("Never"))

    class Meta:
        fields = ("name", "urn", "last_stocktake")
        order_by = ("last_stocktake",)
