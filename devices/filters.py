"""Filter sets for the devices pages. Every choice list is limited to the user's scope.

The device search box is built to use indexes at two million rows: it recognises what was
typed (an ICCID, a mobile number, an IMEI, otherwise a serial or asset tag) and runs exact or
prefix lookups on indexed columns only, never ``icontains``.
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import LocalAuthority, School
from connectivity.models import DataPlan, NetworkOperator, Sim
from devices.models import Alert, DeliveryBatch, Device, DeviceKind, DeviceStatus, Licence
from devices.validators import clean_digits, normalise_uk_mobile


class SelectWidget(forms.Select):
    """A ``<select>`` built in Python: Django renders each option through a template, which
    adds up for an LA's schools on every list page. (The name matters: the shared GOV.UK
    field template picks its ``govuk-select`` class from the widget's class name.)"""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}" dir="auto"{}>{}</option>',
            (
                (option["value"], mark_safe(" selected") if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(widget["attrs"]), options)


def parse_month(value):
    """``2026-11`` as the first of that month, or ``None``."""
    try:
        start = datetime.datetime.strptime(value or "", "%Y-%m").date()
    except ValueError:
        return None
    return start if 2000 <= start.year <= 2100 else None


def validate_school_param(value):
    if value != "none" and not (value.isdigit() and len(value) < 19):
        raise ValidationError(_("Choose a school from the list."))


def validate_month_param(value):
    if value != "none" and parse_month(value) is None:
        raise ValidationError(_("Enter a month as YYYY-MM, for example 2026-11."))


def _user_of(request, user):
    return user if user is not None else getattr(request, "user", None)


class ProbeExists(Exists):
    """``EXISTS`` checked row by row through the subquery's index.

    Inside an ``OR``, PostgreSQL plans an ``EXISTS`` as a *hashed subplan*: it reads every
    matching licence or plan in the country before returning the first page (0.6 s at 300,000
    devices, growing with the table). ``OFFSET 0`` keeps the subquery a per-row index probe, so
    a page of 25 costs a few dozen probes (under 1 ms at the same scale).
    """

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="EXISTS(%(subquery)s OFFSET 0)", **extra_context)


def covered_condition(day):
    """A condition on ``Device`` rows: licence cover on ``day`` and, for routers and devices
    with a SIM, an active data plan on ``day``. Built from ``Exists`` subqueries (no joins)."""
    licence = ProbeExists(Licence.objects.filter(device=OuterRef("pk"), start__lte=day, end__gte=day))
    plan = ProbeExists(DataPlan.objects.filter(sim__device=OuterRef("pk"), start__lte=day, end__gte=day))
    has_sim = ProbeExists(Sim.objects.filter(device=OuterRef("pk")))
    return licence & (plan | (~Q(kind=DeviceKind.ROUTER) & ~has_sim))


def search_devices(queryset, value):
    """Devices matching one search box value (see the module docstring)."""
    value = (value or "").strip()
    if not value:
        return queryset
    digits = clean_digits(value)
    if digits.isdigit() and 19 <= len(digits) <= 20:
        return queryset.filter(sim__iccid=digits)
    if digits.lstrip("+").isdigit() and digits.lstrip("+").startswith(("07", "447")) and 10 <= len(digits.lstrip("+")) <= 12:
        try:
            return queryset.filter(sim__msisdn=normalise_uk_mobile(value))
        except ValidationError:
            pass
    upper = value.upper()
    condition = Q(serial__startswith=upper) | Q(asset_tag=value)
    if upper != value:
        condition |= Q(asset_tag=upper)
    if digits.isdigit() and len(digits) == 15:
        condition |= Q(imei=digits)
    return queryset.filter(condition)


class DeviceFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(
        method="search", label=_("Search"), help_text=_("Serial, IMEI, ICCID, mobile number or asset tag")
    )
    kind = django_filters.ChoiceFilter(choices=DeviceKind.choices, label=_("Kind"), empty_label=_("Any"), widget=SelectWidget)
    status = django_filters.MultipleChoiceFilter(
        choices=DeviceStatus.choices, label=_("Status"), widget=forms.CheckboxSelectMultiple,
        distinct=False,  # one row per device anyway; DISTINCT would defeat the index-ordered LIMIT
    )
    local_authority = django_filters.ModelChoiceFilter(
        queryset=LocalAuthority.objects.none(), label=_("Local authority"), empty_label=_("Any"), widget=SelectWidget
    )
    school = django_filters.ModelChoiceFilter(
        queryset=School.objects.none(), label=_("School"), empty_label=_("Any"), widget=SelectWidget
    )
    network = django_filters.ModelChoiceFilter(
        field_name="sim__network", queryset=NetworkOperator.objects.all(), label=_("Network"), empty_label=_("Any"),
        widget=SelectWidget,
    )
    coverage = django_filters.ChoiceFilter(
        method="filter_coverage",
        label=_("Cover today"),
        empty_label=_("Any"),
        choices=(("covered", _("Covered now")), ("uncovered", _("Not covered now"))),
        widget=SelectWidget,
    )
    batch = django_filters.NumberFilter(field_name="batch_id", widget=forms.HiddenInput, label=_("Delivery batch"))
    #: The devices one delivery import created (linked from the import's result page).
    import_job = django_filters.NumberFilter(field_name="batch__import_job_id", widget=forms.HiddenInput, label=_("Import"))

    class Meta:
        model = Device
        fields = ["q", "kind", "status", "local_authority", "school", "network", "coverage", "batch", "import_job"]

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = _user_of(request, user)
        self.filters["local_authority"].queryset = LocalAuthority.objects.visible_to(user)
        schools = School.objects.visible_to(user).only("pk", "name", "urn")
        la_id = (data or {}).get("local_authority", "")
        if str(la_id).isdigit():
            schools = schools.filter(local_authority_id=int(la_id))
        elif getattr(user, "sees_everything", False):
            # National scope: thousands of schools; ask for the URN rather than render them all.
            self.filters["school"].extra.update(to_field_name="urn", widget=forms.TextInput(attrs={"inputmode": "numeric"}))
            self.filters["school"].label = _("School URN")
        self.filters["school"].queryset = schools

    def search(self, queryset, name, value):
        return search_devices(queryset, value)

    def filter_coverage(self, queryset, name, value):
        condition = covered_condition(timezone.localdate())
        if value == "covered":
            return queryset.filter(condition)
        if value == "uncovered":
            return queryset.exclude(condition)
        return queryset


class DeliveryBatchFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Order reference or supplier"))
    local_authority = django_filters.ModelChoiceFilter(
        queryset=LocalAuthority.objects.none(), label=_("Local authority"), empty_label=_("Any"), widget=SelectWidget
    )
    delivered_after = django_filters.DateFilter(
        field_name="delivered_on", lookup_expr="gte", label=_("Delivered on or after"),
        input_formats=["%d/%m/%Y", "%Y-%m-%d"], help_text=_("For example, 27/03/2026"),
    )

    class Meta:
        model = DeliveryBatch
        fields = ["q", "local_authority", "delivered_after"]

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.filters["local_authority"].queryset = LocalAuthority.objects.visible_to(_user_of(request, user))

    def search(self, queryset, name, value):
        value = (value or "").strip()
        return queryset.filter(Q(order_reference__iexact=value) | Q(supplier__iexact=value)) if value else queryset


class AlertFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Alert.Kind.choices, label=_("Alert"), empty_label=_("Any"))
    state = django_filters.ChoiceFilter(
        method="filter_state",
        label=_("State"),
        empty_label=_("Any"),
        choices=(("open", _("Open")), ("acknowledged", _("Acknowledged"))),
    )
    local_authority = django_filters.ModelChoiceFilter(
        queryset=LocalAuthority.objects.none(), label=_("Local authority"), empty_label=_("Any"), widget=SelectWidget
    )
    show = django_filters.ChoiceFilter(
        method="filter_show",
        label=_("Show"),
        empty_label=None,
        choices=(("grouped", _("One line per condition")), ("each", _("One line per alert"))),
    )
    # A grouped line's "See all" link: its school and due month ("none" for neither).
    school = django_filters.CharFilter(method="filter_school", widget=forms.HiddenInput, validators=[validate_school_param])
    month = django_filters.CharFilter(method="filter_month", widget=forms.HiddenInput, validators=[validate_month_param])

    class Meta:
        model = Alert
        fields = ["kind", "state", "local_authority", "show", "school", "month"]

    def filter_show(self, queryset, name, value):
        return queryset  # read by the view: which table to show

    def filter_school(self, queryset, name, value):
        if value == "none":
            return queryset.filter(school__isnull=True)
        return queryset.filter(school_id=int(value))

    def filter_month(self, queryset, name, value):
        if value == "none":
            return queryset.filter(due__isnull=True)
        start = parse_month(value)
        end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return queryset.filter(due__gte=start, due__lt=end)

    def __init__(self, data=None, queryset=None, *, request=None, user=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.filters["local_authority"].queryset = LocalAuthority.objects.visible_to(_user_of(request, user))

    def filter_state(self, queryset, name, value):
        if value == "open":
            return queryset.filter(acknowledged_at__isnull=True)
        if value == "acknowledged":
            return queryset.filter(acknowledged_at__isnull=False)
        return queryset
