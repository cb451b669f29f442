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


# --- idle SIMs and check-ins

from connectivity.models import CheckIn  # noqa: E402
from core.tables import DateColumn  # noqa: E402


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
