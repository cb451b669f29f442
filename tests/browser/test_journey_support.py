"""Support journeys through the real pages, every page checked by axe-core:

- a family raises a ticket in Somali on the public help form, an agent who speaks Somali claims
  and answers it from the queue, and the family reads the reply on their private link;
- school staff log a fault from the device's page.
"""

import pytest
from django.utils import translation

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from devices.tests.factories import DeviceFactory
from support.models import Message, Ticket
from support.tests.factories import CannedResponseFactory, give_languages
from tests.browser.journeys_helpers import Journey, another_person

pytestmark = pytest.mark.browser

SOMALI_PROBLEM = "Internetku wuu go'ay, xogtii dongle-ka way dhammaatay."
SOMALI_REPLY = "Fadlan dib u bilow qalabka. Xog cusub ayaan kuu soo dirnay."


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The public form is rate limited per address; every browser test comes from 127.0.0.1.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def so(text):
    """The Somali wording the family sees, from the catalogue (so labels are found by their text)."""
    with translation.override("so"):
        return translation.gettext(text)


def test_family_raises_a_somali_ticket_an_agent_answers_it(browser, live_server, page, login, assert_accessible, transactional_db):
    la = LocalAuthorityFactory(code="202", name="Camden")
    school = SchoolFactory(local_authority=la)
    DeviceFactory(serial="DFC-RTR-0001", local_authority=la, school=school)
    agent = UserFactory(username="amina", first_name="Amina", role="support_agent", local_authority=la)
    give_languages(agent, "so")
    CannedResponseFactory(title="Data topped up", texts={"en": "Please restart the device. We have sent new data.", "so": SOMALI_REPLY})

    # The family: no account; the help page, Somali, the form, the private link.
    family = Journey(page, assert_accessible)
    family.goto("/help/")
    family.follow(page.locator('a[hreflang="so"]'))
    family.follow(page.locator('main a[href="/help/so/"]'))  # past the self-help guides, to the form
    assert page.locator("html").get_attribute("lang") == "so"
    page.get_by_label(so("Your name")).fill("Hodan Hassan")
    page.get_by_label(so("Your phone number")).fill("07700 900102")
    page.get_by_label(so("Device serial number")).fill("dfc-rtr-0001")
    page.get_by_label(so("No internet, or the data has run out")).check()
    page.get_by_label(so("Tell us what happened")).fill(SOMALI_PROBLEM)
    family.follow(page.locator("form button[type=submit]"))
    ticket = Ticket.objects.get()
    assert ticket.language == "so" and ticket.category == "no_internet" and ticket.school_id == school.pk
    assert ticket.reference in page.locator("main").inner_text()
    private_link = page.url

    # The agent: queue -> the ticket -> claim -> a canned Somali answer -> send.
    with another_person(browser, live_server.url, "test_journey_support_agent") as agent_page:
        staff = Journey(agent_page, assert_accessible)
        login(agent_page, agent)
        staff.check()
        staff.nav("Queue", section="Support")
        staff.link(ticket.reference, exact=True)
        staff.button("Claim this ticket")
        ticket.refresh_from_db()
        assert ticket.assignee_id == agent.pk
        agent_page.get_by_label("Start from a canned response").select_option(label="Data topped up")
        staff.button("Use this response")
        assert agent_page.get_by_label("Message", exact=True).input_value() == SOMALI_REPLY
        staff.button("Send", exact=True)
        reply = Message.objects.filter(ticket=ticket).exclude(body=SOMALI_PROBLEM).get()
        assert reply.body == SOMALI_REPLY
        staff.nav("My tickets", section="Support")
        assert agent_page.get_by_role("link", name=ticket.reference).is_visible()

    # The family comes back to the private link and reads the reply.
    family.goto(private_link)
    assert SOMALI_REPLY in page.locator("main").inner_text()


def test_school_staff_log_a_fault_from_the_device_page(page, login, assert_accessible, transactional_db):
    la = LocalAuthorityFactory(code="202", name="Camden")
    school = SchoolFactory(local_authority=la, name="Haverstock School")
    DeviceFactory(serial="DFC-LAP-0042", local_authority=la, school=school)
    staff = UserFactory(username="sam", first_name="Sam", role="school_staff", school=school)
    j = Journey(page, assert_accessible)
    login(page, staff)
    j.check()
    j.nav("Devices")
    j.link("DFC-LAP-0042", exact=True)
    j.link("Report a fault with this device")

    j.button("Save", exact=True)  # sent empty: the error summary
    assert page.locator(".govuk-error-summary").is_visible()
    page.get_by_label("Category").select_option(label="The device is broken or will not turn on")
    page.get_by_label("What is wrong?").fill("The screen stays black after charging overnight.")
    j.button("Save", exact=True)
    ticket = Ticket.objects.get()
    assert ticket.device.serial == "DFC-LAP-0042" and ticket.category == "hardware" and ticket.school_id == school.pk
    assert ticket.reference in page.locator("main").inner_text()
    j.nav("Tickets")
    assert page.get_by_role("link", name=ticket.reference).is_visible()
