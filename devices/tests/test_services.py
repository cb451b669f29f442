import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from allocations.tests.factories import AllocationFactory
from devices import services
from connectivity.models import Sim
from devices.models import Alert, Device, DeviceEvent, DeviceStatus, Ownership
from connectivity.tests.factories import SimFactory
from devices.tests.factories import DeviceFactory, RouterFactory

S = DeviceStatus


@pytest.fixture
def device(la, school):
    return DeviceFactory(local_authority=la, school=school)


def test_every_status_has_a_row_in_the_transition_table():
    assert set(services.TRANSITIONS) == set(DeviceStatus.values)
    for targets in services.TRANSITIONS.values():
        assert targets <= set(DeviceStatus.values)
    assert services.TRANSITIONS[S.WRITTEN_OFF] == set()


def test_allowed_transition_changes_status_and_writes_event(device, officer):
    at = timezone.now() - datetime.timedelta(hours=2)
    event = services.transition(device=device, to_status=S.IN_STOCK, by=officer, note="Shelf B", at=at)
    device.refresh_from_db()
    assert device.status == S.IN_STOCK
    assert event.kind == DeviceEvent.Kind.STOCKED
    assert (event.from_status, event.to_status) == (S.DELIVERED, S.IN_STOCK)
    assert event.actor == officer and event.at == at and event.note == "Shelf B"
    assert list(device.events.values_list("kind", flat=True)) == ["stocked"]


def test_history_records_the_change_and_its_user(device, officer):
    services.mark_in_stock(device=device, by=officer)
    latest = device.history.latest()
    assert latest.status == S.IN_STOCK
    assert latest.history_user == officer


def test_forbidden_transition_raises_a_domain_error_and_changes_nothing(device, officer):
    with pytest.raises(services.TransitionNotAllowed) as excinfo:
        services.transition(device=device, to_status=S.HANDED_OVER, by=officer)
    assert isinstance(excinfo.value, ValidationError)
    assert "cannot be marked" in str(excinfo.value)
    device.refresh_from_db()
    assert device.status == S.DELIVERED
    assert not DeviceEvent.objects.exists()


def test_unknown_status_is_refused(device, officer):
    with pytest.raises(services.TransitionNotAllowed):
        services.transition(device=device, to_status="teleported", by=officer)


def test_written_off_is_final(device, officer):
    services.write_off(device=device, by=officer)
    for status in DeviceStatus.values:
        with pytest.raises(services.TransitionNotAllowed):
            services.transition(device=device, to_status=status, by=officer)


def test_check_uses_current_database_status_not_a_stale_object(device, officer):
    stale = Device.objects.get(pk=device.pk)
    services.write_off(device=device, by=officer)
    with pytest.raises(services.TransitionNotAllowed):
        services.mark_in_stock(device=stale, by=officer)


def test_allocation_path_sets_handover_date_and_ownership(device, officer):
    services.transition(device=device, to_status=S.ALLOCATED, by=officer)
    at = timezone.make_aware(datetime.datetime(2026, 3, 2, 10, 0))
    services.transition(device=device, to_status=S.HANDED_OVER, by=officer, at=at)
    device.refresh_from_db()
    assert device.handed_over_on == datetime.date(2026, 3, 2)
    services.transition(device=device, to_status=S.OWNERSHIP_TRANSFERRED, by=officer)
    device.refresh_from_db()
    assert device.ownership == Ownership.FAMILY
    with pytest.raises(services.TransitionNotAllowed):
        services.record_return(device=device, by=officer)
    assert [e.kind for e in device.events.order_by("pk")] == ["allocated", "handed_over", "ownership_transferred"]


def test_fault_repair_cycle_returns_device_to_its_holder(la, school, officer):
    allocation = AllocationFactory(child__school=school, status="handed_over")
    device = allocation.device
    Device.objects.filter(pk=device.pk).update(status=S.HANDED_OVER)
    device.refresh_from_db()
    services.report_fault(device=device, by=officer, note="Screen cracked")
    services.send_for_repair(device=device, by=officer)
    event = services.mark_repaired(device=device, by=officer)
    device.refresh_from_db()
    assert device.status == S.HANDED_OVER
    assert event.kind == DeviceEvent.Kind.REPAIRED


def test_repaired_without_holder_goes_to_stock(device, officer):
    services.mark_in_stock(device=device, by=officer)
    services.report_fault(device=device, by=officer)
    services.mark_repaired(device=device, by=officer)
    assert device.status == S.IN_STOCK


def test_mark_repaired_refused_when_not_in_repair(device, officer):
    with pytest.raises(services.TransitionNotAllowed):
        services.mark_repaired(device=device, by=officer)


@pytest.mark.parametrize("helper,status", [(services.mark_lost, S.LOST), (services.mark_stolen, S.STOLEN)])
def test_lost_or_stolen_flags_sim_and_raises_one_alert_per_event(la, school, officer, helper, status):
    router = RouterFactory(local_authority=la, school=school)
    sim = SimFactory(local_authority=la, device=router)
    event = helper(device=router, by=officer, note="Reported by school")
    sim.refresh_from_db()
    assert sim.status == Sim.Status.SUSPENSION_REQUESTED
    alert = Alert.objects.get()
    assert alert.kind == Alert.Kind.LOST_STOLEN
    assert alert.key == f"lost_stolen:device:{router.pk}:event:{event.pk}"
    assert (alert.device, alert.sim, alert.local_authority, alert.school) == (router, sim, la, school)
    assert sim.iccid in alert.message
    # found, then lost again: a second, distinct alert
    services.mark_in_stock(device=router, by=officer)
    helper(device=router, by=officer)
    assert Alert.objects.count() == 2


def test_lost_device_without_sim_still_raises_alert(device, officer):
    services.mark_lost(device=device, by=officer)
    assert Alert.objects.filter(device=device, kind=Alert.Kind.LOST_STOLEN, sim__isnull=True).count() == 1


def test_lifecycle_options_by_role(device, users):
    officer_options = [v for v, _ in services.lifecycle_options(device=device, user=users["council_officer"])]
    assert S.IN_STOCK in officer_options and S.LOST in officer_options
    assert S.ALLOCATED not in officer_options  # made from an allocation
    assert [v for v, _ in services.lifecycle_options(device=device, user=users["school_staff"])] == [S.FAULT_REPORTED]
    assert services.lifecycle_options(device=device, user=users["cio"]) == []
    assert services.lifecycle_options(device=device, user=users["support_agent"]) == []


def test_apply_lifecycle_action_refuses_moves_not_offered(device, users):
    with pytest.raises(services.TransitionNotAllowed):
        services.apply_lifecycle_action(device=device, user=users["school_staff"], action=S.WRITTEN_OFF)
    with pytest.raises(services.TransitionNotAllowed):
        services.apply_lifecycle_action(device=device, user=users["cio"], action=S.IN_STOCK)
    device.refresh_from_db()
    assert device.status == S.DELIVERED


def test_acknowledge_alert_is_idempotent_and_scoped(la, other_la, users):
    alert = Alert.objects.create(key="k1", kind=Alert.Kind.PLAN_ENDING, local_authority=la, message="Plan ends")
    officer = users["council_officer"]
    services.acknowledge_alert(alert=alert, by=officer)
    alert.refresh_from_db()
    first = alert.acknowledged_at
    assert first is not None and alert.acknowledged_by == officer
    services.acknowledge_alert(alert=alert, by=officer)
    alert.refresh_from_db()
    assert alert.acknowledged_at == first
    other = Alert.objects.create(key="k2", kind=Alert.Kind.PLAN_ENDING, local_authority=other_la, message="Elsewhere")
    with pytest.raises(ValidationError):
        services.acknowledge_alert(alert=other, by=officer)
    other.refresh_from_db()
    assert other.acknowledged_at is None


def test_acknowledging_an_alert_is_audited_with_who_did_it(la, users):
    alert = Alert.objects.create(key="k3", kind=Alert.Kind.LICENCE_ENDING, local_authority=la, message="Licence ends")
    officer = users["council_officer"]
    services.acknowledge_alert(alert=alert, by=officer)
    services.acknowledge_alert(alert=alert, by=officer)
    changes = list(alert.history.order_by("history_date"))
    # created, then one acknowledgement; the idempotent second call writes nothing
    assert [h.history_type for h in changes] == ["+", "~"]
    assert changes[-1].acknowledged_by_id == officer.pk
    assert changes[-1].history_user_id == officer.pk
    assert changes[0].acknowledged_at is None
