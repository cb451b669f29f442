"""Texts from families, through Notify's inbound callback: threads, new tickets, STOP, bad input."""

import json

import pytest
from django.urls import reverse

from allocations.tests.factories import ChildFactory
from messaging.models import InboundMessage, InboundOutcome, OptOut, Status
from messaging.services import Recipient, send_to_family
from support.models import Channel, Ticket
from support.tests.factories import TicketFactory

TOKEN = "inbound-token-for-tests-0123456789"


def text(client, sender, message, provider_id="in-1", token=TOKEN, **extra):
    payload = {"id": provider_id, "source_number": sender, "destination_number": "07700900000", "message": message,
               "date_received": "2026-12-01T10:15:30.000000Z", **extra}
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(reverse("messaging:notify_inbound"), data=json.dumps(payload), content_type="application/json", **headers)


def test_a_text_from_a_known_number_threads_into_their_open_ticket(notify, client, school):
    ticket = TicketFactory(school=school, requester_phone="+447700900123", requester_email="")
    response = text(client, "447700900123", "It still does not work")
    assert response.status_code == 200 and response.json()["result"] == "threaded"
    message = ticket.messages.get()
    assert message.body == "It still does not work" and message.from_requester and message.channel == Channel.SMS
    assert InboundMessage.objects.get().ticket == ticket


def test_a_text_from_a_new_number_opens_a_ticket_in_the_detected_language(notify, client):
    response = text(client, "07700 900124", "laptop-ka ma shaqeynayo", provider_id="so-1")
    assert response.json()["result"] == "new_ticket"
    ticket = Ticket.objects.get()
    assert ticket.language == "so" and ticket.channel == Channel.SMS and ticket.reply_channel == "sms"
    assert ticket.requester_phone == "+447700900124"
    # The family is told by text that we have it, in Somali.
    ack = ticket.outbound_messages.get()
    assert ack.channel == "sms" and ack.language == "so" and ack.recipient == "+447700900124"


def test_a_known_guardians_number_puts_the_ticket_in_their_borough_and_language(notify, client, school):
    child = ChildFactory(school=school, guardian_phone="+447700900125", preferred_language="ur")
    text(client, "+44 7700 900125", "ok", provider_id="ur-1")
    ticket = Ticket.objects.get()
    assert ticket.local_authority == school.local_authority and ticket.school == school and ticket.child == child
    assert ticket.language == "ur"  # "ok" says nothing: the child's family language


@pytest.mark.parametrize("sender", ["07700900126", "+447700900126", "447700900126", "(07700) 900-126", "07700 900 126", "00447700900126"])
def test_numbers_in_any_uk_format_match_the_same_family(notify, client, school, sender):
    ticket = TicketFactory(school=school, requester_phone="+447700900126", requester_email="")
    text(client, sender, "hello again", provider_id=f"fmt-{sender}")
    assert ticket.messages.count() == 1


def test_stop_opts_out_and_no_more_texts_are_sent_until_start(notify, client):
    assert text(client, "07700900127", "STOP", provider_id="stop").json()["result"] == "opted_out"
    assert OptOut.objects.filter(phone="+447700900127").exists()
    message = send_to_family(recipient=Recipient(phone="07700900127"), template="ticket_news", language="en",
                             context={"reference": "X", "link": "y"}, channel="sms", key="after-stop")
    assert message.status == Status.OPTED_OUT
    assert notify.state.notifications == []
    assert text(client, "07700900127", "Start", provider_id="start").json()["result"] == "opted_in"
    assert not OptOut.objects.exists()


def test_the_same_callback_twice_is_taken_once(notify, client):
    text(client, "07700900128", "my dongle has no data", provider_id="dup")
    text(client, "07700900128", "my dongle has no data", provider_id="dup")
    assert InboundMessage.objects.count() == 1 and Ticket.objects.count() == 1


def test_a_long_text_is_kept_whole_and_an_empty_one_is_refused_with_a_reason(notify, client):
    long = "word " * 2000
    assert text(client, "07700900129", long, provider_id="long").status_code == 200
    assert Ticket.objects.get().description.strip() == long.strip()
    response = text(client, "07700900130", "   ", provider_id="empty")
    assert response.json()["result"] == "refused"
    assert "empty" in InboundMessage.objects.get(provider_id="empty").detail


@pytest.mark.parametrize("sender", ["not a number", "+12025550123", "", "07700"])
def test_senders_we_cannot_reply_to_are_stored_as_refused_or_rejected(notify, client, sender):
    response = text(client, sender, "hello", provider_id=f"bad-{sender}")
    if sender:
        assert response.json()["result"] == "refused"
        assert InboundMessage.objects.get().outcome == InboundOutcome.REFUSED
    else:
        assert response.status_code == 400
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("token,expected", [(None, 401), ("wrong", 403)])
def test_inbound_texts_need_the_inbound_token(notify, client, token, expected):
    assert text(client, "07700900131", "hi", token=token).status_code == expected
    assert not InboundMessage.objects.exists()


def test_a_text_on_a_closed_ticket_opens_a_new_one(notify, client, school):
    TicketFactory(school=school, requester_phone="+447700900132", requester_email="", status="closed")
    text(client, "07700900132", "The charger broke now", provider_id="closed")
    assert Ticket.objects.count() == 2
