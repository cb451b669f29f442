"""Bulk actions on the support queue (``core.bulk``): assign and change status through the
single-ticket services, scoped, with refusals reported and hostile input a clear error."""

import pytest

from accounts.tests.factories import UserFactory
from support.models import Status, Ticket
from support.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db
BULK = "/support/bulk/"


@pytest.fixture
def tickets(school, other_school):
    mine = [TicketFactory(school=school) for _ in range(3)]
    closed = TicketFactory(school=school, status=Status.CLOSED)
    concern = TicketFactory(school=school, category="safeguarding", is_safeguarding=True)
    theirs = TicketFactory(school=other_school)
    return {"mine": mine, "closed": closed, "concern": concern, "theirs": theirs}


def test_queue_has_tick_boxes_for_agents(client, users, tickets):
    client.force_login(users["support_agent"])
    page = client.get("/support/").content.decode()
    assert 'id="bulk-form"' in page and f'id="select-{tickets["mine"][0].pk}"' in page
    assert 'value="assign"' in page and 'value="status"' in page


def test_assign_selected_tickets_through_reassign_ticket(client, users, la, tickets):
    agent = users["support_agent"]
    colleague = UserFactory(role="support_agent", local_authority=la, first_name="Colleague")
    client.force_login(agent)
    picks = [t.pk for t in tickets["mine"]] + [tickets["concern"].pk, tickets["theirs"].pk]
    page = client.get(BULK, {"action": "assign", "which": "selected", "pk": picks}).content.decode()
    assert 'data-count="3"' in page and 'data-missing="2"' in page and "Colleague" in page
    assert tickets["theirs"].reference not in page and tickets["concern"].reference not in page
    page = client.post(BULK, {"action": "assign", "which": "selected", "pk": picks, "assignee": colleague.pk}).content.decode()
    assert 'data-done="3" data-refused="0"' in page
    assert Ticket.objects.filter(assignee=colleague).count() == 3
    assert Ticket.objects.get(pk=tickets["theirs"].pk).assignee is None
    assert Ticket.objects.get(pk=tickets["concern"].pk).assignee is None


def test_change_status_of_every_open_ticket_matching_the_queue(client, users, tickets):
    client.force_login(users["support_agent"])
    tickets["mine"][0].status = Status.WAITING
    tickets["mine"][0].save()
    page = client.get(BULK, {"action": "status", "which": "matching", "filters": ""}).content.decode()
    assert 'data-count="3"' in page  # the queue's rows: open work, in scope, no hidden concern
    page = client.post(BULK, {"action": "status", "which": "matching", "filters": "", "status": Status.WAITING,
                              "upto": max(t.pk for t in tickets["mine"])}).content.decode()
    assert 'data-done="2" data-refused="1"' in page and "Nothing to do." in page
    assert Ticket.objects.filter(status=Status.WAITING).count() == 3
    assert Ticket.objects.get(pk=tickets["closed"].pk).status == Status.CLOSED
    assert Ticket.objects.get(pk=tickets["theirs"].pk).status != Status.WAITING


@pytest.mark.parametrize("data", [
    {}, {"action": "status", "which": "selected"}, {"action": "status", "which": "selected", "pk": ["1; drop"]},
    {"action": "status", "which": "matching", "filters": "status=bogus"}, {"action": "nope", "which": "matching"},
])
def test_hostile_input_is_a_clear_error(client, users, tickets, data):
    client.force_login(users["support_agent"])
    for response in (client.get(BULK, data), client.post(BULK, data)):
        assert response.status_code in (200, 400) and "govuk-error-summary" in response.content.decode()


def test_a_bad_status_is_a_form_error_and_changes_nothing(client, users, tickets):
    client.force_login(users["support_agent"])
    picks = [t.pk for t in tickets["mine"]]
    page = client.post(BULK, {"action": "status", "which": "selected", "pk": picks, "status": "exploded"}).content.decode()
    assert "govuk-error-summary" in page
    assert not Ticket.objects.exclude(status=Status.NEW).filter(pk__in=picks).exists()


def test_officers_are_not_offered_ticket_bulk_actions(client, users, tickets):
    client.force_login(users["council_officer"])
    assert client.get(BULK, {"action": "status", "which": "selected", "pk": [tickets["mine"][0].pk]}).status_code == 403
