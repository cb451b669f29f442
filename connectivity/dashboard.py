"""Home-page cards for connectivity: a network user's queue at a glance, and overdue requests
to the networks for those who raise them (the number is the rows of the request list's
"Overdue" filter, ``connectivity.overdue``)."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.dashboard import Card

#: Who sees the overdue card (admins too).
CARD_ROLES = ("council_officer", "school_staff")


def cards(user):
    if getattr(user, "role", "") == "network":
        return _network_cards(user)
    return _overdue_cards(user)


def _network_cards(user):
    """A network user's open requests by status (their network's only: ``visible_to``)."""
    from connectivity.models import NetworkRequest

    counts = dict(NetworkRequest.objects.visible_to(user).open().values_list("status").annotate(n=Count("pk")).order_by())
    url = reverse("connectivity:request_list")
    result = [Card(_("Open requests"), sum(counts.values()), url)]
    for status, label in NetworkRequest.Status.choices:
        if status in NetworkRequest.OPEN_STATUSES and status != NetworkRequest.Status.TO_CONFIRM:
            result.append(Card(str(label), counts.get(status, 0), f"{url}?status={status}"))
    return result


def _overdue_cards(user):
    from connectivity.models import NetworkRequest
    from connectivity.overdue import overdue, overdue_days

    if not (user.is_superuser or user.role in (*CARD_ROLES, "admin")):
        return []
    n = overdue(NetworkRequest.objects.visible_to(user)).count()
    days = overdue_days()
    hint = ngettext("No change for %(n)s working day", "No change for %(n)s working days", days) % {"n": days}
    return [Card(_("Network requests overdue"), n, reverse("connectivity:request_list") + "?overdue=yes", hint)]
