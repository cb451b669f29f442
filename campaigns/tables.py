"""Tables for the campaign pages (django-tables2). Columns read only select_related data."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from campaigns.models import Campaign, CampaignDevice
from core.tables import DateTimeColumn
from devices.tables import DisplayColumn, LINK


class CampaignTable(tables.Table):
    title = tables.Column(linkify=lambda record: record.get_absolute_url(), attrs=LINK, verbose_name=_("Title"))
    kind = DisplayColumn(field="kind", verbose_name=_("Kind"))
    status = DisplayColumn(field="status", verbose_name=_("Status"))
    n_total = tables.Column(verbose_name=_("Devices"), orderable=False)
    n_done = tables.Column(verbose_name=_("Fixed or returned"), orderable=False, empty_values=())
    local_authority = tables.Column(accessor="local_authority__name", verbose_name=_("Local authority"))
    created_at = DateTimeColumn(verbose_name=_("Started"))

    class Meta:
        model = Campaign
        fields = ("title", "kind", "status", "n_total", "n_done", "local_authority", "created_at")
        template_name = "core/table.html"

    def render_n_done(self, record):
        return record.n_fixed + record.n_returned

    def value_n_done(self, record):
        return record.n_fixed + record.n_returned


class CampaignDeviceTable(tables.Table):
    serial = tables.Column(accessor="device__serial", verbose_name=_("Serial number"),
                           linkify=lambda record: record.get_absolute_url(), attrs=LINK)
    model = tables.Column(accessor="device__model", verbose_name=_("Model"))
    school = tables.Column(accessor="device__school__name", verbose_name=_("School"), default="–")
    status = DisplayColumn(field="status", verbose_name=_("Status"))
    changed_at = DateTimeColumn(verbose_name=_("Last change"))
    not_sent_reason = tables.Column(verbose_name=_("Not sent because"), default="")

    class Meta:
        model = CampaignDevice
        fields = ("serial", "model", "school", "status", "changed_at", "not_sent_reason")
        template_name = "core/table.html"
