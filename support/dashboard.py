"""Support cards on the home page: open tickets, breaches and unassigned tickets, the
registered figures (``reports.definitions``) for the user's scope.

Each card links to the ticket list filtered to the tickets it counts (``CARD_FILTERS``). The
figures count every ticket, safeguarding concerns included; the list shows those only to
designated safeguarding leads, so for everyone else it says how many it does not show (the
safeguarding figure named beside each card's figure), and card and list agree.
"""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.html import format_html_join

from core.languages import language_markup
from reports import definitions
from support.models import OPEN_STATUSES

ROLES = ("support_agent", "council_officer", "cio", "school_staff", "admin")

#: card figure -> (the list's query beside the open statuses, the safeguarding figure within it)
CARD_FILTERS = {
    "open_tickets": ({}, "open_safeguarding_concerns"),
    "sla_breaches": ({"breached": "true"}, "safeguarding_concerns_past_sla"),
    "unassigned_tickets": ({"assignment": "unassigned"}, "unassigned_safeguarding_concerns"),
}


def card_query(name):
    """The ticket list's query string for the card showing figure ``name``."""
    extra, _hidden = CARD_FILTERS[name]
    return urlencode([("status", str(s)) for s in OPEN_STATUSES] + list(extra.items()))


def hidden_safeguarding_figure(query):
    """The safeguarding figure behind a ticket list ``query`` (a QueryDict) that is exactly one
    card's filter, or ``None``. Only then may the list say how many concerns it does not show:
    the number is then the card's own figure minus the list's rows, which the person already
    sees; with any other filter (a search, a school) the count could tell them about a ticket
    they may not see."""
    given = {k: sorted(query.getlist(k)) for k in query if k not in ("sort", "page", "columns")}
    for extra, hidden in CARD_FILTERS.values():
        wanted = {"status": sorted(str(s) for s in OPEN_STATUSES), **{k: [v] for k, v in extra.items()}}
        if given == wanted:
            return hidden
    return None


def cards(user):
    if not (user.is_superuser or user.role in ROLES):
        return []
    facts = definitions.facts_for(user)
    url = reverse("support:queue" if user.is_superuser or user.role in ("support_agent", "admin") else "support:ticket_list")
    # Each language name isolated (<bdi>): "اردو: 1" beside a number otherwise reads "1 :اردو".
    hint = format_html_join(", ", "{}: {}", ((language_markup(code), n) for code, n in facts.tickets.open_by_language[:5]))
    return [
        definitions.card("open_tickets", facts, f"{url}?{card_query('open_tickets')}", hint),
        definitions.card("sla_breaches", facts, f"{url}?{card_query('sla_breaches')}"),
        definitions.card("unassigned_tickets", facts, f"{url}?{card_query('unassigned_tickets')}"),
    ]
