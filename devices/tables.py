"""Tables for the devices pages (django-tables2). Columns read only select_related data."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.tables import DateTimeColumn
from devices.models import Alert, DeliveryBatch, Device, Sim
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


class SimTable(tables.Table):
    iccid = tables.Column(linkify=("devices:sim_detail", {"pk": tables.A("pk")}), attrs=LINK, verbose_name=_("ICCID"))
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
