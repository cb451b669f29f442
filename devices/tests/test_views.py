import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.tests.factories import SchoolFactory
from allocations.tests.factories import AllocationFactory
from devices import services
from devices.models import Alert, Device, DeviceStatus
from connectivity.tests.factories import DataPlanFactory, NetworkOperatorFactory, SimFactory, UsageReadingFactory
from devices.tests.factories import DeliveryBatchFactory, DeviceFactory, LicenceFactory, RouterFactory
from devices.tables import DeviceTable
from devices.views import device_list_queryset

LIST = reverse("devices:device_list")


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def devices(la, other_la, school, other_school):
    today = timezone.localdate()
    mine = DeviceFactory(local_authority=la, school=school, serial="CAM-LAPTOP-1", asset_tag="CAM001")
    router = RouterFactory(local_authority=la, school=school, serial="CAM-ROUTER-1")
    sim = SimFactory(
        local_authority=la, device=router, iccid="89441000000000000000", msisdn="+447700900123",
        network=NetworkOperatorFactory(name="Vodafone", slug="vodafone"),
    )
    LicenceFactory(device=mine, start=today - datetime.timedelta(days=10), end=today + datetime.timedelta(days=100))
    LicenceFactory(device=router, start=today - datetime.timedelta(days=10), end=today + datetime.timedelta(days=100))
    DataPlanFactory(sim=sim, start=today - datetime.timedelta(days=10), end=today + datetime.timedelta(days=100))
    no_school = DeviceFactory(local_authority=la, school=None, serial="CAM-SPARE-1", status=DeviceStatus.IN_STOCK)
    theirs = DeviceFactory(local_authority=other_la, school=other_school, serial="HAC-LAPTOP-1")
    return {"mine": mine, "router": router, "sim": sim, "spare": no_school, "theirs": theirs}


def serials(response):
    return {row.record.serial for row in response.context["table"].paginated_rows}


# List: scope, filters, search, sort, columns ----------------------------------------------


def test_officer_sees_only_own_la(client, users, devices):
    response = login(client, users["council_officer"]).get(LIST)
    assert response.status_code == 200
    assert serials(response) == {"CAM-LAPTOP-1", "CAM-ROUTER-1", "CAM-SPARE-1"}


def test_school_staff_see_only_their_school(client, users, devices):
    response = login(client, users["school_staff"]).get(LIST)
    assert serials(response) == {"CAM-LAPTOP-1", "CAM-ROUTER-1"}


def test_london_lead_sees_no_device_rows(client, users, devices):
    response = login(client, users["london_lead"]).get(LIST)
    assert response.status_code == 403
    assert login(client, users["london_lead"]).get(reverse("devices:device_detail", args=[devices["mine"].pk])).status_code == 403


def test_anonymous_is_sent_to_sign_in(client, devices):
    response = client.get(LIST)
    assert response.status_code == 302 and "sign-in" in response.url


@pytest.mark.parametrize(
    "params,expected",
    [
        ({"kind": "router"}, {"CAM-ROUTER-1"}),
        ({"status": ["in_stock"]}, {"CAM-SPARE-1"}),
        ({"status": ["in_stock", "delivered"]}, {"CAM-LAPTOP-1", "CAM-ROUTER-1", "CAM-SPARE-1"}),
        ({"coverage": "covered"}, {"CAM-LAPTOP-1", "CAM-ROUTER-1"}),
        ({"coverage": "uncovered"}, {"CAM-SPARE-1"}),
        ({"q": "cam-laptop"}, {"CAM-LAPTOP-1"}),
        ({"q": "CAM001"}, {"CAM-LAPTOP-1"}),
        ({"q": "8944 1000 0000 0000 0000"}, {"CAM-ROUTER-1"}),
        ({"q": "07700 900123"}, {"CAM-ROUTER-1"}),
        ({"q": "+44 7700 900123"}, {"CAM-ROUTER-1"}),
        ({"q": "HAC-LAPTOP-1"}, set()),
    ],
)
def test_filters_and_search(client, users, devices, params, expected):
    response = login(client, users["council_officer"]).get(LIST, params)
    assert serials(response) == expected


def test_filter_by_school_and_network(client, users, devices, school):
    client = login(client, users["council_officer"])
    response = client.get(LIST, {"school": school.pk})
    assert serials(response) == {"CAM-LAPTOP-1", "CAM-ROUTER-1"}
    html = response.content.decode()
    assert f'<option value="{school.pk}" dir="auto" selected>' in html  # the chosen school stays selected
    assert '<select name="school" class="govuk-select" id="id_school">' in html
    assert serials(client.get(LIST, {"network": devices["sim"].network_id})) == {"CAM-ROUTER-1"}


def test_search_by_imei(client, users, devices):
    imei = devices["router"].imei
    assert serials(login(client, users["council_officer"]).get(LIST, {"q": imei})) == {"CAM-ROUTER-1"}


def test_school_choices_are_scoped(client, users, devices, other_school):
    response = login(client, users["council_officer"]).get(LIST, {"school": other_school.pk})
    assert response.status_code == 200
    assert serials(response) == set()  # an out-of-scope choice is invalid: no rows
    form = response.context["filter"].form
    assert other_school not in form.fields["school"].queryset
    assert list(form.fields["local_authority"].queryset) == [users["council_officer"].local_authority]


def test_national_user_filters_school_by_urn(client, users, devices, school):
    response = login(client, users["admin"]).get(LIST, {"school": school.urn})
    assert serials(response) == {"CAM-LAPTOP-1", "CAM-ROUTER-1"}


def test_sort_by_serial(client, users, devices):
    response = login(client, users["council_officer"]).get(LIST, {"sort": "serial"})
    rows = [row.record.serial for row in response.context["table"].paginated_rows]
    assert rows == sorted(rows)
    response = client.get(LIST, {"sort": "-serial"})
    assert [row.record.serial for row in response.context["table"].paginated_rows] == sorted(rows, reverse=True)


def test_default_order_is_newest_first(client, users, devices):
    response = login(client, users["council_officer"]).get(LIST)
    pks = [row.record.pk for row in response.context["table"].paginated_rows]
    assert pks == sorted(pks, reverse=True)


def test_optional_columns_are_chosen(client, users, devices):
    client = login(client, users["council_officer"])
    plain = client.get(LIST).content.decode()
    assert "ICCID" in plain  # offered as a checkbox
    assert "89441000000000000000" not in plain
    chosen = client.get(LIST, {"columns": ["iccid", "msisdn"]}).content.decode()
    assert "89441000000000000000" in chosen and "07700 900123" in chosen


def test_bad_parameters_do_not_fail(client, users, devices):
    client = login(client, users["council_officer"])
    for params in ({"kind": "spaceship"}, {"school": "abc"}, {"page": "999"}, {"q": "=1+1"}, {"sort": "nonsense"}, {"per_page": "x"}):
        assert client.get(LIST, params).status_code in (200, 404)


def test_export_csv_neutralises_formulae_and_respects_filters(client, users, devices):
    Device.objects.filter(pk=devices["mine"].pk).update(make="=HYPERLINK(\"http://evil\")")
    response = login(client, users["council_officer"]).get(LIST, {"_export": "csv", "kind": "laptop"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    assert "Serial number" in header and "ICCID" in header
    by_serial = {row[header.index("Serial number")]: row for row in body}
    assert set(by_serial) == {"CAM-LAPTOP-1", "CAM-SPARE-1"}
    assert by_serial["CAM-LAPTOP-1"][header.index("Make")] == "'=HYPERLINK(\"http://evil\")"
    assert by_serial["CAM-LAPTOP-1"][header.index("Status")] == "Delivered"


def test_export_xlsx(client, users, devices):
    response = login(client, users["council_officer"]).get(LIST, {"_export": "xlsx"})
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    values = [row for row in workbook.active.iter_rows(values_only=True)]
    assert len(values) == 4  # header + 3 Camden devices
    assert not any("HAC-LAPTOP-1" in [str(v) for v in row] for row in values)


def test_list_query_count_is_fixed_whatever_the_page_size(client, users, la, school, django_assert_max_num_queries):
    for i in range(30):
        router = RouterFactory(local_authority=la, school=school, batch=DeliveryBatchFactory(local_authority=la))
        SimFactory(local_authority=la, device=router)
    client = login(client, users["council_officer"])
    client.get(LIST)  # settle the session
    params = {"columns": list(DeviceTable.optional_columns)}
    counts = []
    for extra in ({"per_page": "5"}, {"per_page": "25", "coverage": "uncovered", "q": "SN"}, {"per_page": "200"}):
        with django_assert_max_num_queries(9) as captured:
            response = client.get(LIST, {**params, **extra})
        assert response.status_code == 200
        assert not any("COUNT(" in q["sql"] for q in captured.captured_queries)
        counts.append(len(captured))
    assert len(set(counts)) == 1


def test_device_list_queryset_matches_the_page(users, devices):
    officer = users["council_officer"]
    assert {d.serial for d in device_list_queryset(officer, {"kind": "laptop"})} == {"CAM-LAPTOP-1", "CAM-SPARE-1"}
    assert not device_list_queryset(users["london_lead"]).exists()
    assert not device_list_queryset(officer, {"kind": "bogus"}).exists()
    ordered = [d.serial for d in device_list_queryset(officer, {"sort": "-serial"})]
    assert ordered == ["CAM-SPARE-1", "CAM-ROUTER-1", "CAM-LAPTOP-1"]
    assert len(device_list_queryset(officer, {"sort": "no_such_column"})) == 3


# Detail ------------------------------------------------------------------------------------


def test_detail_shows_summary_sim_plans_usage_and_strip(client, users, devices, django_assert_max_num_queries):
    router, sim = devices["router"], devices["sim"]
    this_month = timezone.localdate().replace(day=1)
    UsageReadingFactory(sim=sim, period=this_month, mb_used=3500)
    services.mark_in_stock(device=router, by=users["council_officer"], note="Into the cupboard")
    client = login(client, users["council_officer"])
    with django_assert_max_num_queries(13):  # 12: the SIM's requests to the network (connectivity); 13: the last stocktake that found it (stocktakes)
        response = client.get(reverse("devices:device_detail", args=[router.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "CAM-ROUTER-1" in html and router.imei in html
    assert sim.iccid in html and "07700 900123" in html and "Vodafone" in html
    assert "3,500" in html and "Used up" in html and "app-w-100" in html
    assert len(response.context["strip"]) == 36
    assert "Cover month by month" in html
    assert "Into the cupboard" in html and "Put in stock" in html
    assert 'action="%s"' % reverse("devices:device_transition", args=[router.pk]) in html


def test_detail_out_of_scope_is_404(client, users, devices):
    response = login(client, users["council_officer"]).get(reverse("devices:device_detail", args=[devices["theirs"].pk]))
    assert response.status_code == 404
    response = login(client, users["school_staff"]).get(reverse("devices:device_detail", args=[devices["spare"].pk]))
    assert response.status_code == 404


def test_detail_shows_holder_to_officer(client, users, school):
    allocation = AllocationFactory(child__school=school, child__first_name="Aisha", child__last_name="Khan", status="planned")
    response = login(client, users["council_officer"]).get(reverse("devices:device_detail", args=[allocation.device_id]))
    assert "Aisha Khan" in response.content.decode()


# Lifecycle POST ----------------------------------------------------------------------------


def transition_url(device):
    return reverse("devices:device_transition", args=[device.pk])


def test_officer_moves_device_through_the_lifecycle(client, users, devices):
    device = devices["mine"]
    client = login(client, users["council_officer"])
    response = client.post(transition_url(device), {"action": "in_stock", "note": "Checked in"}, follow=True)
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.status == DeviceStatus.IN_STOCK
    assert "is now" in response.content.decode()
    assert device.events.get().actor == users["council_officer"]


def test_forbidden_transition_is_a_message_not_a_500(client, users, devices):
    device = devices["mine"]
    client = login(client, users["council_officer"])
    response = client.post(transition_url(device), {"action": "handed_over"}, follow=True)
    assert response.status_code == 200
    assert "not possible for this device" in response.content.decode()
    response = client.post(transition_url(device), {"action": ""}, follow=True)
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.status == DeviceStatus.DELIVERED


def test_stale_form_is_refused_with_a_message(client, users, devices):
    device = devices["mine"]
    services.write_off(device=device, by=users["council_officer"])
    response = login(client, users["council_officer"]).post(transition_url(device), {"action": "lost"}, follow=True)
    assert response.status_code == 200
    device.refresh_from_db()
    assert device.status == DeviceStatus.WRITTEN_OFF


def test_school_staff_may_only_report_a_fault(client, users, devices):
    device = devices["mine"]
    client = login(client, users["school_staff"])
    client.post(transition_url(device), {"action": "written_off"})
    device.refresh_from_db()
    assert device.status == DeviceStatus.DELIVERED
    client.post(transition_url(device), {"action": "fault_reported", "note": "Keyboard broken"})
    device.refresh_from_db()
    assert device.status == DeviceStatus.FAULT_REPORTED


@pytest.mark.parametrize("role", ["cio", "support_agent"])
def test_read_only_roles_cannot_change_status(client, users, devices, role):
    device = devices["mine"]
    client = login(client, users[role])
    page = client.get(reverse("devices:device_detail", args=[device.pk])).content.decode()
    assert "Save status" not in page
    client.post(transition_url(device), {"action": "in_stock"})
    device.refresh_from_db()
    assert device.status == DeviceStatus.DELIVERED


def test_transition_out_of_scope_is_404(client, users, devices):
    response = login(client, users["council_officer"]).post(transition_url(devices["theirs"]), {"action": "in_stock"})
    assert response.status_code == 404
    assert login(client, users["council_officer"]).get(transition_url(devices["mine"])).status_code == 302


# SIMs, deliveries, alerts ------------------------------------------------------------------


def test_sim_list_and_detail_are_scoped(client, users, devices, other_la):
    theirs = SimFactory(local_authority=other_la)
    client = login(client, users["council_officer"])
    response = client.get(reverse("connectivity:sim_list"))
    assert {row.record.pk for row in response.context["table"].paginated_rows} == {devices["sim"].pk}
    assert client.get(reverse("connectivity:sim_list"), {"q": "07700900123"}).status_code == 200
    assert client.get(reverse("connectivity:sim_detail", args=[devices["sim"].pk])).status_code == 200
    assert client.get(reverse("connectivity:sim_detail", args=[theirs.pk])).status_code == 404


def test_batch_list_and_detail(client, users, la, other_la, django_assert_max_num_queries):
    batch = DeliveryBatchFactory(local_authority=la, order_reference="PO-CAM-1")
    DeviceFactory.create_batch(3, local_authority=la, batch=batch)
    theirs = DeliveryBatchFactory(local_authority=other_la)
    client = login(client, users["council_officer"])
    response = client.get(reverse("devices:batch_list"))
    assert {row.record.pk for row in response.context["table"].paginated_rows} == {batch.pk}
    assert "?kind=delivery" in response.content.decode()
    with django_assert_max_num_queries(8):
        detail = client.get(reverse("devices:batch_detail", args=[batch.pk]))
    assert detail.context["total"] == 3
    assert client.get(reverse("devices:batch_detail", args=[theirs.pk])).status_code == 404


def test_alerts_page_filters_and_acknowledge(client, users, la, other_la):
    mine = Alert.objects.create(key="a1", kind=Alert.Kind.PLAN_ENDING, local_authority=la, message="Plan ends soon")
    done = Alert.objects.create(key="a2", kind=Alert.Kind.LICENCE_ENDING, local_authority=la, message="Licence ends",
                                acknowledged_at=timezone.now())
    theirs = Alert.objects.create(key="a3", kind=Alert.Kind.PLAN_ENDING, local_authority=other_la, message="Not yours")
    client = login(client, users["council_officer"])
    url = reverse("devices:alert_list")
    each = {"show": "each"}
    assert {r.record.pk for r in client.get(url, each).context["table"].paginated_rows} == {mine.pk, done.pk}
    assert {r.record.pk for r in client.get(url, {**each, "state": "open"}).context["table"].paginated_rows} == {mine.pk}
    assert {r.record.pk for r in client.get(url, {**each, "kind": "licence_ending"}).context["table"].paginated_rows} == {done.pk}
    assert "Acknowledge" in client.get(url).content.decode()
    assert "Acknowledge" in client.get(url, each).content.decode()
    response = client.post(reverse("devices:alert_acknowledge", args=[mine.pk]), {"next": url + "?state=open"})
    assert response.status_code == 302 and response.url == url + "?state=open"
    mine.refresh_from_db()
    assert mine.acknowledged_by == users["council_officer"]
    assert client.post(reverse("devices:alert_acknowledge", args=[theirs.pk])).status_code == 404
    response = client.post(reverse("devices:alert_acknowledge", args=[mine.pk]), {"next": "https://evil.example/"})
    assert response.url == url


def test_cio_sees_alerts_but_cannot_acknowledge(client, users, la):
    alert = Alert.objects.create(key="a1", kind=Alert.Kind.PLAN_ENDING, local_authority=la, message="Plan ends soon")
    client = login(client, users["cio"])
    assert "Acknowledge</button>" not in client.get(reverse("devices:alert_list")).content.decode()
    assert client.post(reverse("devices:alert_acknowledge", args=[alert.pk])).status_code == 403


def test_dashboard_cards_and_navigation(client, users, devices, django_assert_max_num_queries):
    Alert.objects.create(key="a1", kind=Alert.Kind.PLAN_ENDING, local_authority=devices["mine"].local_authority, message="x")
    from devices.dashboard import cards

    cards(users["council_officer"])  # the first look records the scheduled jobs (the overdue check's baseline)
    # The registered figures' facts (reports.definitions: children flags, children with data,
    # devices, estimates, LAs), shared with every other home card in the request; alerts; and
    # two for the overdue-jobs check (the jobs, the open overdue alerts).
    with django_assert_max_num_queries(8):
        result = cards(users["council_officer"])
    values = {c.name or c.label: c.value for c in result}
    assert values["devices_delivered"] == 3 and values["devices_in_stock"] == 3 and values["Open alerts"] == 1
    assert cards(users["london_lead"]) == []
    home = login(client, users["council_officer"]).get(reverse("home")).content.decode()
    assert reverse("devices:device_list") in home and reverse("devices:alert_list") in home


def test_other_school_in_same_la_is_hidden_from_school_staff(client, users, la):
    elsewhere = DeviceFactory(local_authority=la, school=SchoolFactory(local_authority=la))
    response = login(client, users["school_staff"]).get(reverse("devices:device_detail", args=[elsewhere.pk]))
    assert response.status_code == 404


def test_alert_export_neutralises_and_leaves_out_the_button(client, users, la, other_la):
    Alert.objects.create(key="a1", kind=Alert.Kind.PLAN_ENDING, local_authority=la, message="=cmd|' /C calc'!A0")
    Alert.objects.create(key="a2", kind=Alert.Kind.PLAN_ENDING, local_authority=other_la, message="Hackney only")
    response = login(client, users["council_officer"]).get(reverse("devices:alert_list"), {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert "Action" not in rows[0]
    assert len(rows) == 2
    assert rows[1][rows[0].index("Message")] == "'=cmd|' /C calc'!A0"
    assert rows[1][rows[0].index("Alert")] == "Data plan ending within 30 days"


def test_sim_export_shows_numbers_in_national_format(client, users, devices):
    response = login(client, users["council_officer"]).get(reverse("connectivity:sim_list"), {"_export": "csv"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1][rows[0].index("Mobile number")] == "07700 900123"


def test_device_page_links_to_report_a_fault(client, users, school):
    from devices.tests.factories import DeviceFactory

    device = DeviceFactory(local_authority=school.local_authority, school=school)
    client.force_login(users["school_staff"])
    body = client.get(device.get_absolute_url()).content.decode()
    assert f"/support/new/?device={device.pk}" in body
    client.force_login(users["cio"])
    assert "/support/new/" not in client.get(device.get_absolute_url()).content.decode()
