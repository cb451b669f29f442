"""A ticket about a child who belongs to the council directly (no school): no school on the
ticket, the council from the child, and school staff do not see it (issue 18)."""

from django.urls import reverse
from django.utils import timezone

from allocations import services as allocation_services
from allocations.tests.factories import ChildFactory
from devices.models import DeviceStatus
from devices.tests.factories import DeviceFactory
from support import services
from support.models import Ticket


def test_a_ticket_from_the_device_of_a_care_leaver(client, users, la):
    officer = users["council_officer"]
    child = ChildFactory(school=None, local_authority=la, reference="CL-1", preferred_language="so")
    device = DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK, serial="LT-CL-9")
    allocation = allocation_services.allocate(child=child, device=device, by=officer)
    allocation_services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="", received_by="Jordan", by=officer)
    client.force_login(officer)
    response = client.post(reverse("support:ticket_create"), {
        "serial": "LT-CL-9", "category": "hardware", "priority": "normal", "description": "The screen is cracked.", "language": "so",
    })
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.child, ticket.school, ticket.local_authority) == (child, None, la)
    page = client.get(response["Location"])
    assert page.status_code == 200 and "CL-1" in page.content.decode()
    # The school's staff see neither the ticket nor the child.
    assert not Ticket.objects.visible_to(users["school_staff"]).exists()


def test_a_ticket_about_a_child_with_no_school_takes_the_council_from_the_child(users, la):
    child = ChildFactory(school=None, local_authority=la)
    ticket, _token = services.create_ticket(
        category="other", description="Cannot log in", source="staff", requester_user=users["council_officer"], child=child,
    )
    assert (ticket.school, ticket.local_authority, ticket.language) == (None, la, "en")
