"""Filters for the campaign pages and API (django-filter)."""

import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.models import School
from campaigns.models import Campaign, CampaignDevice, ItemStatus
from devices.filters import _user_of, SelectWidget


class CampaignFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Campaign.Status.choices, label=_("Status"), empty_label=_("Any"))
    kind = django_filters.ChoiceFilter(choices=Campaign.Kind.choices, label=_("Kind"), empty_label=_("Any"))

    class Meta:
        model = Campaign
        fields = ["status", "kind"]


class CampaignDeviceFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ItemStatus.choices, label=_("Status"), empty_label=_("Any"))
    school = django_filters.ModelChoiceFilter(field_name="device__school", queryset=School.objects.none(), label=_("School"),
                                              empty_label=_("Any"), widget=SelectWidget)

    class Meta:
        model = CampaignDevice
        fields = ["status", "school"]

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.filters["school"].queryset = School.objects.visible_to(_user_of(request, user)).order_by("name")


class CampaignDeviceApiFilterSet(CampaignDeviceFilterSet):
    """The API's: the page's filters and the campaign (the page has it in its URL)."""

    campaign = django_filters.NumberFilter(field_name="campaign_id", label=_("Campaign"))

    class Meta(CampaignDeviceFilterSet.Meta):
        fields = ["status", "school", "campaign"]
