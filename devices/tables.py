"""Tables for the devices pages (django-tables2). Columns read only select_related data."""

import django_tables2 as tables
from django.db import models
from django.db.models import F, Q, Window
from django.db.models.functions import RowNumber, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.tables import DateTimeColumn
from devices.models import Alert, DeliveryBatch, Device, alert_group_q
from devices.validators import format_uk_national

LINK = {"a": {"class": "govuk-link"}}


class DisplayColumn(tables.Column):
    """A choices field shown by its label, on the page and in exports alike.

    On the page django-tables2 has already swapped the stored value for its label; in an
    export the stored value arrives. Either way the label is returned, from one dict lookup.
    """

    def __init__(self, *args, field, **kwargs):
        self.field = field
        self._labels = None
        super().__init__(*args, **kwargs)

    def render(self, value, record):
        if self._labels is None:
            self._labels = {k: str(v) for k, v in record._meta.get_field(self.field).flatchoices}
        return self._labels.get(value, value)


class UKDateColumn(tables.Column):
    """A date as 27/03/2026 on the page (exports keep the date itself, a real spreadsheet date)."""

    def render(self, value):
        return value.strftime("%d/%m/%Y")


class MobileColumn(tables.Column):
    """An E.164 number shown in UK national format (07700 900123)."""

    def render(self, value):
        return format_uk_national(value)


class DeviceTable(tables.Table):
    serial = tables.Column(linkify=True, attrs=LINK, verbose_name=_("Serial number"))
    kind = DisplayColumn(field="kind", verbose_name=_("Kind"))
    make = tables.Column(verbose_name=_("Make"))
    model = tables.Column(verbose_name=_("Model"))
    status = DisplayColumn(field="status", verbose_name=_("Status"))
    local_authority = tables.Column(accessor="local_authority__name", verbose_name=_("Local authority"))
    school = tables.Column(accessor="school__name", verbose_name=_("School"), order_by=("school__name",))
    imei = tables.Column(verbose_name=_("IMEI"))
    asset_tag = tables.Column(verbose_name=_("Asset tag"))
    iccid = tables.Column(accessor="sim__iccid", verbose_name=_("ICCID"), orderable=False)
    msisdn = MobileColumn(accessor="sim__msisdn", verbose_name=_("Mobile number"), orderable=False)
    network = tables.Column(accessor="sim__network__name", verbose_name=_("Network"), orderable=False)
    batch = tables.Column(accessor="batch__order_reference", verbose_name=_("Order reference"), orderable=False)
    ownership = DisplayColumn(field="ownership", verbose_name=_("Ownership"))
    delivered_on = UKDateColumn(verbose_name=_("Delivered"))
    handed_over_on = UKDateColumn(verbose_name=_("Handed over"))
    warranty_end = UKDateColumn(verbose_name=_("Warranty ends"))

    #: Columns hidden unless chosen with ``?columns=...`` (the "Extra columns" checkboxes).
    optional_columns = (
        "make", "model", "imei", "asset_tag", "iccid", "msisdn", "network", "batch", "ownership",
        "handed_over_on", "warranty_end",
    )

    class Meta:
        model = Device
        fields = (
            "serial", "kind", "make", "model", "status", "local_authority", "school", "imei", "asset_tag", "iccid",
            "msisdn", "network", "batch", "ownership", "delivered_on", "handed_over_on", "warranty_end",
        )
        template_name = "core/table.html"


class DeliveryBatchTable(tables.Table):
    order_reference = tables.Column(
        linkify=("devices:batch_detail", {"pk": tables.A("pk")}), attrs=LINK, verbose_name=_("Order reference"),
        empty_values=(),
    )
    supplier = tables.Column(verbose_name=_("Supplier"))
    delivered_on = UKDateColumn(verbose_name=_("Delivered"))
    local_authority = tables.Column(accessor="local_authority__name", verbose_name=_("Local authority"))

    class Meta:
        model = DeliveryBatch
        fields = ("order_reference", "supplier", "delivered_on", "local_authority")
        template_name = "core/table.html"

    def render_order_reference(self, record):
        return record.order_reference or _("Batch %(pk)s") % {"pk": record.pk}


class AlertTable(tables.Table):
    raised_at = DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Raised"))
    kind = DisplayColumn(field="kind", verbose_name=_("Alert"))
    message = tables.Column(verbose_name=_("Message"), orderable=False)
    device = tables.Column(
        accessor="device__serial", verbose_name=_("Device"), orderable=False, attrs=LINK,
        linkify=lambda record: reverse("devices:device_detail", args=[record.device_id]) if record.device_id else None,
    )
    local_authority = tables.Column(accessor="local_authority__name", verbose_name=_("Local authority"))
    due = UKDateColumn(verbose_name=_("Due"))
    acknowledged_at = DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Acknowledged"))
    action = tables.TemplateColumn(
        template_name="devices/_alert_action.html", verbose_name=_("Action"), orderable=False,
        exclude_from_export=True, empty_values=(),
    )

    class Meta:
        model = Alert
        fields = ("raised_at", "kind", "message", "device", "local_authority", "due", "acknowledged_at", "action")
        template_name = "core/table.html"

    def __init__(self, *args, can_acknowledge=False, **kwargs):
        self.can_acknowledge = can_acknowledge
        super().__init__(*args, **kwargs)


#: Devices or SIMs listed under each grouped alert line; the rest are behind "See all".
GROUP_ITEMS_SHOWN = 10


class AlertGroupTable(tables.Table):
    """The alert list, one line per condition (``AlertQuerySet.grouped()``): what, where, when
    and what it covers (the first devices or SIMs in a GOV.UK details, with a link to every
    alert of the line), and one action for all of its open alerts. Five columns, so the action
    stays in view at 1280 px."""

    latest = DateTimeColumn(format="d/m/Y H:i", verbose_name=_("Raised"))
    kind = tables.Column(verbose_name=_("Alert"))
    group_la_name = tables.Column(verbose_name=_("Where"), order_by=("group_la_name", "school__name"), empty_values=())
    month = tables.Column(verbose_name=_("Due"), empty_values=())
    action = tables.TemplateColumn(
        template_name="devices/_alert_group_action.html", verbose_name=_("Action"), orderable=False, empty_values=(),
    )

    class Meta:
        template_name = "core/table.html"
        order_by = ("-latest",)

    def __init__(self, *args, can_acknowledge=False, members_source=None, query="", **kwargs):
        self.can_acknowledge = can_acknowledge
        self.members_source = members_source
        self.query = query
        self.members = {}
        super().__init__(*args, **kwargs)

    @staticmethod
    def group_key(kind, la_id, school_id, month):
        return (kind, None if kind in Alert.SERVICE_WIDE_KINDS else la_id, school_id, month)

    def before_render(self, request):
        """The first devices or SIMs of each line on this page: one query for the page."""

        records = [row.record for row in (self.page.object_list if self.page else self.rows)]
        for r in records:
            r["group_query"] = self.group_params(r)
            r["label"] = str(Alert.Kind(r["kind"]).label)
        wanted = [r for r in records if r["kind"] not in Alert.SERVICE_WIDE_KINDS and r["n"] > 1]
        if not wanted or self.members_source is None:
            return
        keys = Q()
        for r in wanted:
            keys |= alert_group_q(kind=r["kind"], local_authority=r["group_la"], school=r["school_id"], month=r["month"])
        month = TruncMonth("due", output_field=models.DateField())
        rows = (
            self.members_source.filter(keys)
            .annotate(
                month=month,
                rank=Window(RowNumber(), partition_by=[F("kind"), F("local_authority_id"), F("school_id"), month], order_by=F("pk").asc()),
            )
            .filter(rank__lte=GROUP_ITEMS_SHOWN)
            .values("kind", "local_authority_id", "school_id", "month", "device_id", "device__serial", "sim_id", "sim__iccid")
        )
        for row in rows:
            key = self.group_key(row["kind"], row["local_authority_id"], row["school_id"], row["month"])
            self.members.setdefault(key, []).append(row)

    def items(self, record):
        return self.members.get(self.group_key(record["kind"], record["group_la"], record["school_id"], record["month"]), [])

    def group_params(self, record):
        from urllib.parse import urlencode

        params = {"kind": record["kind"], "school": record["school_id"] or "none", "month": record["month"].strftime("%Y-%m") if record["month"] else "none"}
        if record["kind"] not in Alert.SERVICE_WIDE_KINDS:
            params["local_authority"] = record["group_la"]
        return urlencode(params)

    def render_latest(self, value):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")

    def render_kind(self, record):
        label = str(Alert.Kind(record["kind"]).label)
        if record["n"] == 1 and record["kind"] not in Alert.SERVICE_WIDE_KINDS:
            return label
        each = reverse("devices:alert_list") + "?show=each&" + record.get("group_query", self.group_params(record)) + (f"&{self.query}" if self.query else "")
        items = self.items(record)
        if record["kind"] in Alert.SERVICE_WIDE_KINDS:
            summary = ngettext("%(n)s alert, one per local authority", "%(n)s alerts, one per local authority", record["n"]) % {"n": record["n"]}
            return format_html('{}<br><a class="govuk-link" href="{}">{}</a>', label, each, summary)
        lines = format_html_join("", '<li><a class="govuk-link" href="{}">{}</a></li>', ((_item_url(i), _item_label(i)) for i in items))
        more = _("See all %(n)s alerts") % {"n": record["n"]}
        summary = ngettext("%(n)s alert", "%(n)s alerts", record["n"]) % {"n": record["n"]}
        return format_html(
            '{}<details class="govuk-details govuk-!-margin-bottom-0"><summary class="govuk-details__summary">'
            '<span class="govuk-details__summary-text">{}</span></summary><div class="govuk-details__text">'
            '<ul class="govuk-list govuk-!-font-size-16">{}</ul><a class="govuk-link govuk-!-font-size-16" href="{}">{}</a></div></details>',
            label, summary, lines, each, more,
        )

    def render_group_la_name(self, record):
        if record["kind"] in Alert.SERVICE_WIDE_KINDS:
            return ngettext("%(n)s local authority", "%(n)s local authorities", record["la_count"]) % {"n": record["la_count"]}
        if record["school__name"]:
            return format_html("{}<br>{}", record["group_la_name"], record["school__name"])
        return record["group_la_name"]

    def render_month(self, value):
        return value.strftime("%m/%Y") if value else "—"


def _item_label(item):
    if item["sim_id"]:
        return _("SIM %(iccid)s") % {"iccid": item["sim__iccid"]}
    if item["device_id"]:
        return _("Device %(serial)s") % {"serial": item["device__serial"]}
    return _("No device")


def _item_url(item):
    if item["device_id"]:
        return reverse("devices:device_detail", args=[item["device_id"]])
    if item["sim_id"]:
        return reverse("connectivity:sim_detail", args=[item["sim_id"]])
    return reverse("devices:alert_list")
