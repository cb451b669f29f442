"""Stocktakes through HTTP and services: start, scan (found, duplicate, unexpected), close,
report, export, overdue schools, and the device page's "last seen"."""

import datetime
import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import SchoolFactory
from devices.models import DeviceStatus, Ownership
from devices.tests.factories import DeviceFactory, RouterFactory
from stocktakes import services
from stocktakes.models import Stocktake, StocktakeScan
from stocktakes.tests.factories import StocktakeFactory

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def shelf(school):
    """Three devices expected at ``school`` and some that are not."""
    la = school.local_authority
    expected = [
        DeviceFactory(local_authority=la, school=school, status=DeviceStatus.IN_STOCK, serial="ABC-001", asset_tag="cam 0001"),
        DeviceFactory(local_authority=la, school=school, status=DeviceStatus.ALLOCATED, serial="ABC-002"),
        RouterFactory(local_authority=la, school=school, status=DeviceStatus.DELIVERED, serial="R-003"),
    ]
    DeviceFactory(local_authority=la, school=school, status=DeviceStatus.HANDED_OVER, serial="WITH-FAMILY")
    DeviceFactory(local_authority=la, school=school, status=DeviceStatus.IN_STOCK, ownership=Ownership.FAMILY, serial="OWNED")
    DeviceFactory(local_authority=la, school=school, status=DeviceStatus.LOST, serial="LOST-1")
    return expected


def start(user, school):
    return services.start_stocktake(by=user, local_authority=school.local_authority, school=school)


def test_start_snapshots_the_expected_devices_of_a_school(users, school, shelf):
    stocktake = start(users["school_staff"], school)
    codes = set(stocktake.items.values_list("code", flat=True))
    assert codes == {"ABC-001", "ABC-002", "R-003"}
    # The snapshot does not follow later changes.
    DeviceFactory(local_authority=school.local_authority, school=school, status=DeviceStatus.IN_STOCK, serial="LATER")
    assert stocktake.items.count() == 3


def test_the_store_room_expects_the_councils_devices_with_no_school(users, la, school, shelf):
    in_store = DeviceFactory(local_authority=la, school=None, status=DeviceStatus.RETURNED, serial="STORE-1")
    DeviceFactory(local_authority=la, school=None, status=DeviceStatus.ALLOCATED, serial="STORE-ALLOC")
    stocktake = services.start_stocktake(by=users["council_officer"], local_authority=la, school=None)
    assert list(stocktake.items.values_list("device_id", flat=True)) == [in_store.pk]
    assert "store room" in str(stocktake)


def test_one_open_stocktake_per_place(client, users, school, shelf):
    start(users["council_officer"], school)
    client.force_login(users["school_staff"])
    response = client.post(reverse("stocktakes:stocktake_start"), {"place": str(school.pk)})
    assert response.status_code == 200
    assert "already open" in response.content.decode()
    assert Stocktake.objects.count() == 1


def test_roles(client, users, school, other_school, shelf):
    stocktake = start(users["council_officer"], school)
    client.force_login(users["cio"])
    assert client.get(stocktake.get_absolute_url()).status_code == 200
    assert client.post(reverse("stocktakes:stocktake_scan", args=[stocktake.pk]), {"code": "ABC-001"}).status_code == 403
    assert client.get(reverse("stocktakes:stocktake_start")).status_code == 403
    for role in ("london_lead", "support_agent"):
        client.force_login(users[role])
        assert client.get(reverse("stocktakes:stocktake_list")).status_code == 403
    # School staff cannot start one of another school, even by posting its id.
    client.force_login(users["school_staff"])
    response = client.post(reverse("stocktakes:stocktake_start"), {"place": str(other_school.pk)})
    assert response.status_code == 200 and Stocktake.objects.count() == 1
    response = client.post(reverse("stocktakes:stocktake_start"), {"place": "store"})
    assert response.status_code == 200 and Stocktake.objects.count() == 1
    # ... nor see another school's stocktake.
    theirs = StocktakeFactory(school=SchoolFactory(local_authority=school.local_authority))
    assert client.get(theirs.get_absolute_url()).status_code == 404
    assert client.post(reverse("stocktakes:stocktake_scan", args=[theirs.pk]), {"code": "X"}).status_code == 404


def test_school_staff_run_a_stocktake_over_http(client, users, school, shelf):
    client.force_login(users["school_staff"])
    response = client.get(reverse("stocktakes:stocktake_start"))
    assert response.status_code == 200
    response = client.post(reverse("stocktakes:stocktake_start"), {"place": str(school.pk)})
    stocktake = Stocktake.objects.get()
    assert response.url == stocktake.get_absolute_url()
    scan = reverse("stocktakes:stocktake_scan", args=[stocktake.pk])
    # Without JavaScript: POST, redirect, the outcome shown as a message.
    response = client.post(scan, {"code": "  abc-001 "}, follow=True)
    assert "Found: ABC-001" in response.content.decode()
    response = client.post(scan, {"code": "ABC-001"}, follow=True)
    assert "Already scanned: ABC-001" in response.content.decode()
    response = client.post(scan, {"code": "no such thing"}, follow=True)
    assert "Unexpected: NOSUCHTHING" in response.content.decode()
    response = client.post(scan, {"code": "   "}, follow=True)
    assert "Scan a barcode" in response.content.decode()
    item = stocktake.items.get(code="ABC-001")
    assert item.found_at and item.scans == 2
    counts = Stocktake.objects.with_counts().get()
    assert (counts.n_expected, counts.n_found, counts.n_missing, counts.n_unexpected) == (3, 1, 2, 1)


def test_scan_matches_serial_imei_and_asset_tag_ignoring_case_and_spaces(client, users, school, shelf):
    stocktake = start(users["council_officer"], school)
    client.force_login(users["council_officer"])
    scan = reverse("stocktakes:stocktake_scan", args=[stocktake.pk])
    router = shelf[2]
    for code, device in ((" CAM0001 ", shelf[0]), ("abc - 002", shelf[1]), (router.imei[:7] + " " + router.imei[7:], router)):
        data = client.post(scan, {"code": code}, **JSON).json()
        assert data["result"] == "found", code
        assert data["item"]["id"] == stocktake.items.get(device=device).pk
    assert data["counts"] == {"n_expected": 3, "n_found": 3, "n_missing": 0, "n_unexpected": 0}


def test_a_device_outside_the_scanners_scope_is_unexpected_and_reveals_nothing(client, users, school, other_la, shelf):
    secret = DeviceFactory(local_authority=other_la, serial="HACKNEY-SECRET", make="Secretmake", model="Hiddenmodel")
    neighbour = DeviceFactory(local_authority=school.local_authority, school=SchoolFactory(local_authority=school.local_authority), serial="NEXT-DOOR")
    stocktake = start(users["school_staff"], school)
    client.force_login(users["school_staff"])
    scan = reverse("stocktakes:stocktake_scan", args=[stocktake.pk])
    for code in ("hackney-secret", "next-door"):
        data = client.post(scan, {"code": code}, **JSON).json()
        assert data["result"] == "unexpected" and data["item"]["description"] == ""
    assert not stocktake.items.filter(device__in=[secret, neighbour]).exists()
    page = client.get(stocktake.get_absolute_url()).content.decode()
    assert "Secretmake" not in page and f"/devices/{secret.pk}/" not in page
    # The officer scanning a device of another school of their LA gets a link to it.
    other = start(users["council_officer"], neighbour.school)
    client.force_login(users["council_officer"])
    client.post(reverse("stocktakes:stocktake_scan", args=[other.pk]), {"code": "ABC-001"}, **JSON)
    assert other.items.get(code="ABC-001").device == shelf[0]
    assert reverse("devices:device_detail", args=[shelf[0].pk]) in client.get(other.get_absolute_url()).content.decode()


def test_bad_input_never_crashes(client, users, school, shelf):
    stocktake = start(users["council_officer"], school)
    client.force_login(users["council_officer"])
    scan = reverse("stocktakes:stocktake_scan", args=[stocktake.pk])
    for code in ("", "x" * 500, "\x00", "'; DROP TABLE x;--", "ü" * 61):
        response = client.post(scan, {"code": code}, **JSON)
        assert response.status_code in (200, 400), code
        assert "error" in response.json() or response.json()["result"] == "unexpected"
    assert "too long" in client.post(scan, {"code": "x" * 500}, **JSON).json()["error"]
    assert "too long" in client.post(scan, {"code": "x" * 5000}, **JSON).json()["error"]
    assert "Scan a barcode" in client.post(scan, {"code": "  "}, **JSON).json()["error"]
    assert client.get(scan).status_code == 302
    assert client.post(reverse("stocktakes:stocktake_scan", args=[999999]), {"code": "A"}).status_code == 404


def test_a_racing_unexpected_insert_counts_once(users, school, shelf, monkeypatch):
    """The loser of an insert race (its lookup saw no line; the winner's insert then landed)
    gets the unique constraint's IntegrityError and records a duplicate."""
    stocktake = start(users["council_officer"], school)
    first = services.record_scan(stocktake=stocktake, code="RACE-1", by=users["council_officer"])
    monkeypatch.setattr(services, "_matching_item", lambda stocktake, key: None)
    second = services.record_scan(stocktake=stocktake, code="race-1", by=users["council_officer"])
    assert (first.result, second.result) == ("unexpected", "duplicate")
    assert stocktake.items.filter(code="RACE-1").count() == 1
    assert stocktake.items.get(code="RACE-1").scans == 2
    assert list(StocktakeScan.objects.filter(stocktake=stocktake).values_list("result", flat=True).order_by("pk")) == ["unexpected", "duplicate"]


def test_a_racing_found_update_counts_once(users, school, shelf, monkeypatch):
    stocktake = start(users["council_officer"], school)
    stale = stocktake.items.get(code="ABC-001")  # read before the other scanner marked it found
    services.record_scan(stocktake=stocktake, code="ABC-001", by=users["council_officer"])
    monkeypatch.setattr(services, "_matching_item", lambda stocktake, key: stale)
    outcome = services.record_scan(stocktake=stocktake, code="ABC-001", by=users["school_staff"])
    assert outcome.result == "duplicate"
    item = stocktake.items.get(code="ABC-001")
    assert item.found_by == users["council_officer"] and item.scans == 2


def test_close_confirms_then_keeps_the_report(client, users, school, shelf):
    stocktake = start(users["council_officer"], school)
    client.force_login(users["council_officer"])
    scan = reverse("stocktakes:stocktake_scan", args=[stocktake.pk])
    client.post(scan, {"code": "ABC-001"})
    client.post(scan, {"code": "ABC-002"})
    client.post(scan, {"code": "MYSTERY"})
    close = reverse("stocktakes:stocktake_close", args=[stocktake.pk])
    page = client.get(close).content.decode()
    assert "cannot be undone" in page
    assert Stocktake.objects.get().is_open  # GET changes nothing
    response = client.post(close)
    assert response.status_code == 302
    stocktake.refresh_from_db()
    assert stocktake.status == "closed" and stocktake.closed_by == users["council_officer"]
    report = client.get(stocktake.get_absolute_url()).content.decode()
    assert "R-003" in report and "Missing" in report and "MYSTERY" in report and "Print this report" in report
    assert 'name="code"' not in report
    # Closed means closed: no scans, no second close, no reopening.
    with pytest.raises(services.StocktakeError):
        services.record_scan(stocktake=stocktake, code="R-003", by=users["council_officer"])
    response = client.post(scan, {"code": "R-003"}, **JSON)
    assert response.status_code == 400 and "closed" in response.json()["error"]
    with pytest.raises(services.StocktakeError):
        services.close_stocktake(stocktake=stocktake, by=users["council_officer"])
    assert services.MOVES[Stocktake.Status.CLOSED] == set()
    # Export: CSV and Excel, one row per line.
    export = reverse("stocktakes:stocktake_export", args=[stocktake.pk])
    csv = b"".join(client.get(export).streaming_content).decode("utf-8-sig")
    assert csv.count("\n") == 5 and "Missing" in csv and "MYSTERY" in csv
    response = client.get(export + "?format=xlsx")
    data = response.content if hasattr(response, "content") else b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.max_row == 5
    # CIOs read the report and its export.
    client.force_login(users["cio"])
    assert client.get(export).status_code == 200


def test_device_page_shows_last_seen(client, users, school, shelf):
    client.force_login(users["council_officer"])
    url = reverse("devices:device_detail", args=[shelf[0].pk])
    assert "Not seen in a stocktake yet" in client.get(url).content.decode()
    stocktake = start(users["council_officer"], school)
    services.record_scan(stocktake=stocktake, code="ABC-001", by=users["council_officer"])
    page = client.get(url).content.decode()
    assert "Last seen in a stocktake" in page and stocktake.get_absolute_url() in page


def test_overdue_schools(client, users, la, school, settings):
    settings.STOCKTAKE_OVERDUE_DAYS = 365
    recent = SchoolFactory(local_authority=la, name="Recently Counted")
    old = SchoolFactory(local_authority=la, name="Long Ago")
    SchoolFactory(local_authority=la, name="Closed One", status="closed")
    now = timezone.now()
    StocktakeFactory(school=recent, status="closed", closed_at=now - datetime.timedelta(days=10))
    StocktakeFactory(school=old, status="closed", closed_at=now - datetime.timedelta(days=400))
    StocktakeFactory(school=school)  # open only: still never closed one, so overdue
    client.force_login(users["council_officer"])
    page = client.get(reverse("stocktakes:overdue_list")).content.decode()
    assert "Long Ago" in page and school.name in page
    assert "Recently Counted" not in page and "Closed One" not in page
    home = client.get("/").content.decode()
    assert "Schools due a stocktake" in home
    client.force_login(users["school_staff"])
    assert client.get(reverse("stocktakes:overdue_list")).status_code == 403


def test_list_and_api(client, users, school, other_school, shelf):
    mine = start(users["council_officer"], school)
    StocktakeFactory(school=other_school)
    client.force_login(users["council_officer"])
    response = client.get(reverse("stocktakes:stocktake_list"))
    assert response.status_code == 200 and school.name in response.content.decode()
    assert other_school.name not in response.content.decode()
    data = client.get("/api/stocktakes/").json()
    assert [r["id"] for r in data["results"]] == [mine.pk]
    assert data["results"][0]["expected"] == 3


@pytest.mark.parametrize("n", [20, 400])
def test_the_scan_endpoint_runs_a_constant_number_of_queries(client, users, la, django_assert_max_num_queries, n):
    """The scan's queries do not grow with the stocktake (pinned for 20 and 400 items)."""
    school = users["school_staff"].school
    DeviceFactory.create_batch(n, local_authority=la, school=school, status=DeviceStatus.IN_STOCK)
    stocktake = start(users["council_officer"], school)
    code = stocktake.items.order_by("pk").first().code
    client.force_login(users["council_officer"])
    client.get(reverse("stocktakes:stocktake_list"))  # session and user warm
    scan = reverse("stocktakes:stocktake_scan", args=[stocktake.pk])
    # session, user, stocktake; item lookup, update, scan row (+ savepoints); counts
    with django_assert_max_num_queries(12):
        assert client.post(scan, {"code": code}, **JSON).json()["result"] == "found"
    with django_assert_max_num_queries(15):
        assert client.post(scan, {"code": "UNKNOWN-CODE"}, **JSON).json()["result"] == "unexpected"


def test_detail_page_query_count(client, users, school, shelf, django_assert_max_num_queries):
    stocktake = start(users["council_officer"], school)
    client.force_login(users["council_officer"])
    client.get(stocktake.get_absolute_url())
    with django_assert_max_num_queries(16):
        assert client.get(stocktake.get_absolute_url()).status_code == 200
