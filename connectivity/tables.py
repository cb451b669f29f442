"""Tables for the connectivity pages (django-tables2). Columns read only select_related data."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from connectivity.models import NetworkRequest, Sim
from core.tables import DateTimeColumn
from devices.tables import LINK, DisplayColumn, MobileColumn


class SimTable(tables.Table):
    iccid = tables.Column(linkify=("connectivity:sim_detail", {"pk": tables.A("pk")}), attrs=LINK, verbose_name=_("ICCID"))
    msisdn = MobileColumn(verbose_name=_("Mobile number"))
    network = tables.Column(accessor="network__name", verbose_name=_("Network"))
    status = DisplayColumn(field="status", verbose_name=_("Status"))
    device = tables.Column(
        accessor="device__serial", verbose_name=_("Device"),
        linkify=lambda record: reverse("devices:device_detail", args=[record.device_id]) if record.device_id else None,
        attrs=LINK,
    )
    local_authority = tables.Column(accessor="local_authority__name", verbose_name=_("Local authority"))

    class Meta:
        model = Sim
        fields = ("iccid", "msisdn", "network", "status", "device", "local_authority")
        template_name = "core/table.html"


class NetworkRequestTable(tables.Table):
    reference = tables.Column(accessor="pk", verbose_name=_("Reference"), linkify=lambda record: record.get_absolute_url(), attrs=LINK, order_by=("pk",))
    kind = DisplayColumn(field="kind", verbose_name=_("Request"))
    sim = tables.Column(accessor="sim__iccid", verbose_name=_("SIM"), default="–")
    msisdn = MobileColumn(verbose_name=_("Mobile number"))
    network = tables.Column(accessor="network__name", verbose_name=_("Network"))
    status = DisplayColumn(field="status", verbose_name=_("Status"))
    problem = DisplayColumn(field="problem", verbose_name=_("Problem"), default="")
    local_authority = tables.Column(accessor="local_authority__name", verbose_name=_("Local authority"))
    changed_at = DateTimeColumn(verbose_name=_("Last change"))

    class Meta:
        model = NetworkRequest
        fields = ("reference", "kind", "sim", "msisdn", "network", "status", "problem", "local_authority", "changed_at")
        template_name = "core/table.html"

    def render_reference(self, record):
        return record.reference


# --- requests: the council's and school's side

from django.utils.html import format_html  # noqa: E402


class SimSelectTable(SimTable):
    """The SIM list with a tick box per row, for raising requests in bulk."""

    select = tables.Column(accessor="pk", verbose_name=_("Select"), orderable=False, exclude_from_export=True)

    class Meta(SimTable.Meta):
        fields = ("select", *SimTable.Meta.fields)
        sequence = ("select", "...")

    def render_select(self, record):
        return format_html(
            '<div class="govuk-checkboxes govuk-checkboxes--small"><div class="govuk-checkboxes__item">'
            '<input class="govuk-checkboxes__input" id="sim-{}" name="sim" type="checkbox" value="{}">'
            '<label class="govuk-label govuk-checkboxes__label" for="sim-{}"><span class="govuk-visually-hidden">{}</span></label>'
            "</div></div>",
            record.pk, record.pk, record.pk, _("Select SIM %(iccid)s") % {"iccid": record.iccid},
        )


# The request list fits at 1280 px with the LA as an extra column (ticked under "Extra columns";
# always in the CSV and Excel downloads): most people see one LA's requests.
NetworkRequestTable.optional_columns = ("local_authority",)
