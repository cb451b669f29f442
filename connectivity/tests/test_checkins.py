"""Check-ins with families (connectivity.checkins): sent once a month per idle SIM in the family's
language, answered once by a tap on the page or a text of 1/2/3; each answer's consequences; used,
expired and altered links; the staff list and the follow-up list, scoped."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from django.conf import settings
from django.utils import timezone, translation

from accounts.tests.factories import SchoolFactory, UserFactory
from allocations.tests.factories import AllocationFactory
from connectivity import checkins
from connectivity.daily_checks import run_idle
from connectivity.models import CheckIn
from connectivity.tests.factories import CheckInFactory, NetworkOperatorFactory, SimFactory, UsageReadingFactory
from devices.models import Alert, DeviceEvent
from messaging.models import InboundOutcome, OutboundMessage
from messaging.services import receive_text
from support.models import Source, Ticket

TODAY = datetime.date(2026, 11, 20)
FAMILY_LANGUAGES = [code for code, _name in settings.LANGUAGES]


def idle_sim(school, *, language="en", phone="+447700900555", email=""):
    allocation = AllocationFactory(
        child__school=school, child__preferred_language=language, child__guardian_phone=phone, child__guardian_email=email,
        status="handed_over", handed_over_on=datetime.date(2026, 6, 1),
    )
    sim = SimFactory(device=allocation.device, local_authority=school.local_authority)
    for month in (7, 8, 9, 10):
        UsageReadingFactory(sim=sim, period=datetime.date(2026, month, 1), granularity="month", mb_used=0 if month == 10 else 300)
    UsageReadingFactory(sim=sim, period=datetime.date(2026, 11, 19), granularity="day", mb_used=0)
    return sim


def token_of(message):
    return re.search(r"/check-in/([A-Za-z0-9_-]+)/", message.body).group(1)


@pytest.fixture
def sent(school):
    """An idle SIM whose Urdu-speaking family was sent a check-in by the daily check."""
    sim = idle_sim(school, language="ur")
    run_idle(TODAY, io.StringIO())
    checkin = CheckIn.objects.get(sim=sim)
    return checkin, token_of(checkin.message)


def test_the_daily_check_texts_the_family_once_in_their_language(school):
    sim = idle_sim(school, language="ur")
    for _ in range(2):
        run_idle(TODAY, io.StringIO())
    run_idle(TODAY + datetime.timedelta(days=5), io.StringIO())
    checkin = CheckIn.objects.get(sim=sim)
    messages = OutboundMessage.objects.filter(template="checkin")
    assert messages.count() == 1
    message = messages.get()
    assert (message.channel, message.language, message.recipient) == ("sms", "ur", "+447700900555")
    assert "کیا آپ کے پاس اب بھی" in message.body and f"/help/ur/check-in/{token_of(message)}/" in message.body
    assert message.idempotency_key == f"checkin:sim:{sim.pk}:2026-11:sms"
    assert checkin.message == message and checkin.phone == "+447700900555" and checkin.language == "ur"
    assert checkin.token_hash == checkins.hash_token(token_of(message)) and token_of(message) not in checkin.token_hash
    assert checkin.follow_up_at == (checkin.sent_at + datetime.timedelta(days=14)).date()
    assert (checkin.school, checkin.local_authority, checkin.child) == (sim.device.allocations.get().child.school, school.local_authority, sim.device.allocations.get().child)
    run_idle(datetime.date(2026, 12, 3), io.StringIO())  # a new month, still idle: one more
    assert CheckIn.objects.filter(sim=sim).count() == 2 and messages.count() == 2


def test_email_when_the_family_gave_no_mobile_and_nothing_without_contact(school):
    by_email = idle_sim(school, phone="", email="family@example.org", language="pl")
    no_contact = idle_sim(school, phone="", email="")
    run_idle(TODAY, io.StringIO())
    message = CheckIn.objects.get(sim=by_email).message
    assert (message.channel, message.recipient, message.subject) == ("email", "family@example.org", "Czy nadal mają Państwo to urządzenie?")
    assert not CheckIn.objects.filter(sim=no_contact).exists()
    assert Alert.objects.filter(sim=no_contact, kind="sim_idle").exists()  # the officer still sees it


@pytest.mark.parametrize("lang", FAMILY_LANGUAGES)
def test_the_text_and_the_page_exist_in_every_family_language(db, client, lang):
    from messaging.services import render

    _subject, body = render(template="checkin", channel="sms", context={"link": "https://x/l"}, language=lang)
    if lang != "en":
        assert "do you still have the device" not in body
    assert "1" in body and "2" in body and "3" in body and "https://x/l" in body
    checkin = CheckInFactory(token="t0k3n", language=lang)
    page = client.get(f"/help/{lang}/check-in/t0k3n/")
    html = page.content.decode()
    assert page.status_code == 200 and page["Content-Language"] == lang
    assert f'lang="{lang}"' in html and ('dir="rtl"' in html) == (lang in settings.LANGUAGES_BIDI)
    with translation.override(lang):
        for label in CheckIn.Answer.labels:
            assert str(label) in html
        if lang != "en":
            assert str(translation.gettext("Do you still have the device?")) != "Do you still have the device?"
    assert checkin.answered_at is None


def answer(client, token, value, lang="ur"):
    return client.post(f"/help/{lang}/check-in/{token}/", {"answer": value})


def test_yes_it_works_by_web_notes_the_custody_log(client, sent):
    checkin, token = sent
    response = answer(client, token, "works")
    assert response.status_code == 200 and "ہمیں آپ کا جواب مل گیا ہے۔" in response.content.decode()
    checkin.refresh_from_db()
    assert (checkin.answer, checkin.answered_by, checkin.ticket) == ("works", "web", None)
    event = DeviceEvent.objects.get(device=checkin.device, kind=DeviceEvent.Kind.NOTE)
    assert event.note == "Family check-in answered on the check-in page: “Yes, it works”."
    assert checkin.child.reference not in event.note and checkin.child.last_name not in event.note
    assert event.allocation_id == checkin.allocation_id


def test_not_working_by_web_opens_a_ticket_the_agent_sees_in_urdu(client, sent, users):
    checkin, token = sent
    answer(client, token, "not_working")
    checkin.refresh_from_db()
    ticket = checkin.ticket
    assert (ticket.source, ticket.language, ticket.device, ticket.child, ticket.requester_phone) == (
        Source.FAMILY, "ur", checkin.device, checkin.child, checkin.child.guardian_phone
    )
    assert Ticket.objects.visible_to(users["support_agent"]).filter(pk=ticket.pk).exists()
    client.force_login(users["support_agent"])
    assert ticket.reference in client.get("/support/").content.decode()
    # the family is told their request was opened, in Urdu
    assert OutboundMessage.objects.filter(ticket=ticket, template="ticket_created", language="ur").exists()


def test_no_longer_needed_by_web_asks_the_officer_to_arrange_a_return(client, sent, users):
    checkin, token = sent
    answer(client, token, "not_needed")
    alert = Alert.objects.get(kind=Alert.Kind.RETURN_REQUESTED)
    assert (alert.device, alert.sim, alert.local_authority) == (checkin.device, checkin.sim, checkin.local_authority)
    assert checkin.device.serial in alert.message and checkin.child.last_name not in alert.message
    assert Alert.objects.visible_to(users["council_officer"]).filter(pk=alert.pk).exists()


def test_a_link_used_twice_records_nothing_twice(client, sent):
    checkin, token = sent
    answer(client, token, "not_working")
    again = answer(client, token, "not_needed")
    html = again.content.decode()
    assert again.status_code == 200 and "یہ لنک پہلے ہی استعمال ہو چکا ہے" in html
    assert client.get(f"/help/ur/check-in/{token}/").status_code == 200
    checkin.refresh_from_db()
    assert checkin.answer == "not_working"
    assert DeviceEvent.objects.filter(device=checkin.device, kind="note").count() == 1
    assert Ticket.objects.count() == 1 and not Alert.objects.filter(kind="return_requested").exists()


def test_an_expired_link(client, sent):
    checkin, token = sent
    CheckIn.objects.filter(pk=checkin.pk).update(sent_at=timezone.now() - datetime.timedelta(days=31))
    page = client.get(f"/help/ur/check-in/{token}/")
    assert page.status_code == 410 and "اس لنک کی میعاد ختم ہو چکی ہے" in page.content.decode()
    assert answer(client, token, "works").status_code == 410
    checkin.refresh_from_db()
    assert checkin.answered_at is None and not DeviceEvent.objects.filter(kind="note").exists()


@pytest.mark.parametrize("altered", ["x", "", "A" * 43, "%00", "a" * 500, "../../admin"])
def test_an_altered_link_is_a_clear_page_in_the_family_language(client, sent, altered):
    checkin, token = sent
    page = client.get(f"/help/ur/check-in/{token[:-1] + ('A' if token[-1] != 'A' else 'B')}/")
    assert page.status_code == 404 and "یہ لنک درست نہیں ہے" in page.content.decode() and 'dir="rtl"' in page.content.decode()
    response = client.post(f"/help/ur/check-in/{altered}/", {"answer": "works"})
    assert response.status_code in (404, 405)
    checkin.refresh_from_db()
    assert checkin.answered_at is None


def test_an_unknown_language_or_answer_is_never_an_error(client, sent):
    checkin, token = sent
    assert client.get(f"/help/xx/check-in/{token}/").status_code == 200  # English
    bad = answer(client, token, "maybe")
    assert bad.status_code == 400 and "ایک جواب منتخب کریں۔" in bad.content.decode()
    assert answer(client, token, "").status_code == 400
    checkin.refresh_from_db()
    assert checkin.answered_at is None


@pytest.mark.parametrize("reply, expected", [("1", "works"), (" 2. ", "not_working"), ("3", "not_needed")])
def test_the_three_answers_by_text(sent, reply, expected):
    checkin, _token = sent
    inbound = receive_text(sender="07700 900555", body=reply, provider_id=f"in-{reply}")
    checkin.refresh_from_db()
    assert (checkin.answer, checkin.answered_by) == (expected, "sms")
    assert inbound.outcome == InboundOutcome.CHECK_IN and checkin.reference in inbound.detail
    assert DeviceEvent.objects.get(kind="note").note.startswith("Family check-in answered by text")
    assert Ticket.objects.filter(source=Source.FAMILY).count() == (1 if expected == "not_working" else 0)
    assert inbound.ticket == checkin.ticket
    assert Alert.objects.filter(kind="return_requested").count() == (1 if expected == "not_needed" else 0)


def _replies():
    return list(OutboundMessage.objects.filter(template="checkin_reply").order_by("pk"))


@pytest.mark.parametrize("reply, expected", [("1", "works"), ("2", "not_working"), ("3", "not_needed")])
def test_an_answer_by_text_is_confirmed_in_the_familys_language(sent, reply, expected):
    checkin, _token = sent
    receive_text(sender="07700 900555", body=reply, provider_id="in-1")
    checkin.refresh_from_db()
    (message,) = _replies()
    assert (message.channel, message.language, message.recipient) == ("sms", "ur", "+447700900555")
    assert message.idempotency_key == f"checkin:{checkin.pk}:answered:sms"
    if expected == "not_working":
        assert checkin.ticket.reference in message.body
    # The same callback delivered again sends nothing more.
    receive_text(sender="07700 900555", body=reply, provider_id="in-1")
    assert len(_replies()) == 1


def test_the_confirmation_says_what_each_answer_did_in_english(school):
    sim = idle_sim(school, language="en")
    run_idle(TODAY, io.StringIO())
    receive_text(sender="+447700900555", body="2", provider_id="a")
    checkin = CheckIn.objects.get(sim=sim)
    (message,) = _replies()
    assert "You told us the device is not working" in message.body
    assert f"support request {checkin.ticket.reference}" in message.body


def test_a_second_answer_by_text_changes_nothing_and_says_so(sent):
    checkin, _token = sent
    receive_text(sender="+447700900555", body="2", provider_id="a")
    second = receive_text(sender="+447700900555", body="3", provider_id="b")
    assert second.outcome == InboundOutcome.CHECK_IN and "already answered" in second.detail
    assert DeviceEvent.objects.filter(kind="note").count() == 1
    checkin.refresh_from_db()
    assert checkin.answer == "not_working"
    assert [m.idempotency_key for m in _replies()] == [
        f"checkin:{checkin.pk}:answered:sms", f"checkin:{checkin.pk}:already:{timezone.localdate().isoformat()}:sms",
    ]
    receive_text(sender="+447700900555", body="1", provider_id="c")  # again the same day: no second text
    assert len(_replies()) == 2
    other = receive_text(sender="+447700900999", body="1", provider_id="d")
    assert other.outcome == InboundOutcome.NEW_TICKET


def test_an_answer_answered_on_the_page_first_is_refused_by_text(sent):
    checkin, _token = sent
    checkins.answer_checkin(checkin=checkin, answer="works", channel="web")
    inbound = receive_text(sender="+447700900555", body="3", provider_id="late")
    assert inbound.outcome == InboundOutcome.CHECK_IN
    checkin.refresh_from_db()
    assert checkin.answer == "works" and not Alert.objects.filter(kind="return_requested").exists()
    (message,) = _replies()
    assert message.language == "ur" and message.idempotency_key.startswith(f"checkin:{checkin.pk}:already:")


@pytest.mark.parametrize("body", ["4", "0", "yes", "12"])
def test_a_reply_that_is_not_1_2_or_3_asks_again_and_records_nothing(school, body):
    sim = idle_sim(school, language="en")
    run_idle(TODAY, io.StringIO())
    inbound = receive_text(sender="+447700900555", body=body, provider_id="x")
    checkin = CheckIn.objects.get(sim=sim)
    assert inbound.outcome == InboundOutcome.CHECK_IN and checkin.answered_at is None
    (message,) = _replies()
    assert "Reply 1 if the device works, 2 if it is not working, 3 if you no longer need it." in message.body
    assert not Ticket.objects.exists() and not DeviceEvent.objects.filter(kind="note").exists()
    # The family can still answer.
    receive_text(sender="+447700900555", body="1", provider_id="y")
    checkin.refresh_from_db()
    assert checkin.answer == "works"


def test_a_sentence_still_goes_to_the_ticket_path(sent):
    checkin, _token = sent
    inbound = receive_text(sender="+447700900555", body="The laptop screen is broken, can someone help", provider_id="s")
    assert inbound.outcome == InboundOutcome.NEW_TICKET
    checkin.refresh_from_db()
    assert checkin.answered_at is None and not _replies()


def test_an_expired_check_in_is_not_answered_by_text(sent):
    checkin, _token = sent
    CheckIn.objects.filter(pk=checkin.pk).update(sent_at=timezone.now() - datetime.timedelta(days=31))
    assert receive_text(sender="+447700900555", body="1", provider_id="late").outcome == InboundOutcome.NEW_TICKET
    checkin.refresh_from_db()
    assert checkin.answered_at is None


def test_answering_twice_at_the_service_is_refused(sent):
    checkin, _token = sent
    checkins.answer_checkin(checkin=checkin, answer="works", channel="web")
    with pytest.raises(checkins.CheckInError) as error:
        checkins.answer_checkin(checkin=checkin, answer="not_needed", channel="sms")
    assert error.value.code == "answered"


# Staff pages ------------------------------------------------------------------------------------


@pytest.fixture
def follow_up(school, other_school, la):
    old = timezone.now() - datetime.timedelta(days=15)
    return {
        "due": CheckInFactory(school=school, sent_at=old),
        "recent": CheckInFactory(school=school),
        "answered": CheckInFactory(school=school, sent_at=old, answer="works", answered_at=timezone.now(), answered_by="web"),
        "same_la": CheckInFactory(school=SchoolFactory(local_authority=la), sent_at=old),
        "other_la": CheckInFactory(school=other_school, sent_at=old),
    }


def _shown(response, rows):
    html = response.content.decode()
    return {name for name, c in rows.items() if c.reference in html}


def test_the_follow_up_list_is_scoped_and_shows_only_unanswered_past_due(client, users, follow_up, django_assert_max_num_queries):
    expected = {"school_staff": {"due"}, "council_officer": {"due", "same_la"}, "admin": {"due", "same_la", "other_la"}}
    for role, names in expected.items():
        client.force_login(users[role])
        with django_assert_max_num_queries(14):
            response = client.get("/check-ins/follow-up/")
        assert response.status_code == 200 and _shown(response, follow_up) == names, role
    client.force_login(users["school_staff"])
    assert "07700 900" in client.get("/check-ins/follow-up/").content.decode()  # who to call
    csv = client.get("/check-ins/follow-up/?_export=csv")
    assert csv.status_code == 200 and follow_up["due"].reference in b"".join(csv.streaming_content).decode()
    client.force_login(users["london_lead"])
    assert client.get("/check-ins/follow-up/").status_code == 403


def test_the_check_in_list_filters_and_exports(client, users, follow_up, django_assert_max_num_queries):
    client.force_login(users["council_officer"])
    with django_assert_max_num_queries(14):
        response = client.get("/check-ins/")
    assert _shown(response, follow_up) == {"due", "recent", "answered", "same_la"}
    assert _shown(client.get("/check-ins/?answered=yes"), follow_up) == {"answered"}
    assert _shown(client.get("/check-ins/?answered=no&answer=works"), follow_up) == set()
    assert client.get("/check-ins/?answered=bogus").status_code == 200
    body = b"".join(client.get("/check-ins/?_export=csv&answer=works").streaming_content).decode()
    assert follow_up["answered"].reference in body and follow_up["due"].reference not in body
    client.force_login(UserFactory(role="network", network_operator=NetworkOperatorFactory()))
    assert client.get("/check-ins/").status_code == 403


def test_the_follow_up_list_is_in_the_navigation(client, users):
    client.force_login(users["school_staff"])
    # In the header's Connectivity section, whose pages are listed on each of them.
    assert 'href="/check-ins/follow-up/"' in client.get(reverse("connectivity:runout")).content.decode()


def test_anonymising_the_child_blanks_the_check_in_phone(sent):
    from allocations.services import anonymise_child

    checkin, _token = sent
    anonymise_child(child=checkin.child)
    checkin.refresh_from_db()
    assert checkin.phone == "" and checkin.child.guardian_phone == ""
