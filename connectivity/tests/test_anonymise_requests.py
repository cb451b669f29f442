"""Anonymising a child removes the phone number, account holder and reason from their network
requests: open ones are cancelled first (through the lifecycle), closed ones are redacted, and
the database refuses a redacted request that is still open."""

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from allocations.services import anonymise_child
from allocations.tests.factories import ChildFactory
from connectivity import services
from connectivity.models import NetworkRequest, NetworkRequestEvent
from connectivity.tests.factories import NetworkOperatorFactory, SimFactory
from devices.tests.factories import DeviceFactory

R = NetworkRequest.Status


@pytest.fixture
def scene(school, officer):
    ee = NetworkOperatorFactory(name="EE", slug="ee")
    child = ChildFactory(school=school, needs_connectivity=True, guardian_phone="+447700900111")
    other = ChildFactory(school=school, needs_connectivity=True)

    def family(child, number):
        return services.raise_request(kind="family_data", child=child, msisdn=number, network=ee, account_holder="Amina Khan",
                                      phone_plan="payg", consent_given=True, by=officer, reason="Mum's phone")

    open_ = family(child, "07700 900777")
    done = family(child, "07700 900778")
    network_user = services.NETWORK  # the network's side finishes it
    services.move_request(request=done, to_status=R.DONE, by=None, side=network_user)
    sim = SimFactory(local_authority=school.local_authority, network=ee, device=DeviceFactory(local_authority=school.local_authority))
    sim_request = services.raise_request(kind="increase", sim=sim, child=child, by=officer, reason="Runs out every month")
    theirs = family(other, "07700 900999")
    return {"child": child, "open": open_, "done": done, "sim_request": sim_request, "theirs": theirs}


def test_anonymising_a_child_cancels_open_requests_and_blanks_their_personal_data(scene):
    anonymise_child(child=scene["child"])
    for name in ("open", "done", "sim_request"):
        request = NetworkRequest.objects.get(pk=scene[name].pk)
        assert (request.msisdn, request.account_holder, request.reason) == ("", "", ""), name
        assert request.redacted_at is not None
    assert NetworkRequest.objects.get(pk=scene["open"].pk).status == R.CANCELLED
    assert NetworkRequest.objects.get(pk=scene["done"].pk).status == R.DONE
    assert NetworkRequest.objects.get(pk=scene["sim_request"].pk).status == R.CANCELLED
    last = NetworkRequestEvent.objects.filter(request=scene["open"]).order_by("-at", "-pk").first()
    assert (last.from_status, last.to_status, last.note) == ("requested", "cancelled", "Cancelled: the child's record was anonymised.")
    untouched = NetworkRequest.objects.get(pk=scene["theirs"].pk)
    assert (untouched.msisdn, untouched.account_holder, untouched.status) == ("+447700900999", "Amina Khan", R.REQUESTED)
    # Idempotent: a second run changes nothing and writes no event.
    events = NetworkRequestEvent.objects.count()
    assert services.anonymise_requests(child=scene["child"]) == 0
    assert NetworkRequestEvent.objects.count() == events


def test_the_family_is_not_texted_about_the_cancellation(scene):
    from messaging.models import OutboundMessage

    before = OutboundMessage.objects.count()
    anonymise_child(child=scene["child"])
    assert OutboundMessage.objects.count() == before


def test_the_number_is_free_for_a_new_request_after_anonymising(scene, officer):
    anonymise_child(child=scene["child"])
    again = services.raise_request(kind="family_data", child=scene["theirs"].child, msisdn="07700 900777", network=scene["open"].network,
                                   account_holder="B Khan", phone_plan="payg", consent_given=True, by=officer)
    assert again.status == R.REQUESTED


def test_the_database_refuses_a_request_without_a_number_unless_redacted_and_closed(scene):
    request = scene["theirs"]
    with pytest.raises(IntegrityError), transaction.atomic():
        NetworkRequest.objects.filter(pk=request.pk).update(msisdn="")
    with pytest.raises(IntegrityError), transaction.atomic():
        NetworkRequest.objects.filter(pk=request.pk).update(msisdn="", redacted_at=timezone.now())  # still open
    NetworkRequest.objects.filter(pk=request.pk).update(msisdn="", redacted_at=timezone.now(), status=R.CANCELLED)


def test_the_request_page_says_the_details_were_removed(client, officer, scene):
    anonymise_child(child=scene["child"])
    client.force_login(officer)
    page = client.get(scene["open"].get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert "the child&#x27;s record was anonymised" in html or "the child's record was anonymised" in html
    assert "Amina Khan" not in html and "900777" not in html
