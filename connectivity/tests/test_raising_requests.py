"""Raising requests to a network from the pages: one SIM (from the SIM, device and child pages),
extra data on the family's own phone (from the child page), and many SIMs from a filtered list
(check your answers, then what was raised and what was refused, and why)."""

import pytest
from django.urls import reverse

from allocations.tests.factories import AllocationFactory, ChildFactory
from connectivity import services
from connectivity.models import NetworkRequest
from connectivity.tests.factories import NetworkOperatorFactory, SimFactory
from devices.tests.factories import RouterFactory

R = NetworkRequest.Status


@pytest.fixture
def ee(db):
    return NetworkOperatorFactory(name="EE", slug="ee")


@pytest.fixture
def held(la, school, ee):
    """A child holding a 4G router whose SIM is on EE."""
    child = ChildFactory(school=school, needs_connectivity=True, preferred_language="ur")
    router = RouterFactory(local_authority=la, school=school, status="allocated")
    AllocationFactory(child=child, device=router, status="planned")
    sim = SimFactory(local_authority=la, network=ee, device=router)
    return {"child": child, "router": router, "sim": sim}


def test_an_officer_raises_a_request_from_the_sim_page(client, officer, held):
    client.force_login(officer)
    sim_page = client.get(reverse("connectivity:sim_detail", args=[held["sim"].pk])).content.decode()
    url = reverse("connectivity:sim_request", args=[held["sim"].pk])
    assert url in sim_page
    assert "Swap a SIM" in client.get(url).content.decode()
    response = client.post(url, {"kind": "increase", "reason": "Uses all 3 GB by the 20th"})
    request = NetworkRequest.objects.get()
    assert response.status_code == 302 and response["Location"] == request.get_absolute_url()
    assert (request.kind, request.status, request.child, request.network.slug) == ("increase", R.REQUESTED, held["child"], "ee")
    # The device page and the child page list it, and link to the form.
    device_page = client.get(reverse("devices:device_detail", args=[held["router"].pk])).content.decode()
    child_page = client.get(reverse("allocations:child_detail", args=[held["child"].pk])).content.decode()
    for page in (device_page, child_page):
        assert request.reference in page and url in page
    assert reverse("connectivity:family_data_request", args=[held["child"].pk]) in child_page


def test_a_duplicate_or_a_sim_without_a_network_is_refused_on_the_form(client, officer, held, la):
    client.force_login(officer)
    url = reverse("connectivity:sim_request", args=[held["sim"].pk])
    client.post(url, {"kind": "suspend"})
    page = client.post(url, {"kind": "suspend"}).content.decode()
    assert "There is a problem" in page and "already has an open request of this kind" in page
    no_network = SimFactory(local_authority=la, network=None)
    page = client.post(reverse("connectivity:sim_request", args=[no_network.pk]), {"kind": "swap"}).content.decode()
    assert "has no network recorded" in page
    assert client.post(url, {"kind": "family_data"}).status_code == 200  # not a SIM kind: a form error
    assert NetworkRequest.objects.count() == 1


def test_who_may_raise(client, users, held, other_la, ee):
    url = reverse("connectivity:sim_request", args=[held["sim"].pk])
    for role, status in (("school_staff", 200), ("admin", 200), ("cio", 403), ("support_agent", 403), ("london_lead", 403)):
        client.force_login(users[role])
        assert client.get(url).status_code == status, role
    elsewhere = SimFactory(local_authority=other_la, network=ee)
    client.force_login(users["council_officer"])
    assert client.post(reverse("connectivity:sim_request", args=[elsewhere.pk]), {"kind": "swap"}).status_code == 404
    assert not NetworkRequest.objects.exists()


def test_extra_data_on_the_familys_own_phone_from_the_child_page(client, officer, held, ee):
    client.force_login(officer)
    url = reverse("connectivity:family_data_request", args=[held["child"].pk])
    form = {"account_holder": "Amina Khan", "msisdn": "07700 900456", "network": ee.pk, "phone_plan": "payg", "consent_given": "on"}
    page = client.post(url, {**form, "consent_given": ""}).content.decode()
    assert "The family must agree to share the number" in page
    page = client.post(url, {**form, "msisdn": "020 7946 0000"}).content.decode()
    assert "Enter a UK mobile number" in page
    response = client.post(url, form)
    request = NetworkRequest.objects.get()
    assert response["Location"] == request.get_absolute_url()
    assert (request.kind, request.msisdn, request.account_holder, request.phone_plan, request.consent_given, request.child) == (
        "family_data", "+447700900456", "Amina Khan", "payg", True, held["child"])
    page = client.post(url, form).content.decode()  # the same number again
    assert "+447700900456 already has an open request" in page
    assert NetworkRequest.objects.count() == 1


def test_bulk_raise_from_a_filtered_list_reports_what_it_refused(client, officer, la, other_la, ee, django_assert_max_num_queries):
    vodafone = NetworkOperatorFactory(name="Vodafone", slug="vodafone")
    mine = [SimFactory(local_authority=la, network=ee) for _ in range(4)]
    SimFactory(local_authority=la, network=vodafone)  # filtered out
    SimFactory(local_authority=other_la, network=ee)  # another council: never
    services.raise_request(kind="extend", sim=mine[0], by=officer)
    client.force_login(officer)
    with django_assert_max_num_queries(20):
        page = client.get(reverse("connectivity:sim_bulk_request"), {"network": ee.pk}).content.decode()
    assert "Continue with all 4 SIMs matching this filter" in page
    upto = max(s.pk for s in mine)
    query = {"network": ee.pk, "kind": "extend", "reason": "Summer term", "scope": "all", "upto": upto}
    with django_assert_max_num_queries(15):
        page = client.get(reverse("connectivity:sim_bulk_confirm"), query).content.decode()
    assert "Check your answers" in page and "4 SIMs" in page and "1 SIM already has an open request of this kind" in page
    SimFactory(local_authority=la, network=ee)  # added after the officer looked: not included
    with django_assert_max_num_queries(25):
        page = client.post(reverse("connectivity:sim_bulk_confirm"), query).content.decode()
    assert "3 requests raised" in page and "1 SIM left out" in page and mine[0].iccid in page
    raised = NetworkRequest.objects.filter(kind="extend").exclude(sim=mine[0])
    assert sorted(raised.values_list("sim_id", flat=True)) == sorted(s.pk for s in mine[1:])
    assert all(r.events.get().note == "Summer term" for r in raised)


def test_bulk_raise_for_the_sims_ticked(client, officer, la, other_la, ee):
    ticked = [SimFactory(local_authority=la, network=ee) for _ in range(2)]
    no_network = SimFactory(local_authority=la, network=None)
    elsewhere = SimFactory(local_authority=other_la, network=ee)
    client.force_login(officer)
    query = {"kind": "swap", "scope": "selected", "sim": [ticked[0].pk, ticked[1].pk, no_network.pk, elsewhere.pk]}
    page = client.get(reverse("connectivity:sim_bulk_confirm"), query).content.decode()
    assert "3 SIMs" in page and "1 SIM has no network recorded" in page
    page = client.post(reverse("connectivity:sim_bulk_confirm"), query).content.decode()
    assert "2 requests raised" in page and "has no network recorded" in page
    assert set(NetworkRequest.objects.values_list("sim_id", flat=True)) == {ticked[0].pk, ticked[1].pk}
    # Nothing ticked, or rubbish: back to the list with a message, never a 500.
    response = client.get(reverse("connectivity:sim_bulk_confirm"), {"kind": "swap", "scope": "selected"}, follow=True)
    assert "Tick at least one SIM" in response.content.decode()
    for bad in ({"kind": "nope", "scope": "all"}, {"kind": "swap", "scope": "selected", "sim": ["x", "99999999999999999999"]}, {}):
        assert client.get(reverse("connectivity:sim_bulk_confirm"), bad).status_code == 302
        assert client.post(reverse("connectivity:sim_bulk_confirm"), bad).status_code == 302


def test_raise_requests_in_one_transaction_with_few_queries(officer, la, ee, django_assert_max_num_queries):
    sims = [SimFactory(local_authority=la, network=ee, device=RouterFactory(local_authority=la)) for _ in range(30)]
    from connectivity.models import Sim

    with django_assert_max_num_queries(10):
        result = services.raise_requests(sims=Sim.objects.filter(pk__in=[s.pk for s in sims]), kind="reactivate", by=officer)
    assert len(result.raised) == 30 and not result.refused
    assert NetworkRequest.objects.filter(kind="reactivate").count() == 30
