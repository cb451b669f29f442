"""A screen-reader pass: what a screen reader is given is the browser's accessibility tree, so
these journeys read it (Playwright's ``aria_snapshot()``, Chromium's own tree as YAML) and check
the role and name of every control a person uses, as a screen reader would announce them.

- a Somali family raises a request on the help form and reads the confirmation;
- an officer hands a laptop over and opens the allocation's other actions (three date fields
  on one page, each announced with its own label), and an agent answers a ticket whose reply and
  language forms both have a language list.
"""

import re

import pytest
from django.utils import timezone, translation

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations import services as allocations_services
from allocations.tests.factories import ChildFactory
from devices.tests.factories import DeviceFactory
from support import services
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser

CONTROL = re.compile(r'^\s*- (textbox|combobox|button|radio|checkbox|link|group|heading) "((?:[^"\\]|\\.)*)"', re.MULTILINE)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def announced(page, scope="main"):
    """(role, accessible name) of each control and heading in the tree, in reading order."""
    tree = page.locator(scope).aria_snapshot()
    return [(role, re.sub(r"\s+", " ", name.replace('\\"', '"')).strip()) for role, name in CONTROL.findall(tree)]


def names(page, role, scope="main"):
    return [name for r, name in announced(page, scope) if r == role]


def so(text):
    with translation.override("so"):
        return translation.gettext(text)


def test_a_somali_family_hears_every_control_of_the_help_form_in_somali(page, assert_accessible, transactional_db):
    family = Journey(page, assert_accessible)
    family.goto("/help/so/")
    assert names(page, "heading")[0] == so("Get help with a device")
    textboxes = names(page, "textbox")
    for label in ("Your name", "Your phone number", "Device serial number", "Tell us what happened"):
        assert any(name.startswith(so(label)) for name in textboxes), (label, textboxes)
    radios = names(page, "radio")
    assert so("No internet, or the data has run out") in radios
    # GOV.UK's file upload: one button named by the field's label and its state, in Somali.
    upload = [n for n in names(page, "button") if so("Choose file") in n]
    assert len(upload) == 1 and so("No file chosen") in upload[0], names(page, "button")
    assert not any("Choose File" in n or "No file chosen" in n for n in names(page, "button"))

    page.get_by_role("textbox", name=so("Your name")).fill("Hodan Hassan")
    page.get_by_role("textbox", name=so("Your phone number")).fill("07700 900102")
    page.get_by_role("radio", name=so("No internet, or the data has run out")).check()
    page.get_by_role("textbox", name=so("Tell us what happened")).fill("Internetku wuu go'ay.")
    family.follow(page.locator("main form button[type=submit]"))
    assert names(page, "heading")[0] == so("We have your request")


def test_an_officer_and_an_agent_hear_one_label_per_control(page, login, assert_accessible, transactional_db):
    la = LocalAuthorityFactory(code="202", name="Camden")
    school = SchoolFactory(local_authority=la, name="Haverstock School")
    child = ChildFactory(school=school, first_name="Ana", last_name="Nowak", reference="CAM-0001")
    officer = UserFactory(username="olu", first_name="Olu", last_name="Okafor", role="council_officer", local_authority=la)
    device = DeviceFactory(serial="DFC-LAP-0001", local_authority=la, school=school, kind="laptop", status="in_stock")
    allocation = allocations_services.allocate(child=child, device=device, by=officer)
    j = Journey(page, assert_accessible)
    login(page, officer)
    j.goto(allocation.get_absolute_url())
    # The page is named by its story (the device and the child), not "Allocation 1".
    assert names(page, "heading")[0] == "Laptop DFC-LAP-0001 for Ana Nowak (CAM-0001)"
    assert page.title().startswith("Laptop DFC-LAP-0001 for Ana Nowak (CAM-0001)")
    textboxes = names(page, "textbox")
    assert any(n.startswith("Date handed over") for n in textboxes), textboxes
    assert any(n.startswith("Received by") for n in textboxes), textboxes
    assert "Record handover" in names(page, "button")
    page.get_by_role("textbox", name="Date handed over").fill(timezone.localdate().strftime("%d/%m/%Y"))
    page.get_by_role("textbox", name="Received by").fill("Maria Nowak")
    j.button("Record handover")  # on to the family's acceptance (the handover screen)

    # Handed over: the transfer form has its own date; the return is a page of its own.
    j.goto(allocation.get_absolute_url())
    page.locator("summary", has_text="Transfer ownership to the family").click()
    textboxes = names(page, "textbox")
    assert any(n.startswith("Date ownership passes to the family") for n in textboxes), textboxes
    assert page.get_by_role("textbox", name="Date ownership passes to the family").count() == 1
    assert_accessible(page)
    j.link("Record a return (kit condition and data wipe)")
    assert page.get_by_role("textbox", name="Date returned").count() == 1
    assert_accessible(page)

    # An agent's ticket page: the reply's language list and the ticket's language list.
    agent = UserFactory(username="amina", first_name="Amina", last_name="Yusuf", role="support_agent", local_authority=la)
    UserFactory(username="bsmith", first_name="Bola", last_name="Smith", role="support_agent", local_authority=la)
    ticket, _token = services.create_ticket(category="no_internet", description="Brak internetu.", source="family", language="pl",
                                            requester_name="Maria Nowak", requester_phone="+447700900123", school=school)
    page.context.clear_cookies()
    login(page, agent)
    j.goto(ticket.get_absolute_url())
    comboboxes = names(page, "combobox")
    assert "Language of this message" in comboboxes and "Ticket language" in comboboxes, comboboxes
    assert page.get_by_role("combobox", name="Language of this message").count() == 1
    assert page.get_by_role("combobox", name="Ticket language").count() == 1
    # "Assign to" offers people by name, not usernames.
    assign = page.get_by_role("combobox", name="Assign to")
    options = assign.locator("option").all_inner_texts()
    assert "Bola Smith" in options and "bsmith" not in options, options
    assert "Message" in [n for n in textboxes + names(page, "textbox")]
    assert "Send" in names(page, "button")
