from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("support:queue", _("Queue"), ("support_agent",), 60, section="support"),
    NavItem("support:my_tickets", _("My tickets"), ("support_agent",), 61, section="support"),
    NavItem("support:ticket_list", _("Tickets"), ("school_staff", "council_officer", "cio"), 60, section="support"),
]
