"""Every home card's number equals the rows of the list it links to (issue 14).

One data set with the things that made them differ: 4G routers (a child with only a router is
still waiting for a laptop), safeguarding concerns (counted by the open-tickets figures, listed
only for designated safeguarding leads: the list says how many it does not show), family-owned
devices, closed tickets and an anonymised child. For every role with cards, each card is read
from the home page and its link followed; the list's rows are counted from its CSV download.
"""

import csv
import datetime
import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from allocations.tests.factories import AllocationFactory, ChildFactory
from devices.tests.factories import DeviceFactory, RouterFactory
from support.models import Status
from support.tests.factories import TicketFactory

CARD = re.compile(r'<span class="app-card__value">([^<]*)</span>\s*<a class="govuk-link" href="([^"]+)">([^<]+)</a>')
HIDDEN = re.compile(r'<div class="govuk-inset-text" data-figure="[a-z_]+" data-value="(\d+)">([^<]*)</div>')
# Cards that open a page other than a list (the shortfall dashboard, the scheduled jobs).
NOT_LISTS = ("/reports/", "/scheduled-jobs/", "/publishing/")  # publishing: the latest publication's status, not a count


@pytest.fixture
def world(la, school, other_school):
    today = timezone.localdate()
    past = timezone.now() - datetime.timedelta(days=3)
    handed_on = today - datetime.timedelta(days=30)
    for ownership in ("la", "family", "family"):
        child = ChildFactory(school=school, needs_laptop=True)
        laptop = DeviceFactory(local_authority=la, school=school, status="handed_over", handed_over_on=handed_on, ownership=ownership)
        AllocationFactory(child=child, device=laptop, status="handed_over", handed_over_on=handed_on)
    only_router = ChildFactory(school=school, needs_laptop=True, needs_connectivity=True)
    AllocationFactory(child=only_router, device=RouterFactory(local_authority=la, school=school, status="allocated"), status="planned")
    planned = ChildFactory(school=school, needs_laptop=True)
    AllocationFactory(child=planned, device=DeviceFactory(local_authority=la, school=school, status="allocated"), status="planned")
    ChildFactory(school=school, needs_laptop=True)  # waiting
    ChildFactory(school=school, needs_laptop=True, anonymised_at=timezone.now())  # not a child waiting
    ChildFactory(school=school, needs_laptop=False, needs_connectivity=True)
    for _ in range(3):
        DeviceFactory(local_authority=la, school=None, status="in_stock")
    RouterFactory(local_authority=la, school=None, status="in_stock")
    DeviceFactory(local_authority=la, school=school, status="in_repair")
    DeviceFactory(local_authority=la, school=school, status="lost")
    TicketFactory(school=school)
    TicketFactory(school=school, first_response_due=past)
    TicketFactory(school=school, status=Status.CLOSED)
    TicketFactory(school=school, is_safeguarding=True)
    TicketFactory(school=school, is_safeguarding=True, first_response_due=past)
    TicketFactory(school=school, is_safeguarding=True, status=Status.CLOSED)
    # Elsewhere: none of it may be counted or listed.
    ChildFactory(school=other_school, needs_laptop=True)
    DeviceFactory(local_authority=other_school.local_authority, status="in_stock")
    TicketFactory(school=other_school, is_safeguarding=True)
    return {"la": la, "school": school}


def _number(text):
    return int(text.replace(",", "").strip())


def _rows(client, url):
    response = client.get(url + ("&" if "?" in url else "?") + "_export=csv")
    assert response.status_code == 200, url
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    return len(list(csv.reader(io.StringIO(body)))) - 1


@pytest.mark.parametrize("role", ["council_officer", "cio", "school_staff", "support_agent", "support_agent_all", "admin", "safeguarding_lead"])
def test_every_card_equals_its_list(client, users, world, role):
    user = users.get(role) or UserFactory(role="council_officer", local_authority=world["la"], is_safeguarding_lead=True)
    client.force_login(user)
    home = client.get(reverse("home")).content.decode()
    cards = CARD.findall(home)
    assert cards, role
    checked = set()
    for value, url, label in cards:
        url = url.replace("&amp;", "&")
        if any(url.startswith(prefix) for prefix in NOT_LISTS):
            continue
        page = client.get(url).content.decode()
        hidden = HIDDEN.search(page)
        shown = _rows(client, url)
        not_listed = int(hidden.group(1)) if hidden else 0
        assert shown + not_listed == _number(value), (role, label, url, shown, not_listed)
        checked.add(label)
        if hidden:
            assert not user.is_safeguarding_lead and "only designated safeguarding leads can see" in hidden.group(2)
    if role in ("council_officer", "cio", "school_staff", "admin"):
        assert "Children waiting for a device" in checked
    assert "Open support tickets" in checked


def test_the_lists_say_how_many_concerns_they_do_not_show(client, officer, world):
    client.force_login(officer)
    home = client.get(reverse("home")).content.decode()
    url = {label: url.replace("&amp;", "&") for _, url, label in CARD.findall(home)}
    assert "2 open safeguarding concerns are not listed: only designated safeguarding leads can see them." in client.get(url["Open support tickets"]).content.decode()
    assert "1 safeguarding concern past its SLA is not listed" in client.get(url["Tickets past their SLA"]).content.decode()
    # Any other filter (a search, a school) says nothing: the count could then give away a
    # ticket the person may not see.
    base = reverse("support:ticket_list")
    for query in ({"status": ["new", "open", "waiting"], "school": world["school"].pk}, {"status": ["new", "open", "waiting"], "q": "DFC"}):
        assert not HIDDEN.search(client.get(base, query).content.decode())


def test_children_waiting_filter_is_the_figure(client, officer, world):
    from allocations.models import Child

    client.force_login(officer)
    waiting = _rows(client, reverse("allocations:child_list") + "?has_device=no")
    assert waiting == Child.objects.visible_to(officer).waiting_for_device().count() == 2  # the router-only child and the waiting one
