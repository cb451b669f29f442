from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("campaigns:campaign_list", _("Campaigns"), ("council_officer", "school_staff", "cio"), order=13, section="devices"),
]
