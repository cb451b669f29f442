import django_filters
from django.utils.translation import gettext_lazy as _

from accounts.models import School
from devices.models import DeviceKind
from reports.models import ApiToken, NeedEstimate


class NeedEstimateFilterSet(django_filters.FilterSet):
    school = django_filters.ModelChoiceFilter(queryset=School.objects.none(), label=_("School"), empty_label=_("Any"))
    kind = django_filters.ChoiceFilter(choices=DeviceKind.choices, label=_("Device kind"), empty_label=_("Any"))

    class Meta:
        model = NeedEstimate
        fields = ["school", "kind"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["school"].queryset = School.objects.visible_to(request.user)


class ApiTokenFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ApiToken.Kind.choices, label=_("Kind"), empty_label=_("Any"))
    revoked = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", exclude=True, label=_("Revoked"))

    class Meta:
        model = ApiToken
        fields = ["kind", "revoked"]
