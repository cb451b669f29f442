"""Header link to the import pages, for council officers (to be collected by core.navigation)."""

from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("core:import_list", _("Imports"), ("council_officer",), order=70),
]
