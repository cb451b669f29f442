from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("messaging:failed", _("Not arrived"), ("support_agent",), 62),
    NavItem("messaging:outbox", _("Outbox"), ("admin",), 90),
]
