import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.models import LocalAuthority, School


class SchoolFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search by name, URN or postcode"))
    status = django_filters.ChoiceFilter(choices=School.Status.choices, label=_("Status"))
    local_authority = django_filters.ModelChoiceFilter(queryset=LocalAuthority.objects.all(), label=_("Local authority"))
    phase = django_filters.CharFilter(lookup_expr="iexact", label=_("Phase"))

    class Meta:
        model = School
        fields = ["q", "status", "local_authority", "phase"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["local_authority"].queryset = LocalAuthority.objects.visible_to(request.user)

    def search(self, queryset, name, value):
        value = value.strip()
        q = Q(name__icontains=value) | Q(postcode__iexact=value)
        if value.isdigit():
            q |= Q(urn=int(value))
        return queryset.filter(q)


class LocalAuthorityFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search by name or code"))

    class Meta:
        model = LocalAuthority
        fields = ["q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code=value.strip()) | Q(gss_code__iexact=value.strip()))


class SuccessorFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search by name or URN"))
    holding = django_filters.BooleanFilter(method="still_holding", label=_("Still holding children or devices"))

    class Meta:
        model = School
        fields = ["q", "holding"]

    def search(self, queryset, name, value):
        value = value.strip()
        q = Q(name__icontains=value) | Q(successor__name__icontains=value)
        if value.isdigit():
            q |= Q(urn=int(value)) | Q(successor__urn=int(value))
        return queryset.filter(q)

    def still_holding(self, queryset, name, value):
        if value is None:
            return queryset
        holding = Q(held_children__gt=0) | Q(held_devices__gt=0)
        return queryset.filter(holding) if value else queryset.exclude(holding)
