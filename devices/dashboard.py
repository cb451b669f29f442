"""Home-page cards for devices: the registered device figures (``reports.definitions``) for the
user's scope, and open alerts."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Card
from core.navigation_roles import DEVICE_ROLES
from devices.models import Alert
from devices.services import check_scheduled_jobs
from reports import definitions
from reports.figures import STATUS_BUCKETS

# (figure, status groups its list link filters on), in order.
CARDS = (
    ("devices_delivered", ()),
    ("devices_in_stock", ("in_stock",)),
    ("devices_with_children", ("allocated", "handed_over")),
    ("devices_in_repair", ("in_repair",)),
    ("devices_out_of_service", ("out_of_service",)),
)


def cards(user):
    if not (user.is_superuser or user.role in DEVICE_ROLES):
        return []
    facts = definitions.facts_for(user)
    device_list = reverse("devices:device_list")
    result = []
    for name, buckets in CARDS:
        query = "&".join(f"status={s}" for b in buckets for s in STATUS_BUCKETS[b])
        result.append(definitions.card(name, facts, f"{device_list}?{query}" if query else device_list))
    # Showing the home page also runs the overdue-jobs check, so a dead scheduler is noticed.
    statuses = check_scheduled_jobs()
    open_alerts = Alert.objects.visible_to(user).open().count()
    result.append(Card(_("Open alerts"), open_alerts, reverse("devices:alert_list") + "?state=open"))
    if user.is_superuser or user.role == "admin":
        overdue = sum(1 for s in statuses if s.overdue_since)
        result.append(Card(_("Scheduled jobs overdue"), overdue, reverse("core:scheduled_jobs"), _("Not run for 26 hours")))
    return result
