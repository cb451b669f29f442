from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("stocktakes:stocktake_list", _("Stocktakes"), ("council_officer", "cio", "school_staff"), order=12, section="devices"),
]
