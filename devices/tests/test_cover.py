"""The trigger-kept cover columns of Device follow every kind of write (devices/cover.py)."""

import datetime

import pytest

from allocations.models import Allocation, AllocationStatus, Child
from allocations.tests.factories import AllocationFactory, ChildFactory
from devices.cover import refresh_cover
from devices.horizon import cliff_edge, cliff_edge_python
from connectivity.models import DataPlan, Sim
from devices.models import Device, DeviceKind, Licence
from connectivity.tests.factories import DataPlanFactory, SimFactory
from devices.tests.factories import DeviceFactory, LicenceFactory

D = datetime.date
TODAY = D(2026, 11, 26)

pytestmark = pytest.mark.django_db


def cover(device):
    return Device.objects.filter(pk=device.pk).values_list("licence_cover_end", "plan_cover_end", "child_needs_data").get()


def test_licences_keep_the_licence_cover_end(la):
    device = DeviceFactory(local_authority=la)
    assert cover(device) == (None, None, False)
    first = LicenceFactory(device=device, start=D(2026, 1, 1), end=D(2026, 12, 31))
    assert cover(device)[0] == D(2026, 12, 31)
    second = LicenceFactory(device=device, start=D(2027, 1, 1), end=D(2027, 12, 31))
    assert cover(device)[0] == D(2027, 12, 31)
    Licence.objects.filter(pk=second.pk).update(end=D(2027, 6, 30))
    assert cover(device)[0] == D(2027, 6, 30)
    second.delete()
    assert cover(device)[0] == D(2026, 12, 31)
    Licence.objects.filter(pk=first.pk).delete()
    assert cover(device)[0] is None


def test_bulk_written_licences_and_a_moved_licence(la):
    one, two = DeviceFactory(local_authority=la), DeviceFactory(local_authority=la)
    Licence.objects.bulk_create(
        [
            Licence(device=one, product="A", start=D(2026, 1, 1), end=D(2027, 1, 31)),
            Licence(device=two, product="A", start=D(2026, 1, 1), end=D(2028, 1, 31)),
        ]
    )
    assert cover(one)[0] == D(2027, 1, 31) and cover(two)[0] == D(2028, 1, 31)
    # Moving a licence to another device refreshes both devices.
    Licence.objects.filter(device=two).update(device=one)
    assert cover(one)[0] == D(2028, 1, 31) and cover(two)[0] is None


def test_plans_follow_their_sim_between_devices(la):
    router, other = DeviceFactory(local_authority=la, kind=DeviceKind.ROUTER), DeviceFactory(local_authority=la, kind=DeviceKind.ROUTER)
    sim = SimFactory(local_authority=la, device=router)
    plan = DataPlanFactory(sim=sim, start=D(2026, 1, 1), end=D(2026, 6, 30))
    assert cover(router)[1] == D(2026, 6, 30)
    DataPlan.objects.filter(pk=plan.pk).update(end=D(2026, 9, 30))
    assert cover(router)[1] == D(2026, 9, 30)
    # The SIM moves to another router: the plan's cover goes with it.
    Sim.objects.filter(pk=sim.pk).update(device=other)
    assert cover(router)[1] is None and cover(other)[1] == D(2026, 9, 30)
    sim.refresh_from_db()
    sim.device = None
    sim.save()
    assert cover(other)[1] is None
    Sim.objects.filter(pk=sim.pk).update(device=router)
    DataPlan.objects.filter(pk=plan.pk).delete()
    assert cover(router)[1] is None


def test_allocations_and_the_childs_need_keep_the_data_flag(la, school):
    laptop = DeviceFactory(local_authority=la, school=school)
    child = ChildFactory(school=school, needs_connectivity=True)
    allocation = AllocationFactory(child=child, device=laptop, status=AllocationStatus.PLANNED)
    assert cover(laptop)[2] is True
    Child.objects.filter(pk=child.pk).update(needs_connectivity=False)
    assert cover(laptop)[2] is False
    child.refresh_from_db()
    child.needs_connectivity = True
    child.save()
    assert cover(laptop)[2] is True
    Allocation.objects.filter(pk=allocation.pk).update(status=AllocationStatus.RETURNED)
    assert cover(laptop)[2] is False
    Allocation.objects.filter(pk=allocation.pk).update(status=AllocationStatus.HANDED_OVER)
    assert cover(laptop)[2] is True
    Allocation.objects.filter(pk=allocation.pk).delete()
    assert cover(laptop)[2] is False


def test_saving_a_stale_device_never_overwrites_its_cover(la):
    device = DeviceFactory(local_authority=la)
    stale = Device.objects.get(pk=device.pk)
    LicenceFactory(device=device, start=D(2026, 1, 1), end=D(2029, 1, 31))
    stale.asset_tag = "TAG-1"
    stale.save()
    assert cover(device)[0] == D(2029, 1, 31)
    assert Device.objects.get(pk=device.pk).asset_tag == "TAG-1"
    # and the audit history does not copy the columns
    assert not hasattr(device.history.model, "licence_cover_end")


def test_refresh_finds_nothing_to_correct_and_mends_a_corrupted_row(la, school):
    devices = [DeviceFactory(local_authority=la, kind=DeviceKind.ROUTER) for _ in range(3)]
    LicenceFactory(device=devices[0], start=D(2026, 1, 1), end=D(2027, 1, 31))
    DataPlanFactory(sim=SimFactory(local_authority=la, device=devices[1]), start=D(2026, 1, 1), end=D(2026, 12, 31))
    AllocationFactory(child=ChildFactory(school=school, needs_connectivity=True), device=devices[2])
    assert refresh_cover() == 0
    assert refresh_cover([d.pk for d in devices]) == 0
    # A write that bypassed the triggers (a restore without them, say) is mended.
    Device.objects.filter(pk=devices[0].pk).update(licence_cover_end=None)
    assert refresh_cover() == 1
    assert cover(devices[0])[0] == D(2027, 1, 31)


def test_cliff_edge_from_the_columns_agrees_with_the_loop_over_devices(la, other_la, school):
    for i, la_ in enumerate([la, other_la] * 3):
        device = DeviceFactory(
            local_authority=la_, kind=[DeviceKind.LAPTOP, DeviceKind.ROUTER][i % 2], delivered_on=D(2025, 1 + i, 10)
        )
        if i % 3:
            LicenceFactory(device=device, start=D(2025, 1, 1), end=D(2026 + i % 3, 3 + i, 14 + i))
        if device.kind == DeviceKind.ROUTER:
            DataPlanFactory(sim=SimFactory(local_authority=la_, device=device), start=D(2025, 1, 1), end=D(2027, 2, 28))
    assert cliff_edge(TODAY) == cliff_edge_python(TODAY)


def flags(child):
    return Child.objects.filter(pk=child.pk).values_list("has_active_laptop", "laptop_handed_over").get()


def test_child_flags_follow_allocations_and_device_kinds(la, school):
    from devices.cover import refresh_child_flags

    child = ChildFactory(school=school)
    laptop = DeviceFactory(local_authority=la, school=school)
    router = DeviceFactory(local_authority=la, school=school, kind=DeviceKind.ROUTER)
    assert flags(child) == (False, False)
    AllocationFactory(child=child, device=router, status=AllocationStatus.HANDED_OVER)
    assert flags(child) == (False, False)  # a dongle is not a laptop
    allocation = AllocationFactory(child=child, device=laptop, status=AllocationStatus.PLANNED)
    assert flags(child) == (True, False)
    Allocation.objects.filter(pk=allocation.pk).update(status=AllocationStatus.HANDED_OVER)
    assert flags(child) == (True, True)
    # The device recorded as the wrong kind and corrected: the flags follow.
    Device.objects.filter(pk=laptop.pk).update(kind=DeviceKind.ROUTER)
    assert flags(child) == (False, False)
    Device.objects.filter(pk=laptop.pk).update(kind=DeviceKind.TABLET)
    assert flags(child) == (True, True)
    # A stale copy of the child saved later does not undo them.
    stale = Child.objects.get(pk=child.pk)
    Allocation.objects.filter(pk=allocation.pk).update(status=AllocationStatus.RETURNED)
    assert flags(child) == (False, False)
    Allocation.objects.filter(pk=allocation.pk).update(status=AllocationStatus.HANDED_OVER)
    stale.first_name = "Renamed"
    stale.save()
    assert flags(child) == (True, True)
    # Moved to another child.
    other = ChildFactory(school=school)
    Allocation.objects.filter(pk=allocation.pk).update(child=other)
    assert flags(child) == (False, False) and flags(other) == (True, True)
    Allocation.objects.filter(pk=allocation.pk).delete()
    assert flags(other) == (False, False)
    assert refresh_child_flags() == 0
    Child.objects.filter(pk=other.pk).update(has_active_laptop=True)
    assert refresh_child_flags() == 1 and flags(other) == (False, False)
