from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("allocations:child_list", _("Children"), ("council_officer", "school_staff", "cio", "support_agent"), order=30, section="children"),
    NavItem("allocations:allocation_list", _("Allocations"), ("council_officer", "school_staff", "cio"), order=35, section="children"),
]
