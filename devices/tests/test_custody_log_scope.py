"""Issue 15 #5: the custody log names a child only to viewers who may see that child.

A device cancelled at one school and allocated at another keeps both schools' events; the
second school's staff must not see the first child's reference (nor the free-text note of
that allocation, which may be a return reason), while an officer of the LA sees both.
"""
import pytest
from django.urls import reverse

from accounts.tests.factories import SchoolFactory, UserFactory
from allocations import services
from allocations.tests.factories import ChildFactory
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
    assert "A child at another school" in content
    content = client.get(reverse("allocations:allocation_detail", args=[allocation.pk])).content.decode()
    assert "CAM-FIRST" not in content


def test_officer_of_the_la_sees_both_children(client, users, moved_device):
    device, _allocation, _staff = moved_device
    client.force_login(users["council_officer"])
    content = client.get(reverse("devices:device_detail", args=[device.pk])).content.decode()
    assert "CAM-FIRST" in content and "CAM-SECOND" in content
    assert "A child at another school" not in content



def test_subject_access_report_leaves_out_the_other_child(moved_device):
    from allocations.data_protection import subject_access_data

    _device, allocation, _staff = moved_device
    events = subject_access_data(allocation.child)["device_events"]
    assert [(e["allocation"], e["event"]) for e in events] == [(allocation.pk, "allocated")]
