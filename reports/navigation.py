from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("reports:dashboard", _("Dashboard"), ("cio", "council_officer"), order=60, section="reports"),
    NavItem("reports:london", _("London view"), ("london_lead",), order=61, section="reports"),
    NavItem("reports:need_estimate_list", _("Need estimates"), ("cio", "council_officer", "school_staff"), order=65, section="reports"),
    NavItem("reports:token_list", _("API tokens"), ("council_officer",), order=97, section="settings"),
]
