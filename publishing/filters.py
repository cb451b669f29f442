import django_filters
from django.utils.translation import gettext_lazy as _

from publishing.models import Publication


class PublicationFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Publication.Status.choices, label=_("Status"), empty_label=_("Any"))

    class Meta:
        model = Publication
        fields = ["status"]
