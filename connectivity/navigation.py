from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem
from core.navigation_roles import LA_ROLES

UPLOAD_ROLES = ("council_officer",)
RUNOUT_ROLES = ("council_officer", "cio", "support_agent", "school_staff")
EVIDENCE_ROLES = (*LA_ROLES, "london_lead")

ITEMS = [
    NavItem("connectivity:sim_list", _("SIMs"), ("council_officer", "cio", "support_agent"), order=20, section="connectivity"),
    NavItem("connectivity:runout", _("Data use"), ("council_officer", "cio", "support_agent", "school_staff"), order=22, section="connectivity"),
    NavItem("connectivity:request_list", _("Network requests"), ("council_officer", "cio", "school_staff", "network"), order=24, section="connectivity"),
    # A network user's own page (they see nothing else but the request list).
    NavItem("connectivity:status_upload", _("Upload statuses"), ("network",), order=25, section="connectivity"),
    NavItem("connectivity:checkin_follow_up", _("Check-ins"), ("council_officer", "school_staff"), order=26, section="connectivity"),
    NavItem("connectivity:allowance_evidence", _("Data evidence"), ("london_lead",), order=62, section="reports"),
]

#: The data-and-cover pages, linked from each other (here and ``devices:cliff_edge``). The
#: connection-plan pages are here rather than in the header, which is full at 1280 px.
DATA_PAGES = [
    ("connectivity:runout", _("Likely to run out of data"), RUNOUT_ROLES),
    ("connectivity:allowance_evidence", _("Allowance evidence"), EVIDENCE_ROLES),
    ("devices:cliff_edge", _("Three-year cover (cliff edge)"), EVIDENCE_ROLES),
    ("connectivity:usage_upload", _("Upload data usage"), UPLOAD_ROLES),
    ("connectivity:plan_gap_list", _("Children with no plan for their data"), ("council_officer", "cio", "school_staff", "support_agent")),
    ("connectivity:voucher_list", _("Data bank vouchers"), ("council_officer", "cio")),
]


def data_pages(user):
    """The data-and-cover pages the user's role may open, as (url, label)."""
    role = "admin" if user.is_superuser else user.role
    return [(reverse(name), str(label)) for name, label, roles in DATA_PAGES if role == "admin" or role in roles]
