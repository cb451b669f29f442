"""Tables for the connectivity pages (django-tables2). Columns read only select_related data."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from allocations.models import Child
from connectivity.models import CheckIn, DataVoucher, NetworkRequest, Sim
from core.tables import DateColumn, DateTimeColumn
from devices.tables import DisplayColumn, LINK, MobileColumn


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


# --- network side: the request list with a checkbox per row for a bulk status change
class NetworkRequestBulkTable(NetworkRequestTable):
    """The request list for those who may move requests: each row can be selected for the bulk
    form (``connectivity:request_bulk``), whose inputs are tied to it with ``form=``."""

    select = tables.Column(accessor="pk", verbose_name=_("Select"), orderable=False, exclude_from_export=True)

    class Meta(NetworkRequestTable.Meta):
        sequence = ("select", "...")

    def render_select(self, record):
        from django.utils.html import format_html
        from django.utils.translation import gettext

        return format_html(
            '<div class="govuk-checkboxes govuk-checkboxes--small" data-module="govuk-checkboxes"><div class="govuk-checkboxes__item">'
            '<input class="govuk-checkboxes__input" type="checkbox" name="pk" value="{}" id="select-{}" form="bulk-form">'
            '<label class="govuk-label govuk-checkboxes__label" for="select-{}"><span class="govuk-visually-hidden">{}</span></label></div></div>',
            record.pk, record.pk, record.pk, gettext("Select %(ref)s") % {"ref": record.reference},
        )


# --- connection plans


class ChildWithoutPlanTable(tables.Table):
    """Children who need connectivity and have no connection plan chosen."""

    reference = tables.Column(verbose_name=_("Child reference"), linkify=lambda record: record.get_absolute_url() + "#connection-plan", attrs=LINK)
    name = tables.Column(accessor="last_name", verbose_name=_("Name"), order_by=("last_name", "first_name"))
    school = tables.Column(accessor="school__name", verbose_name=_("School"))
    year_group = DisplayColumn(field="year_group", verbose_name=_("Year group"), default="–")

    class Meta:
        model = Child
        fields = ("reference", "name", "school", "year_group")
        template_name = "core/table.html"

    def render_name(self, record):
        return f"{record.first_name} {record.last_name}".strip() or "–"

    def value_name(self, record):
        return self.render_name(record)


class DataVoucherTable(tables.Table):
    code = tables.Column(verbose_name=_("Voucher code"))
    provider = tables.Column(verbose_name=_("Provider"))
    kind = DisplayColumn(field="kind", verbose_name=_("Kind"))
    data_mb = tables.Column(verbose_name=_("Data (MB)"), default="–")
    expires = tables.DateColumn(verbose_name=_("Expires"), default="–")
    given_to = tables.Column(accessor="given_to__reference", verbose_name=_("Given to"), default="")
    given_at = DateTimeColumn(verbose_name=_("Given on"), default="")
    give = tables.Column(accessor="pk", verbose_name=_("Action"), orderable=False, exclude_from_export=True)

    class Meta:
        model = DataVoucher
        fields = ("code", "provider", "kind", "data_mb", "expires", "given_to", "given_at", "give")
        template_name = "core/table.html"

    def render_give(self, record):
        from django.utils.html import format_html

        if record.given_to_id:
            return ""
        return format_html('<a class="govuk-link" href="{}">{}<span class="govuk-visually-hidden"> {}</span></a>', record.get_absolute_url(), _("Give to a child"), record.code)


# --- idle SIMs and check-ins


class CheckInTable(tables.Table):
    reference = tables.Column(accessor="pk", verbose_name=_("Reference"), order_by=("pk",))
    child = tables.Column(
        accessor="child__last_name", verbose_name=_("Child"), order_by=("child__last_name", "child__first_name"),
        linkify=lambda record: reverse("allocations:child_detail", args=[record.child_id]), attrs=LINK,
    )
    guardian_phone = MobileColumn(accessor="child__guardian_phone", verbose_name=_("Parent or carer's phone"), orderable=False)
    school = tables.Column(accessor="school__name", verbose_name=_("School"), default="–")
    device = tables.Column(
        accessor="device__serial", verbose_name=_("Device"),
        linkify=lambda record: reverse("devices:device_detail", args=[record.device_id]), attrs=LINK,
    )
    reason = DisplayColumn(field="reason", verbose_name=_("Why"))
    sent_at = DateTimeColumn(verbose_name=_("Sent"))
    answer = DisplayColumn(field="answer", verbose_name=_("Answer"), default="–")
    answered_by = DisplayColumn(field="answered_by", verbose_name=_("Answered by"), default="–")
    follow_up_at = DateColumn(verbose_name=_("Follow up from"))

    optional_columns = ("guardian_phone", "school", "reason", "answered_by")

    class Meta:
        model = CheckIn
        fields = ("reference", "child", "guardian_phone", "school", "device", "reason", "sent_at", "answer", "answered_by", "follow_up_at")
        template_name = "core/table.html"

    def render_reference(self, record):
        return record.reference

    def render_child(self, record):
        return f"{record.child.first_name} {record.child.last_name} ({record.child.reference})"

    def value_child(self, record):
        return self.render_child(record)


class CheckInFollowUpTable(CheckInTable):
    """The follow-up list: who to call, so the phone and school are shown and the answer is not."""

    answer = None
    answered_by = None
    optional_columns = ("reason",)

    class Meta(CheckInTable.Meta):
        fields = ("reference", "child", "guardian_phone", "school", "device", "reason", "sent_at", "follow_up_at")


# --- requests: the council's and school's side


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
