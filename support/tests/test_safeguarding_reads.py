"""Issue 15 #4: every route that shows a safeguarding ticket's content logs the read, and the
routes that do not log show no content."""
import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.tests.factories import UserFactory
from messaging.models import InboundMessage
from support.models import Priority, SafeguardingAccessLog
from support.tests.factories import TicketFactory

CONCERN = "An adult she met online keeps sending her frightening messages."
FAMILY_TEXT = "Please call me, he messaged her again tonight."


@pytest.fixture
def concern(school):
    return TicketFactory(school=school, category="safeguarding", is_safeguarding=True, description=CONCERN, priority=Priority.URGENT)


@pytest.fixture
def admin_lead(la):
    user = UserFactory(role="support_agent", local_authority=la, is_safeguarding_lead=True, is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(codename__in=["view_ticket", "change_ticket", "view_inboundmessage"]))
    return user


def actions(ticket):
    return list(SafeguardingAccessLog.objects.filter(ticket=ticket).values_list("user_id", "action"))


@pytest.mark.parametrize("route", ["change", "history"])
def test_admin_ticket_pages_log_the_read(client, admin_lead, concern, route):
    client.force_login(admin_lead)
    response = client.get(reverse(f"admin:support_ticket_{route}", args=[concern.pk]))
    assert response.status_code == 200
    assert actions(concern) == [(admin_lead.pk, SafeguardingAccessLog.Action.ADMIN_VIEWED)]


def test_admin_history_version_logs_the_read(client, admin_lead, concern):
    client.force_login(admin_lead)
    version = concern.history.first()
    response = client.get(reverse("admin:support_ticket_simple_history", args=[concern.pk, version.history_id]))
    assert response.status_code == 200 and CONCERN in response.content.decode()
    assert actions(concern) == [(admin_lead.pk, SafeguardingAccessLog.Action.ADMIN_VIEWED)]


def test_admin_list_shows_no_content_and_logs_nothing(client, admin_lead, concern):
    client.force_login(admin_lead)
    response = client.get(reverse("admin:support_ticket_changelist"))
    assert response.status_code == 200 and concern.reference in response.content.decode()
    assert CONCERN not in response.content.decode()
    assert actions(concern) == []


def test_admin_inbound_message_about_a_concern_logs_the_read(client, admin_lead, concern):
    inbound = InboundMessage.objects.create(channel="sms", provider_id="p-1", sender="+447700900123", body=FAMILY_TEXT, outcome="threaded", ticket=concern)
    client.force_login(admin_lead)
    response = client.get(reverse("admin:messaging_inboundmessage_change", args=[inbound.pk]))
    assert response.status_code == 200 and FAMILY_TEXT in response.content.decode()
    assert actions(concern) == [(admin_lead.pk, SafeguardingAccessLog.Action.ADMIN_VIEWED)]


def test_ordinary_ticket_in_admin_is_not_logged(client, admin_lead, school):
    ticket = TicketFactory(school=school)
    client.force_login(admin_lead)
    assert client.get(reverse("admin:support_ticket_change", args=[ticket.pk])).status_code == 200
    assert not SafeguardingAccessLog.objects.exists()


def test_api_shows_no_content(client, la):
    """The API is a route that does not show content: no description, messages or contact."""
    lead = UserFactory(role="support_agent", local_authority=la, is_safeguarding_lead=True)
    concern = TicketFactory(category="safeguarding", is_safeguarding=True, description=CONCERN, local_authority=la)
    client.force_login(lead)
    listing = client.get("/api/tickets/")
    detail = client.get(f"/api/tickets/{concern.pk}/")
    assert listing.status_code == 200 and detail.status_code == 200
    for body in (listing.content.decode(), detail.content.decode()):
        assert concern.reference in body and CONCERN not in body
    assert not {"description", "subject", "messages", "requester_phone", "requester_email"} & set(detail.json())


def test_inbound_list_and_ticket_export_show_no_content(client, la, concern):
    lead = UserFactory(role="support_agent", local_authority=la, is_safeguarding_lead=True)
    InboundMessage.objects.create(channel="sms", provider_id="p-2", sender="+447700900123", body=FAMILY_TEXT, outcome="threaded", ticket=concern)
    client.force_login(lead)
    for url in (reverse("messaging:inbound"), reverse("messaging:inbound") + "?_export=csv", reverse("support:ticket_list") + "?_export=csv"):
        response = client.get(url)
        assert response.status_code == 200, url
        body = b"".join(response.streaming_content) if response.streaming else response.content
        assert FAMILY_TEXT.encode() not in body and CONCERN.encode() not in body, url
