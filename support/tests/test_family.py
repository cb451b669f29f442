"""The family's way in: /help/, the form in their language, the private link, abuse protection."""

import re

import pytest
from django.core import mail
from django.core.cache import cache
from django.urls import reverse

from allocations.tests.factories import AllocationFactory
from devices.tests.factories import RouterFactory
from support import services
from support.models import Message, Status, Ticket
from support.tests.factories import DEFAULT_TOKEN, CannedResponseFactory, TicketFactory, give_languages

URDU_NO_DATA = "ڈونگل میں ڈیٹا ختم ہو گیا ہے اور میرا بیٹا اپنا ہوم ورک نہیں کر سکتا۔"
URDU_REPLY = "ہم آپ کو نیا سم کارڈ بھیج رہے ہیں۔"


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def help_post(client, lang="en", **overrides):
    data = {
        "name": "Ayesha Khan",
        "phone": "07700 900123",
        "email": "ayesha@example.org",
        "serial": "",
        "category": "no_internet",
        "description": "The dongle has no data.",
        "website": "",
    }
    data.update(overrides)
    return client.post(reverse("support:help_form", args=[lang]), data)


def test_language_choice_page_lists_each_language_in_its_own_name(client, db):
    response = client.get("/help/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'lang="ur"' in html and "اردو" in html
    assert 'lang="so"' in html and "Soomaali" in html
    assert 'lang="bn"' in html and "বাংলা" in html
    assert re.search(r'href="/help/ur/start/"[^>]*dir="rtl"', html)


def test_serial_from_the_qr_code_is_carried_to_the_form(client, db):
    response = client.get("/help/?serial=SN123")
    assert 'href="/help/pl/start/?serial=SN123"' in response.content.decode()
    response = client.get("/help/pl/?serial=SN123")
    assert 'value="SN123"' in response.content.decode()


@pytest.mark.parametrize("lang", ["ur", "ar", "fa", "ps"])
def test_urdu_arabic_farsi_and_pashto_pages_are_right_to_left(client, db, lang):
    html = client.get(f"/help/{lang}/").content.decode()
    assert f'<html lang="{lang}" dir="rtl"' in html
    assert re.search(rf'href="/help/{lang}/start/"[^>]*dir="rtl"', client.get("/help/").content.decode())


@pytest.mark.parametrize("lang,heading", [("ps", "د وسیلې لپاره مرسته ترلاسه کړئ"), ("fa", "کمک گرفتن برای دستگاه"), ("ti", "ንመሳርሒ ሓገዝ ርኸቡ"), ("zh-hans", "获取设备方面的帮助")])
def test_new_languages_help_form_is_translated(client, db, lang, heading):
    response = client.get(f"/help/{lang}/")
    assert response.status_code == 200
    assert heading in response.content.decode()


@pytest.mark.parametrize("lang", ["en", "so", "pl", "ti", "zh-hans", "hi", "vi"])
def test_other_languages_are_left_to_right(client, db, lang):
    html = client.get(f"/help/{lang}/").content.decode()
    assert f'<html lang="{lang}" dir="ltr"' in html


def test_unknown_language_is_404(client, db):
    assert client.get("/help/xx/").status_code == 404


def test_done_when_urdu_family_dongle_no_data_to_canned_reply(client, la, school, users, settings):
    """A family chooses Urdu, reports the dongle has no data, gets a reference; the Urdu-speaking
    agent sees it first and replies with a canned response in Urdu; the family sees the reply."""
    allocation = AllocationFactory(child__school=school, device=RouterFactory(local_authority=la, school=school), status="handed_over")
    urdu_agent = users["support_agent"]
    other_agent = users["support_agent_all"]
    give_languages(urdu_agent, "ur", "en")
    give_languages(other_agent, "en")
    older = TicketFactory(school=school, language="en", description="Older English ticket")

    # 1. The family chooses Urdu and sends the form.
    assert client.get("/help/").status_code == 200
    assert client.get("/help/ur/").status_code == 200
    response = help_post(client, "ur", serial=allocation.device.serial.lower(), description=URDU_NO_DATA, email="")
    assert response.status_code == 302
    link = response["Location"]
    ticket = Ticket.objects.exclude(pk=older.pk).get()
    assert ticket.language == "ur" and ticket.detected_language == "ur"
    assert ticket.device == allocation.device and ticket.child == allocation.child and ticket.school == school
    assert ticket.requester_phone == "+447700900123"
    assert ticket.suggested_agent == urdu_agent
    page = client.get(link).content.decode()
    assert ticket.reference in page
    assert '<html lang="ur" dir="rtl"' in page

    # 2. The agent who speaks Urdu sees it first in the queue.
    agent_client = client.__class__()
    agent_client.force_login(urdu_agent)
    queue = agent_client.get(reverse("support:queue")).content.decode()
    assert queue.index(ticket.reference) < queue.index(older.reference)

    # 3. The agent picks the canned response: English beside Urdu, the Urdu text in the box.
    canned = CannedResponseFactory(title="Replacement SIM", texts={"en": "We are sending you a replacement SIM.", "ur": URDU_REPLY})
    detail = agent_client.get(reverse("support:ticket_detail", args=[ticket.pk]) + f"?canned={canned.pk}").content.decode()
    assert "We are sending you a replacement SIM." in detail and URDU_REPLY in detail
    assert agent_client.post(reverse("support:ticket_claim", args=[ticket.pk])).status_code == 302
    response = agent_client.post(
        reverse("support:ticket_reply", args=[ticket.pk]),
        {"kind": "public", "language": "ur", "body": URDU_REPLY + " براہ کرم راؤٹر دوبارہ شروع کریں۔", "canned_response": canned.pk},
    )
    assert response.status_code == 302
    message = Message.objects.get(ticket=ticket)
    assert message.language == "ur" and message.canned_response == canned and message.author == urdu_agent
    ticket.refresh_from_db()
    assert ticket.assignee == urdu_agent and ticket.first_responded_at is not None

    # 4. The family sees the reply through the private link.
    page = client.get(link).content.decode()
    assert URDU_REPLY in page


def test_private_link_wrong_token_and_reference_alone(client, db):
    ticket = TicketFactory()
    assert client.get(f"/help/t/{ticket.reference}/{DEFAULT_TOKEN}/").status_code == 200
    assert client.get(f"/help/t/{ticket.reference}/wrong-token/").status_code == 404
    assert client.get(f"/help/t/{ticket.reference}/").status_code == 404
    assert client.get(f"/help/t/AAAAAAAA/{DEFAULT_TOKEN}/").status_code == 404
    # The token is not stored, only its hash.
    assert DEFAULT_TOKEN not in ticket.access_token_hash


def test_internal_notes_never_reach_the_family(client, users):
    ticket = TicketFactory()
    services.add_message(ticket=ticket, body="Internal: check the IMEI", by=users["support_agent_all"], internal=True)
    services.add_message(ticket=ticket, body="Public: please restart", by=users["support_agent_all"])
    html = client.get(f"/help/t/{ticket.reference}/{DEFAULT_TOKEN}/").content.decode()
    assert "Public: please restart" in html and "Internal: check the IMEI" not in html


def test_family_reply_reopens_a_waiting_ticket(client, users):
    ticket = TicketFactory(status=Status.WAITING)
    response = client.post(f"/help/t/{ticket.reference}/{DEFAULT_TOKEN}/", {"body": "It still does not work"})
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.messages.get().from_requester


def test_no_enumeration_same_response_for_known_and_unknown_serials(client, la):
    device = RouterFactory(local_authority=la)
    known = help_post(client, "en", serial=device.serial)
    unknown = help_post(client, "en", serial="NOSUCHSERIAL")
    assert known.status_code == unknown.status_code == 302
    assert re.fullmatch(r"/help/t/[A-Z0-9]{8}/[\w-]+/\?new=1", known["Location"])
    assert re.fullmatch(r"/help/t/[A-Z0-9]{8}/[\w-]+/\?new=1", unknown["Location"])
    page_known = client.get(known["Location"]).content.decode()
    assert device.serial not in page_known and "Camden" not in page_known


def test_rate_limit_per_address(client, db, settings):
    settings.SUPPORT_PUBLIC_RATE_LIMIT = 5
    for _ in range(5):
        assert help_post(client, REMOTE_ADDR="10.0.0.1").status_code == 302
    assert help_post(client, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert Ticket.objects.count() == 5
    # Another address is not affected.
    assert client.post(reverse("support:help_form", args=["en"]), {
        "name": "B", "email": "b@example.org", "category": "other", "description": "Help"}, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_honeypot_creates_nothing_and_looks_like_success(client, db):
    response = help_post(client, website="http://spam.example")
    assert response.status_code == 200
    assert Ticket.objects.count() == 0


def test_form_needs_a_way_to_reply_and_shows_errors_in_the_language(client, db):
    response = help_post(client, "pl", phone="", email="")
    assert response.status_code == 200
    assert Ticket.objects.count() == 0
    assert "govuk-error-summary" in response.content.decode()
    response = help_post(client, "en", phone="12345")
    assert response.status_code == 200 and Ticket.objects.count() == 0


def test_acknowledgement_and_reply_emails_in_the_requesters_language(client, users, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = help_post(client, "pl", description="Laptop się nie włącza i mój syn nie może odrabiać lekcji.")
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert len(mail.outbox) == 1
    ack = mail.outbox[0]
    assert ticket.reference in ack.subject
    assert "Otrzymaliśmy" in ack.subject  # Polish
    assert response["Location"].split("?")[0] in ack.body
    with django_capture_on_commit_callbacks(execute=True):
        services.add_message(ticket=ticket, body="Wysyłamy nową kartę SIM.", by=users["support_agent_all"], language="pl")
    reply = mail.outbox[-1]
    assert "Wysyłamy nową kartę SIM." in reply.body
    assert "odpowiedź" in reply.subject.lower()
    with django_capture_on_commit_callbacks(execute=True):
        services.change_status(ticket=ticket, status=Status.RESOLVED, by=users["support_agent_all"])
    assert "Rozwiązane" in mail.outbox[-1].body


def test_urdu_email(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        help_post(client, "ur", description=URDU_NO_DATA)
    assert "درخواست" in mail.outbox[0].subject


def test_phone_only_family_gets_no_email_and_no_error(client, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert help_post(client, "so", email="").status_code == 302
    assert mail.outbox == []


def test_family_pages_leave_the_threads_language_alone(client, db):
    from django.utils import translation

    translation.activate("en")
    response = client.get("/help/ur/")
    assert response["Content-Language"] == "ur"
    assert translation.get_language() == "en"
