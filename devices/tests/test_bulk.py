"""Bulk actions on the device list and the alert list (``core.bulk``): the selection (ticked or
every device matching the filter), the check page, the result page, the set-wise services and
their query counts, and hostile input (never a 500, never another LA's device)."""

import pytest
from django.urls import reverse

from accounts.tests.factories import SchoolFactory
from devices import services
from devices.models import Alert, Device, DeviceEvent
from devices.tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db
BULK = "/devices/bulk/"


@pytest.fixture
def fleet(la, other_la, school):
    delivered = [DeviceFactory(local_authority=la, school=school, status="delivered", serial=f"BULKD{i:03d}") for i in range(5)]
    allocated = DeviceFactory(local_authority=la, school=school, status="allocated", serial="BULKALLOC")
    written_off = DeviceFactory(local_authority=la, school=school, status="written_off", serial="BULKGONE")
    theirs = DeviceFactory(local_authority=other_la, status="delivered", serial="THEIRS0001")
    return {"delivered": delivered, "allocated": allocated, "written_off": written_off, "theirs": theirs}


def test_device_list_has_tick_boxes_and_the_bulk_bar_for_officers(client, users, fleet):
    client.force_login(users["council_officer"])
    page = client.get("/devices/").content.decode()
    assert 'id="bulk-form"' in page and f'value="{fleet["delivered"][0].pk}" id="select-{fleet["delivered"][0].pk}" form="bulk-form"' in page
    assert 'value="stock"' in page and 'value="labels"' in page
    client.force_login(users["cio"])
    page = client.get("/devices/").content.decode()
    assert 'id="bulk-form"' not in page and 'form="bulk-form"' not in page  # nothing the CIO may do in bulk


def test_put_in_stock_checks_then_reports_done_and_refused_with_reasons(client, users, fleet):
    client.force_login(users["council_officer"])
    picks = [d.pk for d in fleet["delivered"]] + [fleet["allocated"].pk, fleet["written_off"].pk, fleet["theirs"].pk]
    check = client.get(BULK, {"action": "stock", "which": "selected", "pk": picks})
    page = check.content.decode()
    assert check.status_code == 200
    assert 'data-count="7"' in page and 'data-will-do="5"' in page and 'data-missing="1"' in page
    assert "cancel the allocation instead" in page and "cannot be marked" in page
    assert "THEIRS0001" not in page
    assert Device.objects.filter(status="in_stock").count() == 0  # the check page changes nothing
    result = client.post(BULK, {"action": "stock", "which": "selected", "pk": picks})
    page = result.content.decode()
    assert 'data-done="5" data-refused="2"' in page
    assert "BULKALLOC" in page and "cancel the allocation instead" in page
    assert set(Device.objects.filter(status="in_stock").values_list("serial", flat=True)) == {d.serial for d in fleet["delivered"]}
    assert DeviceEvent.objects.filter(kind="stocked", to_status="in_stock").count() == 5
    assert Device.history.filter(status="in_stock", history_user=users["council_officer"]).count() == 5
    fleet["theirs"].refresh_from_db()
    assert fleet["theirs"].status == "delivered"


def test_every_device_matching_the_filter_up_to_the_highest_id_checked(client, users, la, school, fleet):
    client.force_login(users["council_officer"])
    check = client.get(BULK, {"action": "stock", "which": "matching", "filters": "status=delivered"})
    page = check.content.decode()
    assert 'data-count="5"' in page  # the other LA's delivered device is not counted
    upto = max(d.pk for d in fleet["delivered"])
    assert f'name="upto" value="{upto}"' in page
    late = DeviceFactory(local_authority=la, school=school, status="delivered", serial="BULKLATE")
    page = client.post(BULK, {"action": "stock", "which": "matching", "filters": "status=delivered", "upto": upto}).content.decode()
    assert 'data-done="5" data-refused="0"' in page
    late.refresh_from_db()
    assert late.status == "delivered"  # added after the person looked: left out


def test_move_to_a_school_offers_only_schools_in_scope_and_refuses_what_it_must(client, users, la, other_la, school, fleet):
    elsewhere = SchoolFactory(local_authority=la, name="Bulk Other School")
    foreign = SchoolFactory(local_authority=other_la, name="Hackney Bulk School")
    client.force_login(users["council_officer"])
    picks = [d.pk for d in fleet["delivered"][:2]] + [fleet["allocated"].pk]
    page = client.get(BULK, {"action": "school", "which": "selected", "pk": picks}).content.decode()
    assert "Bulk Other School" in page and "Hackney Bulk School" not in page
    assert "moves school with the child" in page
    refused = client.post(BULK, {"action": "school", "which": "selected", "pk": picks, "school": foreign.pk})
    assert refused.status_code == 200 and "Choose one of the schools listed." in refused.content.decode()
    assert not Device.objects.filter(school=foreign).exists()
    page = client.post(BULK, {"action": "school", "which": "selected", "pk": picks, "school": elsewhere.pk}).content.decode()
    assert 'data-done="2" data-refused="1"' in page
    assert Device.objects.filter(school=elsewhere).count() == 2
    assert DeviceEvent.objects.filter(kind="note", note__contains="Bulk Other School").count() == 2


def test_print_labels_opens_the_label_page_for_the_devices_chosen(client, users, fleet):
    client.force_login(users["council_officer"])
    picks = [d.pk for d in fleet["delivered"][:3]] + [fleet["theirs"].pk]
    response = client.get(BULK, {"action": "labels", "which": "selected", "pk": picks})
    assert response.status_code == 302
    assert response.url.startswith(reverse("devices:labels")) and f"device={fleet['theirs'].pk}" not in response.url
    page = client.get(response.url).content.decode()
    assert "3" in page
    matching = client.get(BULK, {"action": "labels", "which": "matching", "filters": "status=delivered"})
    assert matching.url == reverse("devices:labels") + "?status=delivered"


@pytest.mark.parametrize("data", [
    {},
    {"action": "stock"},
    {"action": "stock", "which": "selected"},
    {"action": "stock", "which": "selected", "pk": ["abc"]},
    {"action": "stock", "which": "selected", "pk": ["-1"]},
    {"action": "stock", "which": "selected", "pk": ["9" * 40]},
    {"action": "stock", "which": "matching", "filters": "status=bogus"},
    {"action": "stock", "which": "matching", "filters": "school=notanumber"},
    {"action": "stock", "which": "matching", "upto": "x"},
    {"action": "stock", "which": "sideways"},
    {"action": "explode", "which": "selected", "pk": ["1"]},
    {"action": "stock", "which": "selected", "pk": ["999999"]},
])
def test_hostile_input_is_a_clear_error_never_a_500(client, users, fleet, data):
    client.force_login(users["council_officer"])
    for response in (client.get(BULK, data), client.post(BULK, data)):
        assert response.status_code in (200, 400)
        page = response.content.decode()
        assert "govuk-error-summary" in page and "THEIRS0001" not in page
    assert not Device.objects.filter(status="in_stock").exists()


def test_out_of_scope_ids_alone_change_nothing(client, users, fleet):
    client.force_login(users["council_officer"])
    response = client.post(BULK, {"action": "stock", "which": "selected", "pk": [fleet["theirs"].pk]})
    assert response.status_code == 400 and "None of the devices chosen could be found" in response.content.decode()
    fleet["theirs"].refresh_from_db()
    assert fleet["theirs"].status == "delivered"


def test_school_staff_may_not_put_in_stock(client, users, fleet):
    client.force_login(users["school_staff"])
    response = client.post(BULK, {"action": "stock", "which": "selected", "pk": [fleet["delivered"][0].pk]})
    assert response.status_code == 400 and "Choose what to do" in response.content.decode()
    assert not Device.objects.filter(status="in_stock").exists()


def test_a_selection_over_the_limit_is_refused_with_the_reason(client, users, fleet, monkeypatch):
    from core.bulk import BulkSelectionForm

    monkeypatch.setattr(BulkSelectionForm, "max_rows", 3)
    client.force_login(users["council_officer"])
    for method in (client.get, client.post):
        page = method(BULK, {"action": "stock", "which": "matching", "filters": "status=delivered"}).content.decode()
        assert "one bulk action changes at most 3" in page and "Filter the list further" in page
    assert not Device.objects.filter(status="in_stock").exists()


def test_put_in_stock_of_many_devices_takes_a_fixed_number_of_queries(la, school, users, django_assert_max_num_queries):
    """Six queries for any number of devices up to ``BULK_BATCH`` on PostgreSQL (lock, update,
    history insert, event insert, savepoint and release). SQLite caps a statement at 999
    parameters, so Django splits each bulk insert there into statements of ~50 history rows:
    still not a query per device."""
    from django.db import connection

    officer = users["council_officer"]
    for n in (10, 300):
        Device.objects.filter(local_authority=la).delete()
        Device.objects.bulk_create([Device(local_authority=la, school=school, kind="laptop", serial=f"Q{n}-{i}", status="delivered") for i in range(n)])
        with django_assert_max_num_queries(6 if connection.vendor == "postgresql" else 6 + n // 25):
            outcome = services.put_in_stock(devices=Device.objects.filter(local_authority=la), by=officer)
        assert len(outcome.done) == n and not outcome.refused
        assert DeviceEvent.objects.filter(device__local_authority=la, kind="stocked").count() == n
        assert Device.history.filter(serial__startswith=f"Q{n}-", status="in_stock").count() == n


def test_transition_many_follows_transition(la, school, users):
    """The set-wise service writes what ``transition`` writes, device for device."""
    officer = users["council_officer"]
    one = DeviceFactory(local_authority=la, school=school, status="allocated")
    many = [DeviceFactory(local_authority=la, school=school, status="allocated") for _ in range(3)]
    services.transition(device=one, to_status="handed_over", by=officer, note="n")
    outcome = services.transition_many(devices=Device.objects.filter(pk__in=[d.pk for d in many]), to_status="handed_over", by=officer, note="n")
    assert len(outcome.done) == 3
    one.refresh_from_db()
    single_event = DeviceEvent.objects.get(device=one)
    for device in many:
        device.refresh_from_db()
        assert (device.status, device.handed_over_on, device.ownership) == (one.status, one.handed_over_on, one.ownership)
        event = DeviceEvent.objects.get(device=device)
        assert (event.kind, event.from_status, event.to_status, event.actor, event.note) == (
            single_event.kind, single_event.from_status, single_event.to_status, single_event.actor, single_event.note)
        assert device.history.count() == one.history.count()
    refused = services.transition_many(devices=Device.objects.filter(pk=one.pk), to_status="delivered", by=officer)
    assert not refused.done and refused.refused[0][1] == services.refusal("handed_over", "delivered")


# --- alerts


def test_acknowledge_selected_alerts(client, users, la, other_la, school):
    mine = [Alert.objects.create(key=f"bulk:{i}", kind=Alert.Kind.values[0], local_authority=la, school=school, message=f"Bulk alert {i}") for i in range(3)]
    theirs = Alert.objects.create(key="bulk:theirs", kind=Alert.Kind.values[0], local_authority=other_la, message="Their alert")
    services.acknowledge_alert(alert=mine[2], by=users["council_officer"])
    client.force_login(users["council_officer"])
    page = client.get("/alerts/?show=each").content.decode()
    assert 'id="bulk-form"' in page and f'id="select-{mine[0].pk}"' in page
    picks = [a.pk for a in mine] + [theirs.pk]
    page = client.get("/alerts/bulk/", {"action": "acknowledge", "which": "selected", "pk": picks}).content.decode()
    assert 'data-count="3"' in page and 'data-will-do="2"' in page and "Their alert" not in page
    page = client.post("/alerts/bulk/", {"action": "acknowledge", "which": "selected", "pk": picks}).content.decode()
    assert 'data-done="2" data-refused="1"' in page and "already acknowledged" in page
    assert Alert.objects.filter(local_authority=la, acknowledged_at__isnull=True).count() == 0
    theirs.refresh_from_db()
    assert theirs.acknowledged_at is None


def test_bulk_actions_benchmark_runs_at_the_tiny_scale_and_leaves_nothing(settings):
    import io

    from benchmarks.bulk_actions import SCENARIOS, bulk_actions

    settings.TWO_FACTOR_REQUIRED, settings.AXES_ENABLED = False, False
    assert bulk_actions in SCENARIOS
    result = bulk_actions("tiny", io.StringIO())
    assert result.extra["moved"] == result.extra["moved_one_by_one"] == result.extra["moved_through_page"] == result.extra["events"] == 200
    assert result.line().startswith("BENCH bulk_actions ours_s=")
    assert not Device.objects.filter(serial__startswith="BENCH-BULK-").exists()


def test_another_app_adds_a_device_action_through_the_extension_point(client, users, fleet):
    """What the campaigns app will do: one ``BulkAction`` appended, nothing else changed."""
    from core.bulk import BulkAction, Outcome
    from devices import bulk

    seen = []

    def add_devices(*, rows, by, data):
        seen.extend(rows.values_list("serial", flat=True))
        return Outcome(done=list(rows), refused=[])

    bulk.register_device_action(BulkAction("example", "An example action", run=add_devices, roles=("council_officer",)))
    try:
        client.force_login(users["council_officer"])
        assert 'value="example"' in client.get("/devices/").content.decode()
        page = client.post(BULK, {"action": "example", "which": "selected", "pk": [fleet["delivered"][0].pk, fleet["theirs"].pk]}).content.decode()
        assert 'data-done="1" data-refused="0"' in page and seen == [fleet["delivered"][0].serial]
    finally:
        bulk.DEVICE_ACTIONS[:] = [a for a in bulk.DEVICE_ACTIONS if a.name != "example"]
