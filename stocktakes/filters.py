"""Filters for the stocktake pages; every choice list is limited to the user's scope."""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.models import School
from devices.filters import SelectWidget
from stocktakes.models import Stocktake


def _user_of(request, user):
    return user if user is not None else getattr(request, "user", None)


class StocktakeFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Stocktake.Status.choices, label=_("Status"), empty_label=_("Any"), widget=SelectWidget)
    school = django_filters.ModelChoiceFilter(queryset=School.objects.none(), label=_("School"), empty_label=_("Any"), widget=SelectWidget)

    class Meta:
        model = Stocktake
        fields = ["status", "school"]

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.filters["school"].queryset = School.objects.visible_to(_user_of(request, user)).only("pk", "name", "urn")


class OverdueSchoolFilterSet(django_filters.FilterSet):
    never = django_filters.ChoiceFilter(
        method="filter_never",
        label=_("Last stocktake"),
        empty_label=_("Any"),
        choices=(("never", _("Never had one")), ("old", _("Too long ago"))),
        widget=SelectWidget,
    )

    class Meta:
        model = School
        fields = ["never"]

    def filter_never(self, queryset, name, value):
        if value == "never":
            return queryset.filter(last_stocktake__isnull=True)
        if value == "old":
            return queryset.filter(last_stocktake__isnull=False)
        return queryset
