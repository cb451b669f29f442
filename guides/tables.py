"""The staff list of guides."""

import django_tables2 as tables
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from guides.models import Guide


class GuideTable(tables.Table):
    slug = tables.Column(linkify=True, attrs={"a": {"class": "govuk-link"}}, verbose_name=_("Guide"))
    problem = tables.Column(verbose_name=_("Problem"))
    device = tables.Column(empty_values=(), accessor="device_kind", verbose_name=_("Device"), order_by=("device_kind", "device_model"))
    is_published = tables.BooleanColumn(verbose_name=_("Published"), yesno=(_("Yes"), _("No")))
    text_count = tables.Column(verbose_name=_("Languages"), orderable=True)
    order = tables.Column(verbose_name=_("Order"))

    class Meta:
        model = Guide
        fields = ("slug", "problem", "device", "is_published", "text_count", "order")
        order_by = ("order",)

    def render_device(self, record):
        return record.device_label

    def value_device(self, record):
        return str(record.device_label)

    def render_text_count(self, value):
        return f"{value} / {len(settings.LANGUAGES)}"
