from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("publishing:publication_list", _("London Datastore"), ("london_lead",), order=62, section="reports"),
]
