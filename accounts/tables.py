import django_tables2 as tables
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
