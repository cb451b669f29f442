"""Support cards on the home page: backlog, breaches, unassigned, and open tickets by language."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.translation import gettext as _

from core.dashboard import Card
from core.languages import language_markup
from support.models import Ticket, breach_q

ROLES = ("support_agent", "council_officer", "cio", "school_staff", "admin")


def cards(user):
    if not (user.is_superuser or user.role in ROLES):
        return []
    open_tickets = Ticket.objects.visible_to(user).open()
    totals = open_tickets.aggregate(
        backlog=Count("pk"),
        breached=Count("pk", filter=breach_q(timezone.now())),
        unassigned=Count("pk", filter=Q(assignee__isnull=True)),
    )
    url = reverse("support:queue" if user.is_superuser or user.role in ("support_agent", "admin") else "support:ticket_list")
    by_language = open_tickets.values("language").annotate(n=Count("pk")).order_by("-n", "language")[:5]
    # Each language name isolated (<bdi>): "اردو: 1" beside a number otherwise reads "1 :اردو".
    hint = format_html_join(", ", "{}: {}", ((language_markup(row["language"]), row["n"]) for row in by_language))
    return [
        Card(_("Open support tickets"), totals["backlog"], url, hint),
        Card(_("Tickets past their SLA"), totals["breached"], f"{url}?breached=true"),
        Card(_("Unassigned tickets"), totals["unassigned"], f"{url}?assignment=unassigned"),
    ]
