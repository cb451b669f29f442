"""Queue filters: status, priority, language, school, category, SLA breach, mine."""

import django_filters
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import School
from support.models import Category, Priority, Status, Ticket, breach_q


class TicketFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Reference or serial number"))
    status = django_filters.MultipleChoiceFilter(
        choices=Status.choices, label=_("Status"), widget=django_filters.widgets.forms.CheckboxSelectMultiple
    )
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("Priority"))
    language = django_filters.ChoiceFilter(choices=settings.LANGUAGES, label=_("Language"))
    category = django_filters.ChoiceFilter(choices=Category.choices, label=_("Category"))
    school = django_filters.ModelChoiceFilter(queryset=School.objects.none(), label=_("School"))
    breached = django_filters.BooleanFilter(method="filter_breached", label=_("SLA breached"))
    assignment = django_filters.ChoiceFilter(
        method="filter_assignment",
        label=_("Assigned"),
        choices=[("mine", _("Assigned to me")), ("unassigned", _("Unassigned"))],
    )

    class Meta:
        model = Ticket
        fields = ["q", "status", "priority", "language", "category", "school", "breached", "assignment"]

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self.filters["school"].queryset = School.objects.visible_to(request.user)

    def search(self, queryset, name, value):
        value = value.strip().upper()
        return queryset.filter(reference=value) | queryset.filter(device__serial=value)

    def filter_breached(self, queryset, name, value):
        q = breach_q(timezone.now())
        return queryset.filter(q) if value else queryset.exclude(q)

    def filter_assignment(self, queryset, name, value):
        if value == "mine" and self.request is not None:
            return queryset.filter(assignee=self.request.user)
        if value == "unassigned":
            return queryset.filter(assignee__isnull=True)
        return queryset
