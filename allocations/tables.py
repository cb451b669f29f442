"""Tables for children and allocations (django-tables2), exported by the shared list view."""

import django_tables2 as tables
from django.utils.translation import gettext_lazy as _

from allocations.models import NO_SCHOOL_LABEL, Allocation, Child
from core.languages import language_markup
from core.tables import DateColumn

LINK = {"a": {"class": "govuk-link"}}


class ChildTable(tables.Table):
    reference = tables.Column(linkify=True, attrs=LINK, verbose_name=_("Reference"))
    last_name = tables.Column(verbose_name=_("Last name"))
    first_name = tables.Column(verbose_name=_("First name"))
    school = tables.Column(accessor="school__name", verbose_name=_("School"), default=NO_SCHOOL_LABEL)
    year_group = tables.Column(verbose_name=_("Year group"))
    preferred_language = tables.Column(verbose_name=_("Language"))
    eligibility = tables.Column(verbose_name=_("Eligibility"))
    needs_laptop = tables.BooleanColumn(verbose_name=_("Needs a laptop"))
    needs_connectivity = tables.BooleanColumn(verbose_name=_("Needs connectivity"))
    has_device = tables.BooleanColumn(verbose_name=_("Has a laptop or tablet"), orderable=True)
    guardian_phone = tables.Column(verbose_name=_("Parent or carer's phone"))

    optional_columns = ("needs_laptop", "needs_connectivity", "guardian_phone")

    class Meta:
        model = Child
        fields = (
            "reference", "last_name", "first_name", "school", "year_group", "preferred_language", "eligibility",
            "needs_laptop", "needs_connectivity", "has_device", "guardian_phone",
        )
        order_by = ("last_name",)

    def render_preferred_language(self, record):
        return language_markup(record.preferred_language)

    def value_preferred_language(self, record):
        return record.preferred_language

    def render_guardian_phone(self, record):
        return record.guardian_phone_display

    def render_year_group(self, record):
        return record.get_year_group_display()


class AllocationTable(tables.Table):
    child = tables.Column(accessor="child__reference", linkify=lambda record: record.child.get_absolute_url(), attrs=LINK, verbose_name=_("Child reference"))
    school = tables.Column(accessor="child__school__name", verbose_name=_("School"), default=NO_SCHOOL_LABEL)
    # The allocation is opened from its device's serial: no column of bare allocation numbers.
    device = tables.Column(accessor="device__serial", linkify=lambda record: record.get_absolute_url(), attrs=LINK, verbose_name=_("Device serial"))
    kind = tables.Column(accessor="device__kind", verbose_name=_("Kind"))
    status = tables.Column(verbose_name=_("Status"))
    device_status = tables.Column(accessor="device__status", verbose_name=_("Device status"))
    planned_on = DateColumn(format="d/m/Y", verbose_name=_("Allocated on"))
    handed_over_on = DateColumn(format="d/m/Y", verbose_name=_("Handed over on"))
    ended_on = DateColumn(format="d/m/Y", verbose_name=_("Ended on"))

    optional_columns = ("device_status", "ended_on")

    class Meta:
        model = Allocation
        fields = ("child", "school", "device", "kind", "status", "device_status", "planned_on", "handed_over_on", "ended_on")
        order_by = ("-id",)

    def render_kind(self, record):
        return record.device.get_kind_display()

    def render_device_status(self, record):
        return record.device.get_status_display()
