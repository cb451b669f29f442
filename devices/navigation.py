from django.utils.translation import gettext_lazy as _

from core.navigation import NavItem

ITEMS = [
    NavItem("devices:device_list", _("Devices"), ("council_officer", "cio", "support_agent", "school_staff"), order=10, section="devices"),
    NavItem("devices:alert_list", _("Alerts"), ("council_officer", "cio", "school_staff"), order=15),
    NavItem("devices:batch_list", _("Deliveries"), ("council_officer", "cio"), order=11, section="devices"),
]
