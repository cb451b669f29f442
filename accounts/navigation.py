from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("home", _("Home"), ("council_officer", "school_staff", "support_agent", "cio", "london_lead"), order=0),
    NavItem("accounts:school_list", _("Schools"), ("council_officer", "cio", "support_agent"), order=80, section="schools"),
    NavItem("accounts:la_list", _("Local authorities"), ("london_lead",), order=85, section="reports"),
    NavItem("accounts:successor_list", _("Closed schools"), ("council_officer",), order=82, section="schools"),
    NavItem("accounts:gias_import", _("GIAS register"), (), order=83, section="schools"),
]

# Everyone's own two-step sign-in page (school staff turn it on there, others make new recovery
# codes); administrators also reset it for others.
ITEMS += [
    NavItem(
        "accounts:two_factor",
        _("Two-step sign-in"),
        ("council_officer", "school_staff", "support_agent", "cio", "london_lead"),
        order=95,
        section="settings",
    ),
    NavItem("accounts:two_factor_users", _("Two-step sign-in for users"), (), order=96, section="settings"),
]
