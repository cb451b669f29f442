"""Support cards on the home page: open tickets, breaches and unassigned tickets, the
registered figures (``reports.definitions``) for the user's scope."""

from django.urls import reverse
from django.utils.html import format_html_join

from core.languages import language_markup
from reports import definitions

ROLES = ("support_agent", "council_officer", "cio", "school_staff", "admin")


def cards(user):
    if not (user.is_superuser or user.role in ROLES):
        return []
    facts = definitions.facts_for(user)
    url = reverse("support:queue" if user.is_superuser or user.role in ("support_agent", "admin") else "support:ticket_list")
    # Each language name isolated (<bdi>): "اردو: 1" beside a number otherwise reads "1 :اردو".
    hint = format_html_join(", ", "{}: {}", ((language_markup(code), n) for code, n in facts.tickets.open_by_language[:5]))
    return [
        definitions.card("open_tickets", facts, url, hint),
        definitions.card("sla_breaches", facts, f"{url}?breached=true"),
        definitions.card("unassigned_tickets", facts, f"{url}?assignment=unassigned"),
    ]
