"""Filters for the children and allocations lists; every choice limited to the user's scope."""

import django_filters
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import School
from allocations.models import NO_SCHOOL_LABEL, Allocation, AllocationStatus, Child, Eligibility, YearGroup
from devices.models import DeviceKind, Ownership

#: The two figures "children with a device" and "children waiting for a device", as a filter.
HAS_DEVICE = (("yes", _("Allocated or handed over")), ("no", _("Waiting for one")))
NEEDS = (("laptop", _("Needs a laptop")), ("connectivity", _("Needs connectivity")), ("both", _("Needs both")))


class ChildFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search by reference or name"))
    # ``null_label``: an option for the children who belong to the LA directly (no school).
    school = django_filters.ModelChoiceFilter(queryset=School.objects.none(), label=_("School"), null_label=NO_SCHOOL_LABEL)
    year_group = django_filters.ChoiceFilter(choices=YearGroup.choices, label=_("Year group"))
    preferred_language = django_filters.ChoiceFilter(choices=settings.LANGUAGES, label=_("Language"))
    needs = django_filters.ChoiceFilter(choices=NEEDS, method="filter_needs", label=_("Needs"))
    eligibility = django_filters.ChoiceFilter(choices=Eligibility.choices, label=_("Eligibility"))
    has_device = django_filters.ChoiceFilter(choices=HAS_DEVICE, method="filter_has_device", label=_("Laptop or tablet"))

    class Meta:
        model = Child
        fields = ["q", "school", "year_group", "preferred_language", "needs", "eligibility", "has_device"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["school"].queryset = School.objects.visible_to(request.user)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        q = Q(reference__iexact=value)
        for word in value.split():
            q |= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        return queryset.filter(q)

    def filter_needs(self, queryset, name, value):
        if value == "laptop":
            return queryset.filter(needs_laptop=True)
        if value == "connectivity":
            return queryset.filter(needs_connectivity=True)
        return queryset.filter(needs_laptop=True, needs_connectivity=True)

    def filter_has_device(self, queryset, name, value):
        # The figures' own definitions (``ChildQuerySet``), so the home card and its list agree.
        return queryset.with_device() if value == "yes" else queryset.waiting_for_device()


class AllocationFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search by child reference or device serial"))
    status = django_filters.ChoiceFilter(choices=AllocationStatus.choices, label=_("Status"))
    school = django_filters.ModelChoiceFilter(
        field_name="child__school", queryset=School.objects.none(), label=_("School"), null_label=NO_SCHOOL_LABEL
    )
    kind = django_filters.ChoiceFilter(field_name="device__kind", choices=DeviceKind.choices, label=_("Kind"))
    ownership = django_filters.ChoiceFilter(field_name="device__ownership", choices=Ownership.choices, label=_("Ownership"))
    handed_over_from = django_filters.DateFilter(field_name="handed_over_on", lookup_expr="gte", label=_("Handed over from"))
    handed_over_to = django_filters.DateFilter(field_name="handed_over_on", lookup_expr="lte", label=_("Handed over to"))

    class Meta:
        model = Allocation
        fields = ["q", "status", "school", "kind", "ownership", "handed_over_from", "handed_over_to"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["school"].queryset = School.objects.visible_to(request.user)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(child__reference__iexact=value) | Q(device__serial__iexact=value.upper()))
