"""Issue 12's journey in a real browser: a family texts us in Somali from a number we know, a
Somali-speaking agent answers with a canned reply, the family gets it as a text in Somali (from
the local Notify server, through the real Notify client), and later finds the ticket again with
its reference and their phone number. Every page is checked with axe-core."""

import json
import re
import uuid

import pytest

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations.tests.factories import ChildFactory
from messaging.models import NotifyTemplate
from messaging.tests.notify_server import API_KEY, FakeNotify
from support.models import Ticket
from support.tests.factories import CannedResponseFactory, give_languages
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser

SOMALI_REPLY = "Fadlan dib u bilow laptop-ka. Haddii aanu shaqeynin, waxaan kuu soo diri doonnaa mid cusub."


@pytest.fixture
def notify(settings):
    from django.core.cache import cache

    cache.clear()
    server = FakeNotify().start()
    settings.MESSAGING_DRIVERS = {"sms": "notify", "email": "notify", "letter": "notify"}
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_BASE_URL = server.base_url
    settings.NOTIFY_INBOUND_TOKEN = "inbound-token-browser-0123456789"
    settings.NOTIFY_CALLBACK_TOKEN = "receipt-token-browser-0123456789"
    for channel in ("sms", "email"):
        template_id = uuid.uuid4()
        NotifyTemplate.objects.create(template="*", channel=channel, language="en", notify_template_id=template_id)
        server.state.templates.add(str(template_id))
    yield server
    server.stop()
    cache.clear()


def texts_to(server, number):
    return [n for n in server.state.notifications if n["type"] == "sms" and n["phone_number"] == number]


def test_a_family_texts_in_somali_and_gets_the_answer_by_text(page, login, assert_accessible, transactional_db, notify, live_server):
    la = LocalAuthorityFactory(code="202", name="Camden")
    school = SchoolFactory(local_authority=la, name="Kentish Town Primary")
    ChildFactory(school=school, guardian_phone="+447700900310", guardian_name="Hodan Ali", preferred_language="so")
    agent = UserFactory(username="hodan", first_name="Hodan", last_name="Warsame", role="support_agent", local_authority=la)
    give_languages(agent, "so")
    canned = CannedResponseFactory(title="Restart the laptop", texts={"en": "Please restart the laptop.", "so": SOMALI_REPLY})

    # 1. The family texts our number; Notify calls our inbound endpoint.
    response = page.request.post(
        f"{live_server.url}/callbacks/notify/inbound-text/",
        data=json.dumps({"id": str(uuid.uuid4()), "source_number": "447700900310", "destination_number": "07700900000",
                         "message": "laptop-ka ma shaqeynayo", "date_received": "2026-12-01T09:30:00.000000Z"}),
        headers={"Authorization": "Bearer inbound-token-browser-0123456789", "Content-Type": "application/json"},
    )
    assert response.status == 200 and response.json()["result"] == "new_ticket"
    ticket = Ticket.objects.get()
    assert ticket.language == "so" and ticket.school == school and ticket.channel == "sms"
    # They are told by text, in Somali, that we have it.
    [ack] = texts_to(notify, "+447700900310")
    assert ticket.reference in ack["body"]

    # 2. The Somali-speaking agent finds it in the queue and answers with the canned reply.
    journey = Journey(page, assert_accessible)
    login(page, agent)
    journey.goto("/support/")
    journey.follow(page.get_by_role("link", name=ticket.reference))
    assert page.get_by_text("laptop-ka ma shaqeynayo").is_visible()
    page.get_by_label("Start from a canned response").select_option(str(canned.pk))
    journey.follow(page.get_by_role("button", name="Use this response"))
    assert page.locator("#id_body").input_value() == SOMALI_REPLY
    journey.follow(page.locator("form[action$='/reply/'] button[type=submit]"))
    assert page.get_by_text("Messages sent to the family").is_visible()

    # 3. The family receives the reply as a text in Somali, with their private link.
    reply = texts_to(notify, "+447700900310")[-1]
    assert SOMALI_REPLY in reply["body"]
    assert ticket.family_url() in reply["body"]

    # 4. Later, without the link, the family finds the ticket with its reference and phone.
    family = page.context.browser.new_context(base_url=live_server.url, bypass_csp=True, locale="so")
    tab = family.new_page()
    family_journey = Journey(tab, assert_accessible)
    family_journey.goto("/help/so/find/")
    assert tab.locator("html").get_attribute("lang") == "so"
    tab.fill("#id_reference", ticket.reference.lower())
    tab.fill("#id_contact", "07700 900310")
    family_journey.follow(tab.locator("form button[type=submit]"))
    code = re.search(r"\b(\d{6})\b", texts_to(notify, "+447700900310")[-1]["body"]).group(1)
    tab.fill("#id_code", code)
    family_journey.follow(tab.locator("form button[type=submit]"))
    assert f"/help/t/{ticket.reference}/" in tab.url
    assert tab.get_by_text(SOMALI_REPLY).is_visible()
    family.close()
