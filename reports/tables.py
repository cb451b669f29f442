import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from core.tables import DateColumn, DateTimeColumn
from reports.models import ApiToken, NeedEstimate


class NeedEstimateTable(tables.Table):
    school = tables.Column(verbose_name=_("School"), accessor="school__name")
    kind = tables.Column(verbose_name=_("Device kind"))
    count = tables.Column(verbose_name=_("Children"))
    estimated_on = DateColumn(verbose_name=_("Estimated on"), format="d/m/Y")
    note = tables.Column(verbose_name=_("Note"))
    edit = tables.LinkColumn(
        "reports:need_estimate_update", args=[tables.A("pk")], text=_("Change"), orderable=False,
        verbose_name="", exclude_from_export=True, attrs={"a": {"class": "govuk-link"}},
    )

    class Meta:
        model = NeedEstimate
        fields = ("school", "kind", "count", "estimated_on", "note")
        order_by = ("-estimated_on",)


class ApiTokenTable(tables.Table):
    name = tables.Column(linkify=True, verbose_name=_("Name"), attrs={"a": {"class": "govuk-link"}})
    kind = tables.Column(verbose_name=_("Kind"))
    organisation = tables.Column(verbose_name=_("Organisation"), accessor="organisation", orderable=False)
    prefix = tables.Column(verbose_name=_("Token starts"))
    created_at = DateTimeColumn(verbose_name=_("Created"), format="d/m/Y H:i")
    last_used_at = DateTimeColumn(verbose_name=_("Last used"), format="d/m/Y H:i")
    revoked_at = DateTimeColumn(verbose_name=_("Revoked"), format="d/m/Y H:i")

    class Meta:
        model = ApiToken
        fields = ("name", "kind", "organisation", "prefix", "created_at", "last_used_at", "revoked_at")
        order_by = ("-created_at",)
