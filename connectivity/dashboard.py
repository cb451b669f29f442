"""Home-page cards for connectivity."""

# --- network side: a network user's queue at a glance
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Card


def cards(user):
    """A network user's open requests by status (their network's only: ``visible_to``)."""
    if getattr(user, "role", "") != "network":
        return []
    from connectivity.models import NetworkRequest

    counts = dict(NetworkRequest.objects.visible_to(user).open().values_list("status").annotate(n=Count("pk")).order_by())
    url = reverse("connectivity:request_list")
    result = [Card(_("Open requests"), sum(counts.values()), url)]
    for status, label in NetworkRequest.Status.choices:
        if status in NetworkRequest.OPEN_STATUSES and status != NetworkRequest.Status.TO_CONFIRM:
            result.append(Card(str(label), counts.get(status, 0), f"{url}?status={status}"))
    return result
