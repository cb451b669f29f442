from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Card
from reports import figures


def cards(user):
    """The LA's laptop and connectivity shortfall for CIOs and officers (two aggregate queries)."""
    if user.role not in ("cio", "council_officer") or not user.local_authority_id:
        return []
    rows = figures.la_shortfall([user.local_authority_id])
    if not rows:
        return []
    s = rows[0]
    url = reverse("reports:dashboard")
    return [
        Card(_("Laptop shortfall"), s.laptop_shortfall, url, _("Need (named and estimated) minus devices in service")),
        Card(_("Connectivity shortfall"), s.connectivity_shortfall, url, _("Children with a device but no active data plan")),
    ]
