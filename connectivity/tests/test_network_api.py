"""The API for a network's queue: list and detail of the caller's network's requests (operator
tokens and network users' sessions), and the JSON bulk status update, all or nothing."""

import pytest

from accounts.tests.factories import UserFactory
from connectivity import services
from connectivity.models import NetworkRequest
from connectivity.tests.factories import NetworkOperatorFactory, SimFactory
from reports.services import create_api_token

R = NetworkRequest.Status


@pytest.fixture
def scene(la, other_la, users):
    ee, vodafone = NetworkOperatorFactory(name="EE", slug="ee"), NetworkOperatorFactory(name="Vodafone", slug="vodafone")
    officer = users["council_officer"]
    mine = [services.raise_request(kind="suspend", sim=SimFactory(local_authority=la, network=ee), by=officer) for _ in range(2)]
    theirs = services.raise_request(kind="suspend", sim=SimFactory(local_authority=la, network=vodafone), by=officer)
    _t, raw = create_api_token(name="EE", kind="operator", network_operator=ee, by=users["admin"])
    _t, supplier = create_api_token(name="S", kind="supplier", supplier_name="Computacenter", by=users["admin"])
    return {"ee": ee, "mine": mine, "theirs": theirs, "token": raw, "supplier": supplier,
            "user": UserFactory(role="network", network_operator=ee)}


def _auth(raw):
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def test_an_operator_token_lists_only_its_networks_requests(client, scene, django_assert_max_num_queries):
    with django_assert_max_num_queries(6):
        body = client.get("/api/network-requests/", **_auth(scene["token"])).json()
    refs = {r["reference"] for r in body["results"]}
    assert refs == {r.reference for r in scene["mine"]}
    assert client.get(f"/api/network-requests/{scene['theirs'].pk}/", **_auth(scene["token"])).status_code == 404
    assert client.get(f"/api/network-requests/{scene['mine'][0].pk}/", **_auth(scene["token"])).json()["status"] == "requested"
    assert client.get("/api/network-requests/x/", **_auth(scene["token"])).status_code == 404
    assert client.get("/api/network-requests/?status=done", **_auth(scene["token"])).json()["results"] == []
    assert client.get("/api/network-requests/?status=bogus", **_auth(scene["token"])).status_code == 400
    assert client.get("/api/network-requests/", **_auth(scene["supplier"])).status_code in (401, 403)
    client.force_login(scene["user"])
    assert {r["reference"] for r in client.get("/api/network-requests/").json()["results"]} == refs


def test_bulk_update_all_or_nothing(client, scene):
    a, b = scene["mine"]
    rows = [{"reference": a.reference, "status": "done"}, {"reference": scene["theirs"].reference, "status": "done"},
            {"reference": b.sim.iccid, "status": "problem"}]
    response = client.post("/api/network-requests/statuses/", {"rows": rows}, content_type="application/json", **_auth(scene["token"]))
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"row": 2, "field": "reference", "message": f"There is no request {scene['theirs'].reference} for your network."},
        {"row": 3, "field": "problem", "message": f"Choose the problem code for request {b.reference}."},
    ]
    assert NetworkRequest.objects.get(pk=a.pk).status == R.REQUESTED
    rows = [{"reference": a.reference, "status": "done", "note": "Barred"}, {"reference": b.sim.iccid, "status": "problem", "problem": "sim_not_found"}]
    response = client.post("/api/network-requests/statuses/", {"rows": rows}, content_type="application/json", **_auth(scene["token"]))
    assert response.status_code == 200 and response.json() == {"updated": 2}
    assert NetworkRequest.objects.get(pk=a.pk).status == R.DONE
    assert NetworkRequest.objects.get(pk=b.pk).problem == "sim_not_found"
    assert a.events.latest("pk").by_network


def test_bulk_update_is_for_networks_only(client, users, scene):
    body = {"rows": [{"reference": scene["mine"][0].reference, "status": "done"}]}
    client.force_login(users["council_officer"])
    assert client.post("/api/network-requests/statuses/", body, content_type="application/json").status_code == 403
    assert client.post("/api/network-requests/statuses/", body, content_type="application/json", **_auth(scene["supplier"])).status_code in (401, 403)
    client.force_login(scene["user"])
    assert client.post("/api/network-requests/statuses/", body, content_type="application/json").status_code == 200
    assert client.post("/api/network-requests/statuses/", {"rows": []}, content_type="application/json").status_code == 400
    assert client.post("/api/network-requests/statuses/", "rows=1", content_type="application/x-www-form-urlencoded").status_code == 415
