"""Home-page cards: children waiting for a device, planned vs handed over, ownership transferred.

The registered figures (``reports.definitions``) for the user's scope; the London lead
(aggregates across London come from the reports app) gets no cards here.
"""

from django.urls import reverse

from allocations.models import AllocationStatus
from devices.models import Ownership
from reports import definitions


def cards(user):
    if not (user.is_superuser or user.role in ("council_officer", "school_staff", "cio", "admin")):
        return []
    facts = definitions.facts_for(user)
    children_url = reverse("allocations:child_list")
    allocations_url = reverse("allocations:allocation_list")
    handed_over = f"{allocations_url}?status={AllocationStatus.HANDED_OVER}"
    return [
        definitions.card("children_waiting", facts, f"{children_url}?needs=laptop&has_device=no"),
        definitions.card("allocations_planned", facts, f"{allocations_url}?status={AllocationStatus.PLANNED}"),
        definitions.card("allocations_handed_over_council_owned", facts, f"{handed_over}&ownership={Ownership.LA}"),
        # A link to the allocations it counts, like every other card (it used to be plain text
        # with the hint "Ownership transferred: Ownership transferred").
        definitions.card("devices_owned_by_families", facts, f"{handed_over}&ownership={Ownership.FAMILY}"),
    ]
