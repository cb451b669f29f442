"""Filters for the transfers list: direction (to or from the viewer's council) and status."""

import django_filters
from django.utils.translation import gettext_lazy as _

from devices.filters import SelectWidget
from transfers.models import ChildTransfer, TransferStatus


def _user_of(request, user):
    return user if user is not None else getattr(request, "user", None)


class ChildTransferFilterSet(django_filters.FilterSet):
    direction = django_filters.ChoiceFilter(
        method="filter_direction", label=_("Direction"), empty_label=_("Any"), widget=SelectWidget,
        choices=(("in", _("Coming to my council")), ("out", _("Leaving my council"))),
    )
    status = django_filters.ChoiceFilter(choices=TransferStatus.choices, label=_("Status"), empty_label=_("Any"), widget=SelectWidget)

    class Meta:
        model = ChildTransfer
        fields = ["direction", "status"]

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.user = _user_of(request, user)

    def filter_direction(self, queryset, name, value):
        la = getattr(self.user, "local_authority_id", None)
        if not la:
            return queryset
        if value == "in":
            return queryset.incoming_to(la)
        if value == "out":
            return queryset.outgoing_from(la)
        return queryset
