"""Filters for the connectivity pages and API (django-filter)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
import django_filters

from accounts.models import LocalAuthority, School
from allocations.models import Child, YearGroup
from connectivity.models import CheckIn, DataVoucher, NetworkOperator, NetworkRequest, Sim
from devices.filters import _user_of, SelectWidget
from devices.validators import clean_digits, normalise_uk_mobile


class SimFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), help_text=_("ICCID or mobile number"))
    network = django_filters.ModelChoiceFilter(queryset=NetworkOperator.objects.all(), label=_("Network"), empty_label=_("Any"))
    status = django_filters.ChoiceFilter(choices=Sim.Status.choices, label=_("Status"), empty_label=_("Any"))
    local_authority = django_filters.ModelChoiceFilter(
        queryset=LocalAuthority.objects.none(), label=_("Local authority"), empty_label=_("Any"), widget=SelectWidget
    )

    class Meta:
        model = Sim
        fields = ["q", "network", "status", "local_authority"]

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.filters["local_authority"].queryset = LocalAuthority.objects.visible_to(_user_of(request, user))

    def search(self, queryset, name, value):
        value = (value or "").strip()
        digits = clean_digits(value)
        if not value:
            return queryset
        if digits.isdigit() and len(digits) >= 19:
            return queryset.filter(iccid=digits)
        try:
            return queryset.filter(msisdn=normalise_uk_mobile(value))
        except ValidationError:
            return queryset.filter(iccid__startswith=digits) if digits.isdigit() else queryset.none()


class NetworkRequestFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"), help_text=_("Reference (NR-000123), ICCID or mobile number"))
    kind = django_filters.ChoiceFilter(choices=NetworkRequest.Kind.choices, label=_("Request"), empty_label=_("Any"))
    status = django_filters.ChoiceFilter(choices=NetworkRequest.Status.choices, label=_("Status"), empty_label=_("Any"))
    network = django_filters.ModelChoiceFilter(queryset=NetworkOperator.objects.all(), label=_("Network"), empty_label=_("Any"))

    class Meta:
        model = NetworkRequest
        fields = ["q", "kind", "status", "network"]

    def search(self, queryset, name, value):
        value = (value or "").strip()
        if not value:
            return queryset
        upper = value.upper()
        if upper.startswith("NR-") and upper[3:].isdigit():
            return queryset.filter(pk=int(upper[3:]))
        digits = clean_digits(value)
        if digits.isdigit() and len(digits) >= 19:
            return queryset.filter(sim__iccid=digits)
        try:
            return queryset.filter(msisdn=normalise_uk_mobile(value))
        except ValidationError:
            return queryset.none()


# --- connection plans


class ChildWithoutPlanFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search by reference or name"))
    school = django_filters.ModelChoiceFilter(queryset=School.objects.none(), label=_("School"), empty_label=_("Any"), widget=SelectWidget)
    year_group = django_filters.ChoiceFilter(choices=YearGroup.choices, label=_("Year group"), empty_label=_("Any"))

    class Meta:
        model = Child
        fields = ["q", "school", "year_group"]

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.filters["school"].queryset = School.objects.visible_to(_user_of(request, user)).order_by("name")

    def search(self, queryset, name, value):
        from django.db.models import Q

        value = (value or "").strip()
        if not value:
            return queryset
        q = Q(reference__iexact=value)
        for word in value.split()[:5]:
            q |= Q(first_name__icontains=word) | Q(last_name__icontains=word)
        return queryset.filter(q)


class DataVoucherFilterSet(django_filters.FilterSet):
    STOCK = (("in_stock", _("In stock")), ("given", _("Given out")))
    q = django_filters.CharFilter(field_name="code", lookup_expr="iexact", label=_("Voucher code"))
    stock = django_filters.ChoiceFilter(choices=STOCK, method="filter_stock", label=_("Stock"), empty_label=_("Any"))
    kind = django_filters.ChoiceFilter(choices=DataVoucher.Kind.choices, label=_("Kind"), empty_label=_("Any"))

    class Meta:
        model = DataVoucher
        fields = ["q", "stock", "kind"]

    def filter_stock(self, queryset, name, value):
        if value == "in_stock":
            return queryset.filter(given_to__isnull=True)
        if value == "given":
            return queryset.filter(given_to__isnull=False)
        return queryset


# --- idle SIMs and check-ins


class CheckInFilterSet(django_filters.FilterSet):
    answered = django_filters.ChoiceFilter(
        method="filter_answered", label=_("Answered"), empty_label=_("Any"),
        choices=(("yes", _("Answered")), ("no", _("Not answered"))),
    )
    answer = django_filters.ChoiceFilter(choices=CheckIn.Answer.choices, label=_("Answer"), empty_label=_("Any"))
    reason = django_filters.ChoiceFilter(choices=CheckIn.Reason.choices, label=_("Why"), empty_label=_("Any"))

    class Meta:
        model = CheckIn
        fields = ["answered", "answer", "reason"]

    def filter_answered(self, queryset, name, value):
        if value == "yes":
            return queryset.filter(answered_at__isnull=False)
        if value == "no":
            return queryset.filter(answered_at__isnull=True)
        return queryset


# --- requests: the council's and school's side: the "Overdue" filter (connectivity.overdue)

def _filter_overdue(queryset, name, value):
    from connectivity.overdue import overdue

    return overdue(queryset) if value == "yes" else queryset


NetworkRequestFilterSet.base_filters["overdue"] = django_filters.ChoiceFilter(
    choices=[("yes", _("Overdue only"))], label=_("Overdue"), empty_label=_("Any"), method=_filter_overdue,
    help_text=_("Open, with no change for several working days"),
)
