from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("transfers:transfer_list", _("Moves between councils"), ("council_officer", "cio"), order=38, section="children"),
]
