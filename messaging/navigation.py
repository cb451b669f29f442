from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("messaging:failed", _("Not arrived"), ("support_agent",), 63, section="support"),
    NavItem("messaging:outbox", _("Outbox"), ("admin",), 64, section="support"),
]
