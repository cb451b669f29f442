"""Home-page cards for devices: two aggregate queries within the user's scope."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.dashboard import Card
from core.navigation_roles import DEVICE_ROLES
from devices.models import Alert, Device, DeviceStatus
from devices.services import check_scheduled_jobs

# Status groups shown as cards, in order: (label, statuses).
GROUPS = (
    (gettext_lazy("Devices in stock"), (DeviceStatus.DELIVERED, DeviceStatus.IN_STOCK, DeviceStatus.RETURNED)),
    (gettext_lazy("Devices with children"), (DeviceStatus.ALLOCATED, DeviceStatus.HANDED_OVER, DeviceStatus.OWNERSHIP_TRANSFERRED)),
    (gettext_lazy("Devices with a fault or in repair"), (DeviceStatus.FAULT_REPORTED, DeviceStatus.IN_REPAIR)),
    (gettext_lazy("Devices lost or stolen"), (DeviceStatus.LOST, DeviceStatus.STOLEN)),
)


def cards(user):
    if not (user.is_superuser or user.role in DEVICE_ROLES):
        return []
    counts = dict(Device.objects.visible_to(user).order_by().values_list("status").annotate(n=Count("id")))
    device_list = reverse("devices:device_list")
    result = [Card(_("Devices"), sum(counts.values()), device_list)]
    for label, statuses in GROUPS:
        query = "&".join(f"status={s}" for s in statuses)
        result.append(Card(str(label), sum(counts.get(s, 0) for s in statuses), f"{device_list}?{query}"))
    # Showing the home page also runs the overdue-jobs check, so a dead scheduler is noticed.
    statuses = check_scheduled_jobs()
    open_alerts = Alert.objects.visible_to(user).open().count()
    result.append(Card(_("Open alerts"), open_alerts, reverse("devices:alert_list") + "?state=open"))
    if user.is_superuser or user.role == "admin":
        overdue = sum(1 for s in statuses if s.overdue_since)
        result.append(Card(_("Scheduled jobs overdue"), overdue, reverse("core:scheduled_jobs"), _("Not run for 26 hours")))
    return result
