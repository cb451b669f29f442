import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from allocations import services
from allocations.models import Allocation, AllocationStatus
from allocations.services import AllocationError
from allocations.tests.factories import AllocationFactory, ChildFactory, complete_readiness
from devices.models import DeviceEvent, DeviceStatus, Ownership
from devices.tests.factories import DeviceFactory


@pytest.fixture
def child(school):
    return ChildFactory(school=school)


@pytest.fixture
def device(la):
    return DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK)


def kinds(device):
    return list(DeviceEvent.objects.filter(device=device).order_by("at", "pk").values_list("kind", flat=True))


def test_allocate_moves_device_and_logs_custody(child, device, officer):
    allocation = services.allocate(child=child, device=device, by=officer)
    device.refresh_from_db()
    assert allocation.status == AllocationStatus.PLANNED
    assert allocation.planned_on == timezone.localdate()
    assert allocation.created_by == officer
    assert device.status == DeviceStatus.ALLOCATED
    assert device.school == child.school
    event = DeviceEvent.objects.get(device=device)
    assert (event.kind, event.actor, event.from_status, event.to_status) == ("allocated", officer, "in_stock", "allocated")


def test_allocate_refuses_device_of_another_la(child, other_la, officer):
    foreign = DeviceFactory(local_authority=other_la, status=DeviceStatus.IN_STOCK)
    with pytest.raises(AllocationError, match="another local authority"):
        services.allocate(child=child, device=foreign, by=officer)
    assert not Allocation.objects.exists()
    assert not DeviceEvent.objects.exists()


def test_constraint_race_becomes_clear_error(child, device, officer, school):
    # Another writer (an import, a second officer) got there first without going through the
    # service: the database constraint catches it and the service reports it plainly.
    Allocation.objects.create(child=ChildFactory(school=school), device=device, status=AllocationStatus.PLANNED)
    with pytest.raises(AllocationError, match="already allocated to another child") as info:
        services.allocate(child=child, device=device, by=officer)
    assert info.value.code == "already_allocated"
    assert Allocation.objects.filter(device=device).count() == 1
    assert not DeviceEvent.objects.exists()


def test_lifecycle_refusal_is_domain_error(child, la, officer):
    lost = DeviceFactory(local_authority=la, status=DeviceStatus.LOST)
    with pytest.raises(AllocationError, match=lost.serial):
        services.allocate(child=child, device=lost, by=officer)
    assert not Allocation.objects.exists()


def test_hand_over_starts_horizon(child, device, officer):
    day = timezone.localdate() - datetime.timedelta(days=3)
    allocation = services.allocate(child=child, device=device, by=officer, on=day - datetime.timedelta(days=7))
    services.hand_over(allocation=allocation, on=day, handed_over_by="", received_by="A. Parent", by=officer)
    allocation.refresh_from_db()
    device.refresh_from_db()
    assert allocation.status == AllocationStatus.HANDED_OVER
    assert allocation.handed_over_on == day
    assert allocation.handed_over_by == officer.get_full_name() or officer.username
    assert allocation.received_by == "A. Parent"
    assert device.status == DeviceStatus.HANDED_OVER
    assert device.handed_over_on == day
    event = DeviceEvent.objects.get(device=device, kind="handed_over")
    assert timezone.localdate(event.at) == day


def test_hand_over_refuses_twice_and_future(child, device, officer):
    allocation = services.allocate(child=child, device=device, by=officer)
    with pytest.raises(AllocationError, match="today or in the past"):
        services.hand_over(allocation=allocation, on=timezone.localdate() + datetime.timedelta(days=1), handed_over_by="x", received_by="y", by=officer)
    services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="x", received_by="y", by=officer)
    with pytest.raises(AllocationError, match="Only a planned allocation"):
        services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="x", received_by="y", by=officer)


def test_cancel_returns_device_to_stock_and_frees_it(child, device, officer, school):
    allocation = services.allocate(child=child, device=device, by=officer)
    services.cancel(allocation=allocation, by=officer)
    allocation.refresh_from_db()
    device.refresh_from_db()
    assert allocation.status == AllocationStatus.CANCELLED
    assert allocation.ended_on == timezone.localdate()
    assert device.status == DeviceStatus.IN_STOCK
    # The device is free again for another child.
    services.allocate(child=ChildFactory(school=school), device=device, by=officer)
    assert kinds(device) == ["allocated", "stocked", "allocated"]


def test_cancel_refused_after_handover(child, device, officer):
    allocation = services.allocate(child=child, device=device, by=officer)
    services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="x", received_by="y", by=officer)
    with pytest.raises(AllocationError, match="Record a return instead"):
        services.cancel(allocation=allocation, by=officer)


def test_return_device(child, device, officer):
    allocation = services.allocate(child=child, device=device, by=officer)
    with pytest.raises(AllocationError, match="cancel the allocation instead"):
        services.return_device(allocation=allocation, on=timezone.localdate(), by=officer, reason="Left school")
    services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="x", received_by="y", by=officer)
    services.return_device(allocation=allocation, on=timezone.localdate(), by=officer, reason="Left school")
    allocation.refresh_from_db()
    device.refresh_from_db()
    assert allocation.status == AllocationStatus.RETURNED
    assert "Left school" in allocation.note
    assert device.status == DeviceStatus.RETURNED
    assert kinds(device) == ["allocated", "handed_over", "returned"]
    with pytest.raises(AllocationError, match="already ended"):
        services.return_device(allocation=allocation, on=timezone.localdate(), by=officer, reason="again")


def test_replace_keeps_continuous_history(child, device, officer, la):
    first = services.allocate(child=child, device=device, by=officer)
    services.hand_over(allocation=first, on=timezone.localdate(), handed_over_by="Ms Teacher", received_by="A. Parent", by=officer)
    spare = DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK)
    second = services.replace_device(allocation=first, new_device=spare, by=officer, reason="Screen cracked")
    first.refresh_from_db()
    device.refresh_from_db()
    spare.refresh_from_db()
    assert first.status == AllocationStatus.RETURNED
    assert "Screen cracked" in first.note
    assert device.status == DeviceStatus.IN_REPAIR
    assert kinds(device) == ["allocated", "handed_over", "fault_reported", "in_repair"]
    assert second.child == child and second.replaces == first
    # The old device was with the family, so the replacement is handed over at once, to the same person.
    assert second.status == AllocationStatus.HANDED_OVER
    assert second.received_by == "A. Parent"
    assert spare.status == DeviceStatus.HANDED_OVER
    assert spare.handed_over_on == timezone.localdate()
    assert kinds(spare) == ["allocated", "handed_over"]
    history = list(child.allocations.order_by("created_at", "pk"))
    assert history == [first, second]
    assert list(first.replaced_by.all()) == [second]


def test_replace_planned_allocation_stays_planned(child, device, officer, la):
    first = services.allocate(child=child, device=device, by=officer)
    spare = DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK)
    second = services.replace_device(allocation=first, new_device=spare, by=officer, reason="Dead on arrival")
    assert second.status == AllocationStatus.PLANNED
    device.refresh_from_db()
    assert device.status == DeviceStatus.IN_REPAIR


def test_replace_with_allocated_device_rolls_back(child, device, officer, la, school):
    first = services.allocate(child=child, device=device, by=officer)
    taken = DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK)
    services.allocate(child=ChildFactory(school=school), device=taken, by=officer)
    with pytest.raises(AllocationError):
        services.replace_device(allocation=first, new_device=taken, by=officer, reason="Broken")
    first.refresh_from_db()
    device.refresh_from_db()
    assert first.status == AllocationStatus.PLANNED
    assert device.status == DeviceStatus.ALLOCATED


def test_replace_refuses_same_device(child, device, officer):
    first = services.allocate(child=child, device=device, by=officer)
    with pytest.raises(AllocationError, match="different device"):
        services.replace_device(allocation=first, new_device=device, by=officer, reason="x")


def test_transfer_ownership(child, device, officer):
    allocation = services.allocate(child=child, device=device, by=officer)
    with pytest.raises(AllocationError, match="only after the device has been handed over"):
        services.transfer_ownership(allocation=allocation, by=officer, on=timezone.localdate())
    services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="x", received_by="y", by=officer)
    complete_readiness(allocation, officer)
    services.transfer_ownership(allocation=allocation, by=officer, on=timezone.localdate())
    allocation.refresh_from_db()
    device.refresh_from_db()
    assert allocation.status == AllocationStatus.HANDED_OVER
    assert device.ownership == Ownership.FAMILY
    assert device.status == DeviceStatus.OWNERSHIP_TRANSFERRED
    assert kinds(device)[-1] == "ownership_transferred"
    with pytest.raises(AllocationError, match="already been transferred"):
        services.transfer_ownership(allocation=allocation, by=officer, on=timezone.localdate())
    with pytest.raises(AllocationError, match="belongs to the family"):
        services.return_device(allocation=allocation, on=timezone.localdate(), by=officer, reason="x")


def test_allocate_refuses_anonymised_child(child, device, officer):
    services.anonymise_child(child=child)
    with pytest.raises(AllocationError, match="anonymised"):
        services.allocate(child=child, device=device, by=officer)


def test_save_child_duplicate_reference_is_clear_error(school, officer):
    ChildFactory(school=school, reference="REF1")
    duplicate = ChildFactory.build(school=school, reference="REF1")
    with pytest.raises(ValidationError, match="already exists"):
        services.save_child(child=duplicate, by=officer)


def test_factory_allocation_in_child_scope(school):
    allocation = AllocationFactory(child__school=school)
    assert allocation.device.local_authority == school.local_authority


def test_dates_must_follow_each_other(child, device, officer):
    today = timezone.localdate()
    allocation = services.allocate(child=child, device=device, by=officer, on=today - datetime.timedelta(days=5))
    with pytest.raises(AllocationError, match="before the device was allocated"):
        services.hand_over(allocation=allocation, on=today - datetime.timedelta(days=6), handed_over_by="x", received_by="y", by=officer)
    services.hand_over(allocation=allocation, on=today - datetime.timedelta(days=4), handed_over_by="x", received_by="y", by=officer)
    with pytest.raises(AllocationError, match="before the handover"):
        services.transfer_ownership(allocation=allocation, by=officer, on=today - datetime.timedelta(days=5))


def test_allocating_same_device_twice_to_same_child(child, device, officer):
    services.allocate(child=child, device=device, by=officer)
    with pytest.raises(AllocationError, match="already allocated to this child"):
        services.allocate(child=child, device=device, by=officer)
