"""Safeguarding concerns: leads only, every read logged, escalated at once, nothing in emails."""

import pytest
from django.core import mail
from django.urls import reverse

from accounts.tests.factories import UserFactory
from devices.models import Alert
from support import services
from support.models import Priority, SafeguardingAccessLog, Ticket
from support.tests.factories import DEFAULT_TOKEN, TicketFactory
from support.tests.files import PNG

CONCERN = "My daughter is being sent frightening messages by an adult she met online."


@pytest.fixture
def lead(la):
    return UserFactory(role="support_agent", local_authority=la, is_safeguarding_lead=True)


@pytest.fixture
def concern(school):
    return TicketFactory(school=school, category="safeguarding", is_safeguarding=True, description=CONCERN, priority=Priority.URGENT)


def test_only_leads_in_scope_see_it(client, users, lead, concern, other_la):
    assert list(Ticket.objects.visible_to(lead)) == [concern]
    for role in ("support_agent", "support_agent_all", "council_officer", "school_staff", "cio", "admin"):
        assert not Ticket.objects.visible_to(users[role]).filter(pk=concern.pk).exists(), role
        client.force_login(users[role])
        assert client.get(reverse("support:ticket_detail", args=[concern.pk])).status_code in (403, 404)
    outside_lead = UserFactory(role="support_agent", local_authority=other_la, is_safeguarding_lead=True)
    assert not Ticket.objects.visible_to(outside_lead).exists()
    school_lead = UserFactory(role="school_staff", school=concern.school, is_safeguarding_lead=True)
    assert Ticket.objects.visible_to(school_lead).filter(pk=concern.pk).exists()


def test_hidden_from_other_agents_queue(client, users, concern):
    client.force_login(users["support_agent"])
    assert concern.reference not in client.get(reverse("support:queue")).content.decode()


def test_every_read_is_logged(client, lead, concern):
    client.force_login(lead)
    url = reverse("support:ticket_detail", args=[concern.pk])
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    log = SafeguardingAccessLog.objects.filter(ticket=concern, user=lead)
    assert log.count() == 2
    assert log.first().action == "viewed"
    assert "Who has opened this ticket" in client.get(url).content.decode()


def test_raising_one_escalates_at_once_without_details(client, la, school, lead, django_capture_on_commit_callbacks):
    lead.email = "lead@example.org"
    lead.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("support:help_form", args=["en"]), {
            "name": "Parent", "email": "parent@example.org", "category": "safeguarding", "description": CONCERN,
        })
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.is_safeguarding and ticket.priority == Priority.URGENT and ticket.escalated_at is not None
    for message in mail.outbox:
        assert CONCERN not in message.body and "frightening" not in message.subject
    assert {m.to[0] for m in mail.outbox} >= {"parent@example.org"}


def test_staff_raised_concern_alerts_the_la_and_notifies_leads(client, users, school, lead, django_capture_on_commit_callbacks):
    lead.email = "lead@example.org"
    lead.save()
    from allocations.tests.factories import AllocationFactory

    allocation = AllocationFactory(child__school=school, device__school=school)
    client.force_login(users["school_staff"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("support:ticket_create"), {
            "device": allocation.device.pk, "category": "safeguarding", "priority": "low", "description": CONCERN, "language": "en",
        })
    assert response.status_code == 302 and response["Location"] == reverse("support:ticket_list")
    ticket = Ticket.objects.get()
    assert ticket.priority == Priority.URGENT
    alert = Alert.objects.get(kind=Alert.Kind.SLA_BREACH)
    assert ticket.reference in alert.message and "frightening" not in alert.message
    lead_mail = [m for m in mail.outbox if m.to == ["lead@example.org"]]
    assert len(lead_mail) == 1 and CONCERN not in lead_mail[0].body and ticket.reference in lead_mail[0].body


def test_family_page_shows_status_only(client, concern, users):
    services.add_message(ticket=concern, body="We are contacting the police liaison.", by=UserFactory(role="support_agent", is_safeguarding_lead=True))
    html = client.get(f"/help/t/{concern.reference}/{DEFAULT_TOKEN}/").content.decode()
    assert concern.reference in html
    assert CONCERN not in html and "police" not in html
    assert "govuk-textarea" not in html  # no reply form either
    assert client.post(f"/help/t/{concern.reference}/{DEFAULT_TOKEN}/", {"body": "more"}).status_code == 404


def test_reply_email_carries_no_details(concern, django_capture_on_commit_callbacks):
    agent = UserFactory(role="support_agent", is_safeguarding_lead=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.add_message(ticket=concern, body="We are contacting the police liaison.", by=agent)
    assert len(mail.outbox) == 1
    assert "police" not in mail.outbox[0].body and CONCERN not in mail.outbox[0].body


def test_file_downloads_by_a_lead_are_logged_and_others_are_refused(client, users, lead, concern):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from support.models import Attachment

    services.add_message(ticket=concern, body="Screenshot", by=None, uploads=[SimpleUploadedFile("s.png", PNG)])
    url = reverse("support:attachment", args=[Attachment.objects.get().pk])
    client.force_login(users["support_agent"])
    assert client.get(url).status_code == 404
    client.force_login(lead)
    assert client.get(url).status_code == 200
    assert SafeguardingAccessLog.objects.get(ticket=concern, user=lead).action == SafeguardingAccessLog.Action.DOWNLOADED
    assert client.get(f"/help/t/{concern.reference}/{DEFAULT_TOKEN}/files/{Attachment.objects.get().pk}/").status_code == 404
