"""Sending through GOV.UK Notify: the real client against the local Notify server, every answer
Notify gives, and the never-twice guarantee."""

import json

import pytest
from django.db import connection
from django.urls import reverse

from messaging import services
from messaging.models import Channel, OutboundMessage, Status
from messaging.services import Recipient, send_to_family
from support.models import Status as TicketStatus
from support.services import add_message, change_status, create_ticket
from support.models import Source


def sms(**kwargs):
    defaults = dict(
        recipient=Recipient(phone="07700 900123"), template="ticket_news", language="so",
        context={"reference": "ABCD2345", "link": "https://example.test/t"}, channel="sms",
    )
    defaults.update(kwargs)
    return send_to_family(**defaults)


def test_a_text_goes_through_notify_with_our_text_reference_and_the_languages_template(notify):
    message = sms(key="t1")
    message = services.deliver(message.pk)
    assert message.status == Status.SENT and message.driver == "notify"
    [sent] = notify.state.notifications
    assert sent["phone_number"] == "+447700900123"
    assert sent["reference"] == message.provider_reference
    assert sent["template"]["id"] == notify.templates[("sms", "so")]
    assert sent["body"] == message.body  # the text Notify sends is the one the outbox shows
    assert message.provider_id == sent["id"]


def test_email_and_letter_through_notify(notify):
    email = send_to_family(recipient=Recipient(email="family@example.org"), template="ticket_news", language="en",
                           context={"reference": "ABCD2345", "link": "https://x.test/"}, key="e1")
    letter = send_to_family(recipient=Recipient(address="Flat 2\n10 High Street\nLondon\nN1 9GU"), template="resend",
                            language="en", context={"text": "Your laptop is ready to collect."}, channel="letter", key="l1")
    assert services.deliver(email.pk).status == Status.SENT
    assert services.deliver(letter.pk).status == Status.SENT
    kinds = {n["type"]: n for n in notify.state.notifications}
    assert kinds["email"]["personalisation"]["subject"] == email.subject
    assert kinds["letter"]["personalisation"]["address_line_4"] == "N1 9GU"


def test_a_number_notify_refuses_is_a_permanent_failure_shown_to_agents(notify, client, users):
    message = sms(recipient=Recipient(phone="07700 900123"), key="bad")
    notify.state.fail_next.append((400, [{"error": "ValidationError", "message": "phone_number Not a UK mobile number"}]))
    message = services.deliver(message.pk)
    assert message.status == Status.PERMANENT_FAILURE
    assert "Not a UK mobile number" in message.last_error
    client.force_login(users["admin"])
    page = client.get(reverse("messaging:failed")).content.decode()
    assert message.get_absolute_url() in page


def test_a_landline_is_never_sent_and_is_listed(notify):
    message = sms(recipient=Recipient(phone="020 7946 0000"), key="landline")
    assert message.status == Status.PERMANENT_FAILURE
    assert services.deliver(message.pk).status == Status.PERMANENT_FAILURE
    assert notify.state.notifications == []


def test_a_bad_api_key_is_a_technical_failure_not_retried(notify, settings):
    settings.NOTIFY_API_KEY = "test_key-26785a09-ab16-4eb0-8407-a37497a57506-00000000-0000-0000-0000-000000000000"
    message = services.deliver(sms(key="k").pk)
    assert message.status == Status.TECHNICAL_FAILURE
    assert "403" in message.last_error
    assert message.attempts == 1


def test_no_template_for_the_message_is_a_clear_technical_failure(notify):
    from messaging.models import NotifyTemplate

    NotifyTemplate.objects.all().delete()
    message = services.deliver(sms(key="nt").pk)
    assert message.status == Status.TECHNICAL_FAILURE
    assert "No Notify template" in message.last_error


@pytest.mark.parametrize("status,error", [(429, "RateLimitError"), (500, "Exception"), (503, "Exception")])
def test_rate_limits_and_outages_are_retried_later_and_sent_once(notify, status, error):
    message = sms(key=f"retry-{status}")
    notify.state.fail_next.append((status, [{"error": error, "message": "try later"}]))
    message = services.deliver(message.pk)
    assert message.status == Status.QUEUED and message.not_before is not None
    assert message.attempts == 1 and str(status) in message.last_error
    # Not due yet: nothing happens.
    assert services.deliver(message.pk).attempts == 1
    OutboundMessage.objects.filter(pk=message.pk).update(not_before=None)
    message = services.deliver(message.pk)
    assert message.status == Status.SENT
    assert len(notify.state.notifications) == 1


def test_an_answer_lost_after_notify_took_the_text_does_not_send_it_twice(notify):
    message = sms(key="lost")
    notify.state.accept_then_fail = 1
    message = services.deliver(message.pk)
    assert message.status == Status.QUEUED  # we could not know it was sent
    OutboundMessage.objects.filter(pk=message.pk).update(not_before=None)
    message = services.deliver(message.pk)
    assert message.status == Status.SENT
    assert len(notify.state.notifications) == 1  # found by its reference, not sent again
    assert message.provider_id == notify.state.notifications[0]["id"]


def test_a_worker_that_died_mid_send_is_taken_over_without_a_second_text(notify):
    from datetime import timedelta

    from django.utils import timezone

    message = sms(key="died")
    services.deliver(message.pk)  # sent once
    # Simulate a worker that handed it to Notify and died before recording it.
    OutboundMessage.objects.filter(pk=message.pk).update(status=Status.SENDING, not_before=timezone.now() - timedelta(seconds=1))
    assert services.deliver_pending() == 1
    assert len(notify.state.notifications) == 1
    # While the lease runs, nobody else takes it.
    OutboundMessage.objects.filter(pk=message.pk).update(status=Status.SENDING, not_before=timezone.now() + timedelta(minutes=1))
    assert services.deliver(message.pk).status == Status.SENDING
    assert len(notify.state.notifications) == 1


def test_delivering_the_same_row_again_or_queuing_the_same_event_twice_sends_once(notify):
    first = sms(key="same-event")
    second = sms(key="same-event")
    assert first.pk == second.pk
    services.deliver(first.pk)
    services.deliver(first.pk)
    services.deliver_pending()
    assert len(notify.state.notifications) == 1


def test_notify_down_is_retried(notify, settings):
    settings.NOTIFY_BASE_URL = "http://127.0.0.1:9"  # nothing listens
    message = services.deliver(sms(key="down").pk)
    assert message.status == Status.QUEUED
    assert "did not answer" in message.last_error


def test_gives_up_after_the_last_attempt(notify, settings):
    settings.MESSAGING_MAX_ATTEMPTS = 2
    message = sms(key="give-up")
    for _ in range(2):
        notify.state.fail_next.append((500, [{"error": "Exception", "message": "down"}]))
        OutboundMessage.objects.filter(pk=message.pk).update(not_before=None)
        message = services.deliver(message.pk)
    assert message.status == Status.TECHNICAL_FAILURE
    assert "Gave up after 2 attempts" in message.last_error


# Delivery receipts ------------------------------------------------------------------------------


def receipt(client, payload, token="receipt-token-for-tests-0123456789", raw=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    body = raw if raw is not None else json.dumps(payload)
    return client.post(reverse("messaging:notify_receipt"), data=body, content_type="application/json", **headers)


def test_delivery_receipts_update_the_message_once_and_never_move_back(notify, client):
    message = services.deliver(sms(key="r").pk)
    assert receipt(client, {"id": message.provider_id, "reference": message.provider_reference, "status": "delivered"}).status_code == 200
    message.refresh_from_db()
    assert message.status == Status.DELIVERED and message.delivered_at
    # The same receipt again, and a late "sending": no change.
    assert receipt(client, {"id": message.provider_id, "reference": message.provider_reference, "status": "delivered"}).status_code == 200
    assert receipt(client, {"id": message.provider_id, "status": "sending"}).status_code == 200
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


def test_a_permanent_failure_receipt_lists_the_message_on_its_ticket(notify, client, users, school):
    ticket, _token = create_ticket(category="hardware", description="x", source=Source.FAMILY, requester_phone="+447700900555",
                                   school=school)
    message = ticket.outbound_messages.get()
    services.deliver(message.pk)
    message.refresh_from_db()
    receipt(client, {"id": message.provider_id, "reference": message.provider_reference, "status": "permanent-failure"})
    message.refresh_from_db()
    assert message.status == Status.PERMANENT_FAILURE
    client.force_login(users["support_agent_all"])
    page = client.get(ticket.get_absolute_url()).content.decode()
    assert "did not arrive" in page and message.get_absolute_url() in page


@pytest.mark.parametrize("token,expected", [(None, 401), ("wrong-token", 403)])
def test_callbacks_refuse_requests_without_the_right_token(notify, client, token, expected, caplog):
    assert receipt(client, {"id": "x", "status": "delivered"}, token=token).status_code == expected
    assert "refused" in caplog.text


@pytest.mark.parametrize("raw", ["not json", "[1, 2]", json.dumps({"status": "delivered"}), json.dumps({"id": "x", "status": "exploded"}),
                                 "\udcff".encode("utf-8", "surrogatepass").decode("latin-1"), json.dumps({"id": ["a"], "status": {"x": 1}})])
def test_malformed_receipts_are_refused_with_a_reason_never_a_500(notify, client, raw):
    response = receipt(client, None, raw=raw)
    assert response.status_code == 400
    assert "error" in response.json()


def test_a_receipt_for_an_unknown_message_is_ignored(notify, client):
    response = receipt(client, {"id": "3f9f8a2e-0000-0000-0000-000000000000", "status": "delivered"})
    assert response.status_code == 200 and "ignored" in response.json()["result"]


def test_a_spoofed_callback_with_no_token_configured_is_refused(notify, client, settings):
    settings.NOTIFY_CALLBACK_TOKEN = ""
    assert receipt(client, {"id": "x", "status": "delivered"}, token="anything").status_code == 401


# A ticket's story through Notify -------------------------------------------------------------------


def test_agent_replies_reach_a_phone_only_family_by_text_in_their_language_with_the_link(notify, users, school, client):
    ticket, _token = create_ticket(category="no_internet", description="Internetka ayaa dhamaaday, fadlan i caawi",
                                   source=Source.FAMILY, language="so", requester_phone="07700 900777", school=school)
    agent = users["support_agent_all"]
    add_message(ticket=ticket, body="Waxaan kuu soo diraynaa SIM cusub.", by=agent, language="so")
    reply = ticket.outbound_messages.get(template="ticket_reply")
    assert reply.channel == Channel.SMS and reply.language == "so"
    assert "Waxaan kuu soo diraynaa SIM cusub." in reply.body
    link = reply.body.split("http://localhost:8000", 1)[1].split()[0]
    assert client.get(link).status_code == 200  # the link in the text opens the family's page
    services.deliver(reply.pk)
    assert notify.state.notifications[-1]["template"]["id"] == notify.templates[("sms", "so")]


def test_safeguarding_texts_carry_no_content(notify, school, users):
    ticket, _token = create_ticket(category="safeguarding", description="Someone is hurting my child at home",
                                   source=Source.FAMILY, requester_phone="07700 900778", school=school)
    add_message(ticket=ticket, body="A lead will call you today about the police.", by=users["support_agent_all"])
    change_status(ticket=ticket, status=TicketStatus.WAITING, by=users["support_agent_all"])
    bodies = [m.body for m in ticket.outbound_messages.all()]
    assert bodies and all("hurting" not in b and "police" not in b for b in bodies)
    assert all(m.template in ("ticket_news", "safeguarding_lead") for m in ticket.outbound_messages.all())


def test_a_message_to_many_families_is_queued_once_each_and_sent_by_one_task(notify, django_capture_on_commit_callbacks):
    from messaging.models import OptOut
    from messaging.services import send_to_families

    OptOut.objects.create(phone="+447700900403")
    items = [
        {"recipient": Recipient(phone=phone), "context": {"reference": f"R{i}", "link": "https://x.test/"}, "language": lang,
         "key": f"campaign-1:{i}"}
        for i, (phone, lang) in enumerate([("+447700900401", "so"), ("07700 900402", "ur"), ("+447700900403", "en"),
                                           ("020 7946 0000", "pl"), ("", "en")])
    ]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert send_to_families(template="ticket_news", channel="sms", items=items) == 4
    assert len(callbacks) == 1  # one delivery task for the lot
    statuses = dict(OutboundMessage.objects.values_list("recipient", "status"))
    assert statuses["+447700900401"] == statuses["+447700900402"] == Status.SENT
    assert statuses["+447700900403"] == Status.OPTED_OUT
    assert statuses["020 7946 0000"] == Status.PERMANENT_FAILURE
    assert {n["phone_number"] for n in notify.state.notifications} == {"+447700900401", "+447700900402"}
    somali = OutboundMessage.objects.get(recipient="+447700900401")
    assert somali.language == "so" and "R0" in somali.body
    # The same campaign again: nothing new, nothing sent twice.
    assert send_to_families(template="ticket_news", channel="sms", items=items) == 0
    assert len(notify.state.notifications) == 2


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (row locks between threads)")
@pytest.mark.django_db(transaction=True)
def test_eight_workers_delivering_the_same_messages_at_once_send_each_once(notify_server, settings):
    import threading
    import uuid as _uuid

    from django.db import connections

    from messaging.models import NotifyTemplate
    from messaging.tests.notify_server import API_KEY

    notify_server.state.reset()
    settings.MESSAGING_DRIVERS = {"sms": "notify", "email": "notify", "letter": "notify"}
    settings.NOTIFY_API_KEY, settings.NOTIFY_BASE_URL = API_KEY, notify_server.base_url
    template_id = _uuid.uuid4()
    NotifyTemplate.objects.create(template="*", channel="sms", language="en", notify_template_id=template_id)
    notify_server.state.templates.add(str(template_id))
    rows = [sms(key=f"race-{i}", recipient=Recipient(phone=f"+4477009005{i:02d}"), language="en") for i in range(20)]
    barrier = threading.Barrier(8)

    def work(n):
        try:
            barrier.wait()
            if n % 2:
                services.deliver_pending(batch_size=5)
            else:
                for message in rows:
                    services.deliver(message.pk)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(notify_server.state.notifications) == 20
    assert len({n["reference"] for n in notify_server.state.notifications}) == 20
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {Status.SENT}
