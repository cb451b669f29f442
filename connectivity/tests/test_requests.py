"""Network requests: the lifecycle declared once in ``connectivity.services.MOVES`` and
enforced by the services, whoever calls them."""

import pytest
from django.core.exceptions import ValidationError

from accounts.models import Role
from accounts.tests.factories import LocalAuthorityFactory, UserFactory
from allocations.tests.factories import ChildFactory
from connectivity import services
from connectivity.models import NetworkRequest
from connectivity.tests.factories import NetworkOperatorFactory, SimFactory
from devices.tests.factories import RouterFactory

pytestmark = pytest.mark.django_db
R = NetworkRequest.Status


@pytest.fixture
def officer(db):
    return UserFactory(role=Role.COUNCIL_OFFICER, local_authority=LocalAuthorityFactory())


@pytest.fixture
def sim(officer):
    return SimFactory(local_authority=officer.local_authority, device=RouterFactory(local_authority=officer.local_authority))


@pytest.fixture
def network_user(sim):
    return UserFactory(role=Role.NETWORK, network_operator=sim.network, local_authority=None)


def test_a_request_is_raised_with_its_first_event(officer, sim):
    request = services.raise_request(kind="suspend", sim=sim, by=officer, reason="Stolen from the car")
    assert (request.status, request.network_id, request.local_authority_id, request.msisdn) == (R.REQUESTED, sim.network_id, sim.local_authority_id, sim.msisdn)
    event = request.events.get()
    assert (event.to_status, event.actor, event.note) == (R.REQUESTED, officer, "Stolen from the car")


def test_a_second_open_request_of_the_same_kind_is_refused(officer, sim):
    first = services.raise_request(kind="suspend", sim=sim, by=officer)
    with pytest.raises(ValidationError, match=first.reference):
        services.raise_request(kind="suspend", sim=sim, by=officer)
    services.raise_request(kind="swap", sim=sim, by=officer)  # another kind is fine
    services.move_request(request=first, to_status=R.CANCELLED, by=officer)
    services.raise_request(kind="suspend", sim=sim, by=officer)  # and so is one after the first closed


def test_moves_follow_the_declared_lifecycle_for_each_side(officer, sim, network_user):
    request = services.raise_request(kind="suspend", sim=sim, by=officer)
    with pytest.raises(services.MoveNotAllowed):
        services.move_request(request=request, to_status=R.DONE, by=officer)  # only the network finishes work
    with pytest.raises(services.MoveNotAllowed):
        services.move_request(request=request, to_status=R.CANCELLED, by=network_user)  # only staff cancel
    with pytest.raises(services.MoveNotAllowed, match="problem code"):
        services.move_request(request=request, to_status=R.PROBLEM, by=network_user)
    services.move_request(request=request, to_status=R.PROBLEM, problem="sim_not_found", by=network_user)
    services.move_request(request=request, to_status=R.REQUESTED, by=officer, note="Checked the ICCID")
    services.move_request(request=request, to_status=R.DONE, by=network_user)
    with pytest.raises(services.MoveNotAllowed, match="cannot go from"):
        services.move_request(request=request, to_status=R.REQUESTED, by=officer)  # done is final
    request.refresh_from_db()
    assert request.status == R.DONE and request.problem == ""
    assert [(e.from_status, e.to_status, e.by_network) for e in request.events.all()] == [
        ("", "requested", False), ("requested", "problem", True), ("problem", "requested", False), ("requested", "done", True),
    ]


def test_bulk_moves_report_what_they_refused(officer, sim, network_user):
    open_ = services.raise_request(kind="suspend", sim=sim, by=officer)
    closed = services.raise_request(kind="swap", sim=sim, by=officer)
    services.move_request(request=closed, to_status=R.CANCELLED, by=officer)
    result = services.move_requests(requests=[open_, closed], to_status=R.DONE, by=network_user)
    assert [r.pk for r in result.moved] == [open_.pk]
    assert [(r.pk, "cannot go from" in why) for r, why in result.refused] == [(closed.pk, True)]


def test_extra_data_on_a_familys_phone_needs_consent_and_one_open_request_per_number(officer):
    child = ChildFactory(school__local_authority=officer.local_authority)
    network = NetworkOperatorFactory()
    args = dict(kind="family_data", child=child, network=network, msisdn="07700 900123", account_holder="Amina Hassan", phone_plan="payg", by=officer)
    with pytest.raises(ValidationError, match="agree"):
        services.raise_request(**args)
    request = services.raise_request(**args, consent_given=True)
    assert (request.msisdn, request.school_id, request.local_authority_id) == ("+447700900123", child.school_id, child.local_authority_id)
    with pytest.raises(ValidationError, match="already has an open request"):
        services.raise_request(**{**args, "msisdn": "+44 7700 900123"}, consent_given=True)


def test_network_users_see_only_their_own_networks_requests(officer, sim, network_user):
    mine = services.raise_request(kind="suspend", sim=sim, by=officer)
    other_sim = SimFactory(local_authority=officer.local_authority, network=NetworkOperatorFactory(name="Vodafone", slug="vodafone"))
    theirs = services.raise_request(kind="suspend", sim=other_sim, by=officer)
    assert list(NetworkRequest.objects.visible_to(network_user)) == [mine]
    assert set(NetworkRequest.objects.visible_to(officer)) == {mine, theirs}


def test_a_stolen_device_puts_a_suspension_in_the_networks_queue_and_done_suspends_the_sim(officer, sim, network_user):
    from devices import services as device_services

    device_services.mark_stolen(device=sim.device, by=officer, note="Taken from the bus")
    request = NetworkRequest.objects.visible_to(network_user).get()
    assert (request.kind, request.status, request.sim_id) == ("suspend", R.REQUESTED, sim.pk)
    services.move_request(request=request, to_status=R.DONE, by=network_user)
    sim.refresh_from_db()
    assert sim.status == sim.Status.SUSPENDED
