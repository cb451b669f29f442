"""API: scoping of every read endpoint, child data by role, token writes and token scopes."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from allocations.tests.factories import AllocationFactory
from connectivity.models import UsageReading
from devices.models import Device
from connectivity.tests.factories import NetworkOperatorFactory, SimFactory
from devices.tests.factories import DeviceFactory
from reports.services import create_api_token, revoke_api_token

READ_ENDPOINTS = ["/api/devices/", "/api/sims/", "/api/allocations/", "/api/tickets/", "/api/shortfall/"]


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def rows(la, other_la, school, other_school):
    from support.tests.factories import TicketFactory

    mine = AllocationFactory(child__school=school)
    theirs = AllocationFactory(child__school=other_school)
    SimFactory(local_authority=la, device=mine.device)
    SimFactory(local_authority=other_la, device=theirs.device)
    TicketFactory(school=school)
    TicketFactory(school=other_school)
    return mine, theirs


def _ids(response):
    return {r.get("id") or r.get("local_authority") for r in response.json()["results"]}


@pytest.mark.parametrize("url", READ_ENDPOINTS)
def test_read_endpoints_scoped_to_the_officers_la(api, users, rows, url, django_assert_max_num_queries):
    api.force_authenticate(users["council_officer"])
    with django_assert_max_num_queries(12):
        response = api.get(url)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["count"] >= 1
    text = response.content.decode()
    mine, theirs = rows
    assert theirs.device.serial not in text
    assert theirs.child.reference not in text
    if url == "/api/shortfall/":
        assert _ids(response) == {"202"}


@pytest.mark.parametrize("url", READ_ENDPOINTS)
def test_london_lead_and_anonymous_get_no_rows(api, users, rows, url):
    assert api.get(url).status_code in (401, 403)
    api.force_authenticate(users["london_lead"])
    assert api.get(url).status_code == 403


def test_detail_of_out_of_scope_row_is_404(api, users, rows):
    mine, theirs = rows
    api.force_authenticate(users["council_officer"])
    assert api.get(f"/api/devices/{mine.device.pk}/").status_code == 200
    assert api.get(f"/api/devices/{theirs.device.pk}/").status_code == 404
    assert api.get(f"/api/allocations/{theirs.pk}/").status_code == 404


def test_school_staff_see_their_school_only(api, users, rows):
    api.force_authenticate(users["school_staff"])
    response = api.get("/api/allocations/")
    assert response.json()["count"] == 1


def test_child_personal_data_by_role(api, users, rows):
    api.force_authenticate(users["council_officer"])
    child = api.get("/api/allocations/").json()["results"][0]["child"]
    assert "first_name" in child and "guardian_phone" in child
    api.force_authenticate(users["cio"])
    child = api.get("/api/allocations/").json()["results"][0]["child"]
    assert "first_name" in child and "guardian_phone" not in child


def test_filters_are_the_pages_filtersets(api, users, la, school):
    DeviceFactory(local_authority=la, kind="laptop")
    DeviceFactory(local_authority=la, kind="router", imei=None)
    api.force_authenticate(users["council_officer"])
    assert api.get("/api/devices/?kind=router").json()["count"] == 1
    assert api.get("/api/devices/?kind=spaceship").status_code == 400


def test_tokens_cannot_read(api, users, la):
    token, raw = create_api_token(name="x", kind="supplier", supplier_name="Computacenter", by=users["admin"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.get("/api/devices/").status_code == 403


def delivery(la_code="202", serial="ABC123"):
    return {"local_authority": la_code, "rows": [{"kind": "laptop", "serial": serial, "delivered_on": "15/01/2026", "make": "Lenovo"}]}


def test_supplier_token_posts_a_delivery(api, users, la):
    token, raw = create_api_token(name="x", kind="supplier", supplier_name="Computacenter", by=users["admin"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.post("/api/deliveries/", delivery(), format="json")
    assert response.status_code == 201, response.content
    device = Device.objects.get(serial="ABC123")
    assert device.local_authority == la and device.batch.supplier == "Computacenter"
    # The same serial again: a row error, nothing written.
    response = api.post("/api/deliveries/", delivery(), format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 1


def test_supplier_token_limited_to_its_la(api, users, la, other_la):
    token, raw = create_api_token(name="x", kind="supplier", supplier_name="Computacenter", by=users["council_officer"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.post("/api/deliveries/", delivery(other_la.code), format="json").status_code == 403
    assert not Device.objects.exists()


def test_bad_delivery_rows_are_400_not_500(api, users, la):
    token, raw = create_api_token(name="x", kind="supplier", supplier_name="Computacenter", by=users["admin"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    bad = {"local_authority": "202", "rows": [{"kind": "spaceship", "serial": "", "delivered_on": "31/02/2026"}]}
    assert api.post("/api/deliveries/", bad, format="json").status_code == 400
    assert api.post("/api/deliveries/", "not json", content_type="application/json").status_code == 400
    assert api.post("/api/deliveries/", {"local_authority": "999", "rows": delivery()["rows"]}, format="json").status_code == 400


def test_revoked_and_unknown_tokens_are_refused(api, users, la):
    token, raw = create_api_token(name="x", kind="supplier", supplier_name="Computacenter", by=users["admin"])
    revoke_api_token(token=token, by=users["admin"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.post("/api/deliveries/", delivery(), format="json").status_code == 401
    api.credentials(HTTP_AUTHORIZATION="Bearer nonsense")
    assert api.post("/api/deliveries/", delivery(), format="json").status_code == 401
    assert not Device.objects.exists()


def test_operator_token_posts_usage_for_its_own_sims_only(api, users, la):
    ee = NetworkOperatorFactory(name="EE", slug="ee")
    vodafone = NetworkOperatorFactory(name="Vodafone", slug="vodafone")
    own = SimFactory(local_authority=la, network=ee)
    other = SimFactory(local_authority=la, network=vodafone)
    token, raw = create_api_token(name="EE usage", kind="operator", network_operator=ee, by=users["admin"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.post("/api/usage-readings/", {"rows": [{"iccid": own.iccid, "month": "2026-03", "mb_used": 2048}]}, format="json")
    assert response.status_code == 201, response.content
    assert UsageReading.objects.get(sim=own).mb_used == 2048
    both = {"rows": [{"iccid": own.iccid, "month": "2026-04", "mb_used": 10}, {"iccid": other.iccid, "month": "2026-04", "mb_used": 10}]}
    response = api.post("/api/usage-readings/", both, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["row"] == 2
    assert not UsageReading.objects.filter(period__month=4).exists()


def test_supplier_token_cannot_post_usage(api, users, la):
    token, raw = create_api_token(name="x", kind="supplier", supplier_name="Computacenter", by=users["admin"])
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.post("/api/usage-readings/", {"rows": []}, format="json").status_code == 403


def test_officer_cannot_create_operator_tokens(users):
    from django.core.exceptions import PermissionDenied

    ee = NetworkOperatorFactory(name="EE", slug="ee")
    with pytest.raises(PermissionDenied):
        create_api_token(name="x", kind="operator", network_operator=ee, by=users["council_officer"])


def test_rate_limit_answers_429(api, users, la, settings):
    from django.core.cache import cache

    cache.clear()
    from reports.api_common import TokenOrUserRateThrottle

    # DRF reads the rates into the class once: keep the real ones to put back afterwards (the
    # settings fixture restores REST_FRAMEWORK only after this test, too late for the class).
    original = TokenOrUserRateThrottle.THROTTLE_RATES
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"api": "2/min", "api_write": "2/min"}}
    from rest_framework.settings import api_settings

    api_settings.reload()
    TokenOrUserRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
    try:
        api.force_authenticate(users["council_officer"])
        codes = [api.get("/api/devices/").status_code for _ in range(4)]
        assert codes[:2] == [200, 200] and codes[-1] == 429
    finally:
        TokenOrUserRateThrottle.THROTTLE_RATES = original
        cache.clear()


def test_schema_and_docs(client, users):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200 and "/api/deliveries/" in docs.content.decode()
