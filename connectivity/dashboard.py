"""Home-page card for connectivity: overdue requests to the networks, for those who raise them.
The number is the rows of the request list's "Overdue" filter (``connectivity.overdue``)."""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from connectivity.models import NetworkRequest
from connectivity.overdue import overdue, overdue_days

CARD_ROLES = ("council_officer", "school_staff")


def cards(user):
    from core.dashboard import Card

    if not (user.is_superuser or user.role in (*CARD_ROLES, "admin")):
        return []
    n = overdue(NetworkRequest.objects.visible_to(user)).count()
    days = overdue_days()
    hint = ngettext("No change for %(n)s working day", "No change for %(n)s working days", days) % {"n": days}
    return [Card(_("Network requests overdue"), n, reverse("connectivity:request_list") + "?overdue=yes", hint)]
