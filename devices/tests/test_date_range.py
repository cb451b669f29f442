"""Issue 15 findings 2 and 9: dates outside 1990-2100 are refused everywhere (imports, API,
forms) and pages never fail on a date already stored; one bound for usage in files and API."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from devices.horizon import add_months
from devices.models import Device
from connectivity.tests.factories import NetworkOperatorFactory, SimFactory
from devices.tests.factories import DeviceFactory
from connectivity.usage import MAX_MB, parse_usage
from reports.models import NeedEstimate
from reports.services import create_api_token
from reports.tests.factories import NeedEstimateFactory


def test_add_months_is_safe_for_any_date():
    assert add_months(datetime.date(9999, 12, 31), 36) == datetime.date.max
    assert add_months(datetime.date(1, 1, 1), -1) == datetime.date.min


@pytest.mark.parametrize("stored", [datetime.date(1, 1, 1), datetime.date(9999, 12, 31)])
def test_device_page_does_not_fail_on_a_date_already_stored(client, users, la, stored):
    device = DeviceFactory(local_authority=la)
    Device.objects.filter(pk=device.pk).update(delivered_on=stored, handed_over_on=stored)
    for role in ("council_officer", "cio", "admin"):
        client.force_login(users[role])
        assert client.get(reverse("devices:device_detail", args=[device.pk])).status_code == 200, role


@pytest.mark.parametrize("day", ["01/01/0001", "9999-12-31"])
def test_delivery_api_refuses_dates_out_of_range(users, la, day):
    _token, raw = create_api_token(name="x", kind="supplier", supplier_name="Computacenter", by=users["admin"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    response = api.post("/api/deliveries/", {"local_authority": la.code, "rows": [{"kind": "laptop", "serial": "Y1", "delivered_on": day}]}, format="json")
    assert response.status_code == 400
    assert "between 01/01/1990 and 31/12/2100" in response.content.decode()
    assert not Device.objects.filter(serial="Y1").exists()


def test_usage_has_one_bound_for_files_and_api(users, la):
    with pytest.raises(ValueError, match="the most we record is 10,000,000 MB"):
        parse_usage("1e308", 1)
    assert parse_usage(str(MAX_MB), 1) == MAX_MB
    ee = NetworkOperatorFactory(name="EE", slug="ee")
    sim = SimFactory(local_authority=la, network=ee)
    _token, raw = create_api_token(name="EE", kind="operator", network_operator=ee, by=users["admin"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert api.post("/api/usage-readings/", {"rows": [{"iccid": sim.iccid, "month": "2026-03", "mb_used": 1e308}]}, format="json").status_code == 400
    assert api.post("/api/usage-readings/", {"rows": [{"iccid": sim.iccid, "month": "9999-03", "mb_used": 1}]}, format="json").status_code == 400


def test_need_estimate_edit_through_the_page(client, users, school):
    estimate = NeedEstimateFactory(school=school, estimated_on=datetime.date(2026, 3, 1), count=4)
    client.force_login(users["council_officer"])
    url = reverse("reports:need_estimate_update", args=[estimate.pk])
    page = client.get(url).content.decode()
    assert 'value="2026-03-01"' in page  # the format a date input accepts
    response = client.post(url, {"school": school.pk, "kind": estimate.kind, "count": 6, "estimated_on": "2026-03-01", "note": ""})
    assert response.status_code == 302
    assert NeedEstimate.objects.get(pk=estimate.pk).count == 6
    response = client.post(url, {"school": school.pk, "kind": estimate.kind, "count": 6, "estimated_on": "9999-03-01", "note": ""})
    assert response.status_code == 200 and "between 01/01/1990 and 31/12/2100" in response.content.decode()


def test_handover_form_refuses_dates_out_of_range():
    from allocations.forms import uk_date_field

    field = uk_date_field("x")
    with pytest.raises(Exception, match="between 01/01/1990"):
        field.clean("01/01/0001")
