"""The API for connection plans and data bank vouchers: scoped reads, and giving a voucher
through the same service as the give page (a code is never given twice)."""

import pytest

from allocations.tests.factories import ChildFactory
from connectivity.models import ConnectionPlan, DataVoucher
from connectivity.tests.factories import ConnectionPlanFactory, DataVoucherFactory


@pytest.fixture
def scene(la, other_la, school, other_school):
    mine = ChildFactory(school=school, needs_connectivity=True, reference="CAM-0001")
    theirs = ChildFactory(school=other_school, needs_connectivity=True, reference="HAC-0001")
    return {
        "child": mine,
        "plan": ConnectionPlanFactory(child=mine),
        "their_plan": ConnectionPlanFactory(child=theirs),
        "voucher": DataVoucherFactory(local_authority=la, code="NDB-MINE-1"),
        "their_voucher": DataVoucherFactory(local_authority=other_la, code="NDB-THEIRS-1"),
        "theirs": theirs,
    }


def test_plans_are_listed_in_scope_only(client, users, scene, django_assert_max_num_queries):
    client.force_login(users["council_officer"])
    for _ in range(3):
        ConnectionPlanFactory(child=ChildFactory(school=scene["child"].school, needs_connectivity=True))
    with django_assert_max_num_queries(7):
        body = client.get("/api/connection-plans/").json()
    ids = {row["id"] for row in body["results"]}
    assert scene["plan"].pk in ids and scene["their_plan"].pk not in ids and len(ids) == 4
    row = next(r for r in body["results"] if r["id"] == scene["plan"].pk)
    assert (row["child_reference"], row["kind"], row["local_authority"], row["is_current"]) == ("CAM-0001", "council_plan", "202", True)
    assert client.get(f"/api/connection-plans/{scene['their_plan'].pk}/").status_code == 404
    assert client.get("/api/connection-plans/?kind=bogus").status_code == 400
    assert client.get("/api/connection-plans/?current=false").json()["results"] == []
    client.force_login(users["school_staff"])
    assert {r["id"] for r in client.get("/api/connection-plans/").json()["results"]} == ids


def test_vouchers_are_listed_in_scope_only(client, users, scene, django_assert_max_num_queries):
    client.force_login(users["council_officer"])
    with django_assert_max_num_queries(7):
        body = client.get("/api/data-vouchers/").json()
    assert [r["code"] for r in body["results"]] == ["NDB-MINE-1"]
    assert client.get(f"/api/data-vouchers/{scene['their_voucher'].pk}/").status_code == 404
    assert client.get("/api/data-vouchers/x/").status_code == 404
    assert client.get("/api/data-vouchers/?stock=given").json()["results"] == []
    client.force_login(users["school_staff"])
    assert client.get("/api/data-vouchers/").status_code == 403


def test_an_officer_gives_a_voucher_once(client, users, scene):
    client.force_login(users["council_officer"])
    url = f"/api/data-vouchers/{scene['voucher'].pk}/give/"
    response = client.post(url, {"child_reference": "cam-0001"}, content_type="application/json")
    assert response.status_code == 201, response.content
    assert response.json()["kind"] == "data_bank" and response.json()["voucher"] == "NDB-MINE-1"
    voucher = DataVoucher.objects.get(pk=scene["voucher"].pk)
    assert voucher.given_to == scene["child"] and voucher.given_by == users["council_officer"]
    assert ConnectionPlan.objects.get(child=scene["child"], is_current=True).voucher == voucher
    again = client.post(url, {"child_reference": "CAM-0001"}, content_type="application/json")
    assert again.status_code == 400
    assert "cannot be given twice" in again.json()["detail"][0]
    assert ConnectionPlan.objects.filter(child=scene["child"]).count() == 2  # the council plan, then the voucher


def test_giving_refuses_bad_input_and_other_roles(client, users, scene):
    url = f"/api/data-vouchers/{scene['voucher'].pk}/give/"
    client.force_login(users["council_officer"])
    assert client.post(url, {"child_reference": "HAC-0001"}, content_type="application/json").status_code == 400  # another LA's child
    assert client.post(url, {}, content_type="application/json").status_code == 400
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert client.post(f"/api/data-vouchers/{scene['their_voucher'].pk}/give/", {"child_reference": "CAM-0001"},
                       content_type="application/json").status_code == 404
    client.force_login(users["cio"])
    assert client.post(url, {"child_reference": "CAM-0001"}, content_type="application/json").status_code == 403
    client.logout()
    assert client.post(url, {"child_reference": "CAM-0001"}, content_type="application/json").status_code in (401, 403)
    assert DataVoucher.objects.get(pk=scene["voucher"].pk).given_to_id is None
