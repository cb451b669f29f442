"""Home-page cards: children waiting for a device, planned vs handed over, ownership transferred.

Two aggregate queries over ``visible_to(user)``; the London lead (aggregates across London
come from the reports app) gets no cards here because children are not visible to them.
"""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from allocations.models import Allocation, AllocationStatus, Child
from core.dashboard import Card
from devices.models import Ownership


def cards(user):
    if not (user.is_superuser or user.role in ("council_officer", "school_staff", "cio", "admin")):
        return []
    waiting = Child.objects.visible_to(user).needing_device().count()
    counts = Allocation.objects.visible_to(user).aggregate(
        planned=Count("pk", filter=Q(status=AllocationStatus.PLANNED)),
        handed_over=Count("pk", filter=Q(status=AllocationStatus.HANDED_OVER) & ~Q(device__ownership=Ownership.FAMILY)),
        transferred=Count("pk", filter=Q(status=AllocationStatus.HANDED_OVER, device__ownership=Ownership.FAMILY)),
    )
    children_url = reverse("allocations:child_list")
    allocations_url = reverse("allocations:allocation_list")
    handed_over = f"{allocations_url}?status={AllocationStatus.HANDED_OVER}"
    return [
        Card(_("Children waiting for a device"), waiting, f"{children_url}?needs=laptop&has_device=no"),
        Card(_("Devices planned, not yet handed over"), counts["planned"], f"{allocations_url}?status={AllocationStatus.PLANNED}"),
        Card(_("Devices handed over, still owned by the council"), counts["handed_over"], f"{handed_over}&ownership={Ownership.LA}"),
        # A link to the allocations it counts, like every other card (it used to be plain text
        # with the hint "Ownership transferred: Ownership transferred").
        Card(_("Devices now owned by families"), counts["transferred"], f"{handed_over}&ownership={Ownership.FAMILY}"),
    ]
