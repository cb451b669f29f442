"""The requests-to-networks pages: the list and a request's page, for staff and for a
network's own users, each scoped; status changes through the page follow the lifecycle."""

import pytest

from accounts.tests.factories import UserFactory
from connectivity import services
from connectivity.models import NetworkRequest
from connectivity.tests.factories import NetworkOperatorFactory, SimFactory
from devices.tests.factories import RouterFactory

R = NetworkRequest.Status


@pytest.fixture
def scene(la, other_la, school, users):
    ee, vodafone = NetworkOperatorFactory(name="EE", slug="ee"), NetworkOperatorFactory(name="Vodafone", slug="vodafone")
    officer = users["council_officer"]
    at_school = SimFactory(local_authority=la, network=ee, device=RouterFactory(local_authority=la, school=school))
    elsewhere = SimFactory(local_authority=la, network=vodafone)
    other = SimFactory(local_authority=other_la, network=ee)
    return {
        "ee": ee,
        "mine": services.raise_request(kind="suspend", sim=at_school, by=officer, reason="Stolen"),
        "vodafone": services.raise_request(kind="swap", sim=elsewhere, by=officer),
        "other_la": services.raise_request(kind="suspend", sim=other, by=UserFactory(role="council_officer", local_authority=other_la)),
        "network_user": UserFactory(role="network", network_operator=ee),
    }


def _refs(response):
    return {ref for ref in ("NR-%06d" % pk for pk in NetworkRequest.objects.values_list("pk", flat=True)) if ref in response.content.decode()}


def test_each_role_lists_the_requests_in_its_scope(client, users, scene):
    expected = {
        "council_officer": {scene["mine"].reference, scene["vodafone"].reference},
        "school_staff": {scene["mine"].reference},
        "cio": {scene["mine"].reference, scene["vodafone"].reference},
        "admin": {r.reference for r in NetworkRequest.objects.all()},
    }
    for role, refs in expected.items():
        client.force_login(users[role])
        assert _refs(client.get("/network-requests/")) == refs, role
    client.force_login(scene["network_user"])
    assert _refs(client.get("/network-requests/")) == {scene["mine"].reference, scene["other_la"].reference}
    assert client.get(scene["vodafone"].get_absolute_url()).status_code == 404
    client.force_login(users["london_lead"])
    assert client.get("/network-requests/").status_code == 403


def test_the_network_marks_a_request_done_and_the_officer_sees_who(client, users, scene):
    request = scene["mine"]
    client.force_login(scene["network_user"])
    page = client.get(request.get_absolute_url()).content.decode()
    assert "Mark as done" in page and "Cancel the request" not in page
    response = client.post(f"/network-requests/{request.pk}/status/", {"to_status": "done", "note": "Barred at 10:02"}, follow=True)
    assert "is now “Done”" in response.content.decode()
    client.force_login(users["council_officer"])
    page = client.get(request.get_absolute_url()).content.decode()
    assert "Barred at 10:02" in page and "EE" in page and "Change the status" not in page  # done is final


def test_a_refused_move_is_a_message_and_changes_nothing(client, users, scene):
    request = scene["mine"]
    client.force_login(users["council_officer"])
    response = client.post(f"/network-requests/{request.pk}/status/", {"to_status": "done"}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    client.force_login(scene["network_user"])
    response = client.post(f"/network-requests/{request.pk}/status/", {"to_status": "problem"}, follow=True)
    assert "Choose the problem code" in response.content.decode()
    request.refresh_from_db()
    assert request.status == R.REQUESTED and request.events.count() == 1
    assert client.post(f"/network-requests/{scene['vodafone'].pk}/status/", {"to_status": "done"}).status_code == 404
