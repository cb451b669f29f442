from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("guides:guide_list", _("Guides"), ("support_agent",), 62, section="support"),
]
