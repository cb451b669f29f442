"""Issue 15 #5: the custody log names a child only to viewers who may see that child.

A device cancelled at one school and allocated at another keeps both schools' events; the
second school's staff must not see the first child's reference (nor the free-text note of
that allocation, which may be a return reason), while an officer of the LA sees both.
"""
import datetime

import pytest
from django.utils import timezone
from django.urls import reverse

from accounts.tests.factories import SchoolFactory, UserFactory
from allocations import services
from allocations.tests.factories import ChildFactory, complete_readiness
from devices.models import DeviceEvent, DeviceStatus
from devices.tests.factories import DeviceFactory


@pytest.fixture
def moved_device(la, school, users):
    """Allocated to CAM-FIRST at ``school``, cancelled, then allocated to CAM-SECOND elsewhere."""
    second_school = SchoolFactory(local_authority=la)
    officer = users["council_officer"]
    first = ChildFactory(school=school, reference="CAM-FIRST")
    second = ChildFactory(school=second_school, reference="CAM-SECOND")
    device = DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK)
    services.cancel(allocation=services.allocate(child=first, device=device, by=officer), by=officer)
    device.refresh_from_db()
    allocation = services.allocate(child=second, device=device, by=officer)
    second_staff = UserFactory(role="school_staff", school=second_school, local_authority=la)
    return device, allocation, second_staff


def test_events_link_the_allocation_and_notes_carry_no_reference(moved_device):
    device, _allocation, _staff = moved_device
    events = list(DeviceEvent.objects.filter(device=device))
    assert all(e.allocation_id for e in events if e.kind in ("allocated", "stocked"))
    assert not any("CAM-" in e.note for e in events)


def test_second_school_does_not_see_first_child(client, moved_device):
    device, allocation, staff = moved_device
    client.force_login(staff)
    content = client.get(reverse("devices:device_detail", args=[device.pk])).content.decode()
    assert "CAM-SECOND" in content
    assert "CAM-FIRST" not in content
    # The entries of the first allocation tell the story without the child.
    assert "Allocated to a child at another school by " in content
    assert "Back in stock: the allocation to a child at another school was cancelled by " in content
    content = client.get(reverse("allocations:allocation_detail", args=[allocation.pk])).content.decode()
    assert "CAM-FIRST" not in content


def test_officer_of_the_la_sees_both_children(client, users, moved_device):
    device, _allocation, _staff = moved_device
    client.force_login(users["council_officer"])
    content = client.get(reverse("devices:device_detail", args=[device.pk])).content.decode()
    assert "CAM-FIRST" in content and "CAM-SECOND" in content
    assert "a child at another school" not in content



def test_subject_access_report_leaves_out_the_other_child(moved_device):
    from allocations.data_protection import subject_access_data

    _device, allocation, _staff = moved_device
    events = subject_access_data(allocation.child)["device_events"]
    assert [(e["allocation"], e["event"]) for e in events] == [(allocation.pk, "allocated")]


def test_the_custody_log_tells_the_device_story(client, la, school, users):
    """Each entry is a sentence of the device's story, with the people by name (issue 19)."""
    from devices.tests.factories import DeliveryBatchFactory

    officer = UserFactory(role="council_officer", local_authority=la, first_name="Sam", last_name="Officer")
    child = ChildFactory(school=school, first_name="Ana", last_name="Nowak", reference="CAM-0001")
    batch = DeliveryBatchFactory(local_authority=la, order_reference="B-12", delivered_on=datetime.date(2026, 2, 2))
    device = DeviceFactory(local_authority=la, status=DeviceStatus.DELIVERED, batch=batch, serial="DFC-LAP-0001")
    DeviceEvent.objects.create(device=device, kind=DeviceEvent.Kind.DELIVERED, to_status="delivered", at=timezone.now())
    from devices import services as device_services

    device_services.mark_in_stock(device=device, by=officer)
    allocation = services.allocate(child=child, device=device, by=officer, on=datetime.date(2026, 3, 1))
    services.hand_over(allocation=allocation, by=officer, on=datetime.date(2026, 3, 3), handed_over_by="Sam Officer", received_by="Mrs Nowak")
    allocation.refresh_from_db()
    services.return_device(allocation=allocation, by=officer, on=datetime.date(2026, 6, 1), reason="Left the school")
    client.force_login(officer)
    content = client.get(reverse("devices:device_detail", args=[device.pk])).content.decode()
    for sentence in (
        "Delivered to Camden in batch B-12",
        "Put in stock by Sam Officer",
        f"Allocated to Ana Nowak (CAM-0001) at {school.name} by Sam Officer",
        "Handed over to the family on 3 March 2026 by Sam Officer",
        "Returned: Left the school by Sam Officer",
    ):
        assert f'data-testid="event-sentence">{sentence}<' in content, sentence
    assert "Allocation " + str(allocation.pk) not in content
    assert str(allocation) == "Laptop DFC-LAP-0001 for Ana Nowak (CAM-0001)"
    page = client.get(reverse("allocations:allocation_detail", args=[allocation.pk])).content.decode()
    assert "Handed over to the family on 3 March 2026 by Sam Officer" in page
    # A second laptop, handed over for good.
    other = DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK, serial="DFC-LAP-0002")
    kept = services.allocate(child=child, device=other, by=officer, on=datetime.date(2026, 6, 2))
    services.hand_over(allocation=kept, by=officer, on=datetime.date(2026, 6, 3), handed_over_by="Sam Officer", received_by="Mrs Nowak")
    kept.refresh_from_db()
    complete_readiness(kept, officer)
    services.transfer_ownership(allocation=kept, by=officer, on=datetime.date(2026, 7, 1))
    content = client.get(reverse("devices:device_detail", args=[other.pk])).content.decode()
    assert 'data-testid="event-sentence">Ownership passed to the family by Sam Officer<' in content


def _sentences(client, device):
    import re

    html = client.get(reverse("devices:device_detail", args=[device.pk])).content.decode()
    from html import unescape

    return [unescape(found) for found in re.findall(r'data-testid="event-sentence">([^<]*)<', html)]


def test_the_custody_log_follows_whose_device_it_is(client, la, school):
    """A family's own device is never "put in stock"; a repair says where the device went back
    to; a lost device found again says so (issue 17)."""
    from devices import services as device_services

    officer = UserFactory(role="council_officer", local_authority=la, first_name="Sam", last_name="Officer")
    child = ChildFactory(school=school, first_name="Ana", last_name="Nowak", reference="CAM-0001")
    device = DeviceFactory(local_authority=la, status=DeviceStatus.DELIVERED, serial="DFC-LAP-0100")
    def at(month, day=1):
        return timezone.make_aware(datetime.datetime(2026, month, day, 12))

    device_services.mark_in_stock(device=device, by=officer, at=at(2))
    allocation = services.allocate(child=child, device=device, by=officer, on=datetime.date(2026, 3, 1))
    services.hand_over(allocation=allocation, by=officer, on=datetime.date(2026, 3, 3), handed_over_by="Sam Officer", received_by="Mrs Nowak")
    device_services.report_fault(device=device, by=officer, note="Screen flickers", at=at(4))
    device_services.send_for_repair(device=device, by=officer, at=at(4, 2))
    device_services.mark_repaired(device=device, by=officer, at=at(4, 20))
    allocation.refresh_from_db()
    complete_readiness(allocation, officer)
    services.transfer_ownership(allocation=allocation, by=officer, on=datetime.date(2026, 7, 1))
    device_services.report_fault(device=device, by=officer, note="Battery", at=at(8))
    device_services.send_for_repair(device=device, by=officer, at=at(8, 2))
    device_services.mark_repaired(device=device, by=officer, at=at(8, 20))
    device_services.mark_lost(device=device, by=officer, at=at(9))
    device_services.transition(device=device, to_status=DeviceStatus.IN_STOCK, by=officer, at=at(10))  # found, kept by the council
    client.force_login(officer)
    story = list(reversed(_sentences(client, device)))
    assert story[0] == "Put in stock by Sam Officer"  # the council's own device, before it was handed over
    assert "Repaired and back with the child's family by Sam Officer" in story
    assert story.index("Ownership passed to the family by Sam Officer") < story.index("Sent for repair on the family's behalf by Sam Officer")
    assert "Repaired and back with the family, who own it by Sam Officer" in story
    assert "Reported lost (the family's own device) by Sam Officer" in story
    assert story[-1] == "Found and put back in stock by Sam Officer"
    assert "Sent for repair by Sam Officer" in story  # before the transfer: the plain words
    assert not [s for s in story[story.index("Ownership passed to the family by Sam Officer"):] if s.startswith("Put in stock")]


def test_a_family_device_taken_into_stock_is_not_put_in_stock(client, la, school):
    from devices import services as device_services
    from devices.models import Ownership

    officer = UserFactory(role="council_officer", local_authority=la, first_name="Sam", last_name="Officer")
    device = DeviceFactory(local_authority=la, status=DeviceStatus.OWNERSHIP_TRANSFERRED, ownership=Ownership.FAMILY)
    device_services.report_fault(device=device, by=officer, note="Dead")
    device_services.transition(device=device, to_status=DeviceStatus.IN_STOCK, by=officer)
    other = DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK)
    device_services.report_fault(device=other, by=officer, note="Dead")
    device_services.mark_repaired(device=other, by=officer)
    client.force_login(officer)
    # A fault "resolved" into stock: the council took the family's device (kind "repaired").
    assert _sentences(client, device)[0] == "Fault resolved: back in stock by Sam Officer"
    device_services.transition(device=device, to_status=DeviceStatus.FAULT_REPORTED, by=officer)
    device_services.transition(device=device, to_status=DeviceStatus.WRITTEN_OFF, by=officer)
    assert _sentences(client, device)[0] == "Written off (the family's own device) by Sam Officer"
    assert _sentences(client, other)[0] == "Fault resolved: back in stock by Sam Officer"
