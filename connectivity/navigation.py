from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.navigation import NavItem
from core.navigation_roles import LA_ROLES

UPLOAD_ROLES = ("council_officer",)
RUNOUT_ROLES = ("council_officer", "cio", "support_agent", "school_staff")
EVIDENCE_ROLES = (*LA_ROLES, "london_lead")

ITEMS = [
    NavItem("connectivity:sim_list", gettext_lazy("SIMs"), ("council_officer", "cio", "support_agent"), order=20),
    NavItem("connectivity:runout", gettext_lazy("Data use"), ("council_officer", "cio", "support_agent", "school_staff"), order=22),
    NavItem("connectivity:request_list", gettext_lazy("Network requests"), ("council_officer", "cio", "school_staff", "network"), order=24),
    NavItem("connectivity:allowance_evidence", gettext_lazy("Data evidence"), ("london_lead",), order=62),
]


def data_pages(user):
    """Links between the data-and-cover pages (here and ``devices:cliff_edge``), limited to
    those the user's role may open."""
    role = "admin" if user.is_superuser else user.role
    pages = [
        ("connectivity:runout", _("Likely to run out of data"), RUNOUT_ROLES),
        ("connectivity:allowance_evidence", _("Allowance evidence"), EVIDENCE_ROLES),
        ("devices:cliff_edge", _("Three-year cover (cliff edge)"), EVIDENCE_ROLES),
        ("connectivity:usage_upload", _("Upload data usage"), UPLOAD_ROLES),
    ]
    return [(reverse(name), label) for name, label, roles in pages if role == "admin" or role in roles]

# --- network side: a network user's pages (they see nothing else)
ITEMS += [
    NavItem("connectivity:status_upload", gettext_lazy("Upload statuses"), ("network",), order=25),
]


# --- connection plans
# Not in the header (it is full at 1280 px): linked from the data-and-cover pages instead.
PLAN_PAGES = [
    ("connectivity:plan_gap_list", gettext_lazy("Children with no plan for their data"), ("council_officer", "cio", "school_staff", "support_agent")),
    ("connectivity:voucher_list", gettext_lazy("Data bank vouchers"), ("council_officer", "cio")),
]
_data_pages_before_plans = data_pages


def data_pages(user):  # noqa: F811 (extends the function above)
    role = "admin" if user.is_superuser else user.role
    mine = [(reverse(name), str(label)) for name, label, roles in PLAN_PAGES if role == "admin" or role in roles]
    return _data_pages_before_plans(user) + mine


# --- idle SIMs and check-ins
ITEMS += [
    NavItem("connectivity:checkin_follow_up", gettext_lazy("Check-ins"), ("council_officer", "school_staff"), order=26),
]
