import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.models import LocalAuthority, School


class SchoolTable(tables.Table):
    name = tables.Column(linkify=True, attrs={"a": {"class": "govuk-link"}}, verbose_name=_("Name"))
    urn = tables.Column(verbose_name=_("URN"))
    local_authority = tables.Column(verbose_name=_("Local authority"), accessor="local_authority__name")
    phase = tables.Column(verbose_name=_("Phase"))
    status = tables.Column(verbose_name=_("Status"))
    postcode = tables.Column(verbose_name=_("Postcode"))
    type = tables.Column(verbose_name=_("Type"))

    optional_columns = ("type",)

    class Meta:
        model = School
        fields = ("name", "urn", "local_authority", "phase", "status", "postcode", "type")
        order_by = ("name",)


class LocalAuthorityTable(tables.Table):
    name = tables.Column(linkify=True, attrs={"a": {"class": "govuk-link"}}, verbose_name=_("Name"))
    code = tables.Column(verbose_name=_("LA code"))
    gss_code = tables.Column(verbose_name=_("GSS code"))

    class Meta:
        model = LocalAuthority
        fields = ("name", "code", "gss_code")
        order_by = ("name",)


class SuccessorTable(tables.Table):
    """Closed schools with a GIAS successor and what they still hold (``with_holdings``)."""

    name = tables.Column(linkify=True, attrs={"a": {"class": "govuk-link"}}, verbose_name=_("Closed school"))
    urn = tables.Column(verbose_name=_("URN"))
    held_children = tables.Column(verbose_name=_("Children"), attrs={"td": {"class": "govuk-table__cell--numeric"}})
    held_allocations = tables.Column(verbose_name=_("Active allocations"), attrs={"td": {"class": "govuk-table__cell--numeric"}})
    held_devices = tables.Column(verbose_name=_("Devices"), attrs={"td": {"class": "govuk-table__cell--numeric"}})
    held_open_tickets = tables.Column(verbose_name=_("Open tickets"), attrs={"td": {"class": "govuk-table__cell--numeric"}})
    # The successor's name, URN and local authority in one cell, so the table fits at 1280 px.
    successor = tables.Column(verbose_name=_("Successor"), accessor="successor__name", order_by=("successor__name",))
    move = tables.Column(
        verbose_name=_("Action"),
        accessor="pk",
        orderable=False,
        exclude_from_export=True,
        linkify=lambda record: reverse("accounts:successor_move", args=[record.pk]) if record.held_children or record.held_devices else None,
        attrs={"a": {"class": "govuk-link"}},
    )

    class Meta:
        model = School
        fields = ("name", "urn", "held_children", "held_allocations", "held_devices", "held_open_tickets", "successor", "move")
        order_by = ("name",)

    def render_successor(self, record):
        return format_html(
            '{}<br><span class="govuk-hint govuk-!-font-size-16 govuk-!-margin-0">{}</span>',
            record.successor.name,
            _("URN %(urn)s, %(la)s") % {"urn": record.successor.urn, "la": record.successor.local_authority.name},
        )

    def value_successor(self, record):
        return _("%(name)s (URN %(urn)s, %(la)s)") % {"name": record.successor.name, "urn": record.successor.urn, "la": record.successor.local_authority.name}

    def render_move(self, record):
        if not (record.held_children or record.held_devices):
            return _("Nothing to move")
        return _("Move to successor")
