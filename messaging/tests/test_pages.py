"""The outbox, messages that did not arrive and the agent's fallback, and the demo text page."""

import pytest
from django.urls import reverse

from messaging import services
from messaging.models import Channel, OutboundMessage, Status
from messaging.tests.factories import OutboundMessageFactory
from support.models import Source
from support.services import create_ticket


@pytest.fixture
def failed(school):
    ticket, _token = create_ticket(category="hardware", description="x", source=Source.FAMILY,
                                   requester_email="family@example.org", requester_phone="+447700900140", school=school)
    message = ticket.outbound_messages.get()
    OutboundMessage.objects.filter(pk=message.pk).update(status=Status.PERMANENT_FAILURE, last_error="bounced")
    message.refresh_from_db()
    return message


def test_the_outbox_shows_each_message_as_the_family_receives_it_to_admins_only(client, users, failed):
    client.force_login(users["admin"])
    page = client.get(reverse("messaging:outbox")).content.decode()
    assert failed.get_absolute_url() in page
    detail = client.get(failed.get_absolute_url()).content.decode()
    assert failed.subject in detail and failed.ticket.reference in detail
    for role in ("council_officer", "school_staff", "london_lead", "support_agent"):
        client.force_login(users[role])
        assert client.get(reverse("messaging:outbox")).status_code == 403


def test_an_agent_sends_a_failed_email_again_as_a_text(client, users, failed):
    client.force_login(users["support_agent"])
    assert failed.get_absolute_url() in client.get(reverse("messaging:failed")).content.decode()
    response = client.post(reverse("messaging:send_again", args=[failed.pk]), {"channel": "sms", "recipient": "07700 900140"})
    again = OutboundMessage.objects.exclude(pk=failed.pk).get()
    assert response.status_code == 302 and response["Location"] == again.get_absolute_url()
    assert again.channel == Channel.SMS and again.recipient == "+447700900140" and again.body == failed.body
    # The same fallback twice is one message.
    client.post(reverse("messaging:send_again", args=[failed.pk]), {"channel": "sms", "recipient": "07700 900140"})
    assert OutboundMessage.objects.count() == 2


def test_a_letter_needs_a_real_address_and_a_delivered_message_cannot_be_resent(client, users, failed):
    client.force_login(users["support_agent"])
    client.post(reverse("messaging:send_again", args=[failed.pk]), {"channel": "letter", "recipient": "London"})
    assert OutboundMessage.objects.count() == 1
    client.post(reverse("messaging:send_again", args=[failed.pk]), {"channel": "letter", "recipient": "Flat 1\n2 Road\nLondon\nN1 1AA"})
    assert OutboundMessage.objects.filter(channel="letter").count() == 1
    delivered = OutboundMessageFactory(status=Status.DELIVERED, local_authority=failed.local_authority)
    client.post(reverse("messaging:send_again", args=[delivered.pk]), {"channel": "sms", "recipient": "07700900141"})
    assert not OutboundMessage.objects.filter(recipient="+447700900141").exists()


def test_an_agent_of_another_borough_cannot_see_or_resend(client, users, failed, other_la):
    from accounts.tests.factories import UserFactory

    outsider = UserFactory(role="support_agent", local_authority=other_la)
    client.force_login(outsider)
    assert client.get(failed.get_absolute_url()).status_code == 404
    assert client.post(reverse("messaging:send_again", args=[failed.pk]), {"channel": "sms", "recipient": "07700900142"}).status_code == 404


def test_the_demo_text_page_goes_through_the_inbound_service(client, users):
    client.force_login(users["support_agent_all"])
    response = client.post(reverse("messaging:demo_text"), {"sender": "07700 900150", "body": "mera laptop kaam nahi kar raha"})
    assert response.status_code == 302
    from support.models import Ticket

    ticket = Ticket.objects.get()
    assert ticket.requester_phone == "+447700900150" and ticket.channel == "sms"


def test_the_demo_text_page_is_gone_when_texts_really_go_out(client, users, settings):
    settings.MESSAGING_DRIVERS = {"sms": "notify", "email": "notify", "letter": "notify"}
    client.force_login(users["admin"])
    assert client.get(reverse("messaging:demo_text")).status_code == 404


def test_outbox_and_failed_lists_use_a_fixed_number_of_queries(client, users, django_assert_max_num_queries, school):
    for i in range(15):
        create_ticket(category="hardware", description="x", source=Source.FAMILY, requester_phone=f"+4477009002{i:02d}", school=school)
    OutboundMessage.objects.update(status=Status.PERMANENT_FAILURE)
    client.force_login(users["admin"])
    with django_assert_max_num_queries(8):
        assert client.get(reverse("messaging:outbox")).status_code == 200
    with django_assert_max_num_queries(8):
        assert client.get(reverse("messaging:failed")).status_code == 200


def test_outbox_driver_delivers_offline(db, school):
    ticket, _token = create_ticket(category="hardware", description="x", source=Source.FAMILY, requester_phone="+447700900160", school=school)
    message = services.deliver(ticket.outbound_messages.get().pk)
    assert message.status == Status.SENT and message.driver == "outbox"
