"""Filters for the outbox and the inbound list."""

import django_filters
from django.core.exceptions import ValidationError
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from messaging.models import Channel, InboundMessage, InboundOutcome, OutboundMessage, Status


class OutboundMessageFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Ticket reference, number or email address"))
    status = django_filters.ChoiceFilter(choices=Status.choices, label=_("Status"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    language = django_filters.ChoiceFilter(choices=settings.LANGUAGES, label=_("Language"))

    class Meta:
        model = OutboundMessage
        fields = ["q", "status", "channel", "language"]

    def search(self, queryset, name, value):
        from devices.validators import normalise_uk_phone

        value = value.strip()[:200]
        if not value:
            return queryset
        candidates = {value, value.upper()}
        try:
            candidates.add(normalise_uk_phone(value))
        except ValidationError:  # not a phone number: search the other ways
            pass
        return queryset.filter(recipient__in=candidates) | queryset.filter(ticket__reference=value.upper())


class InboundMessageFilterSet(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("Channel"))
    outcome = django_filters.ChoiceFilter(choices=InboundOutcome.choices, label=_("What happened"))

    class Meta:
        model = InboundMessage
        fields = ["channel", "outcome"]
