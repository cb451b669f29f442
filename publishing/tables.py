import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import DateColumn, DateTimeColumn
from publishing.models import Publication


class PublicationTable(tables.Table):
    period = DateColumn(verbose_name=_("Period"), format="F Y", linkify=True, attrs={"a": {"class": "govuk-link"}})
    status = tables.Column(verbose_name=_("Status"))
    requested_at = DateTimeColumn(verbose_name=_("Requested"), format="d/m/Y H:i")
    requested_by = tables.Column(verbose_name=_("By"), default=_("Monthly schedule"))
    published_at = DateTimeColumn(verbose_name=_("Published"), format="d/m/Y H:i")
    attempts = tables.Column(verbose_name=_("Attempts"))
    driver = tables.Column(verbose_name=_("Sent to"))
    csv_sha256 = tables.Column(verbose_name=_("CSV SHA-256"), orderable=False)

    class Meta:
        model = Publication
        fields = ("period", "status", "requested_at", "requested_by", "published_at", "attempts", "driver", "csv_sha256")
        order_by = ("-requested_at",)

    def render_csv_sha256(self, value):
        return f"{value[:12]}…"

    def value_csv_sha256(self, value):
        return value
