"""Guide list filters: problem, device kind, published, a language missing."""

import django_filters
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from devices.models import DeviceKind
from guides.models import Guide, Problem


class GuideFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Title or short name"))
    problem = django_filters.ChoiceFilter(choices=Problem.choices, label=_("Problem"))
    device_kind = django_filters.ChoiceFilter(choices=DeviceKind.choices, label=_("Device kind"))
    is_published = django_filters.BooleanFilter(label=_("Published"))
    missing = django_filters.ChoiceFilter(choices=settings.LANGUAGES, method="filter_missing", label=_("No text in"))

    class Meta:
        model = Guide
        fields = ("q", "problem", "device_kind", "is_published", "missing")

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(slug__icontains=value) | Q(texts__title__icontains=value)).distinct()

    def filter_missing(self, queryset, name, value):
        return queryset.exclude(texts__language=value)
