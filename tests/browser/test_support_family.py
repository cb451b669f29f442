"""The family's help pages in a real browser: axe-core finds nothing in English, Urdu
(right to left) and Somali, from choosing the language to following the ticket."""

import pytest
from django.utils import translation

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from support import services
from support.models import Ticket
from support.tests.factories import give_languages

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # The public form is rate limited per address; every test here comes from 127.0.0.1.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

TEXT = {
    "en": "The dongle has no data left.",
    "ur": "ڈونگل میں ڈیٹا ختم ہو گیا ہے اور میرا بیٹا اپنا ہوم ورک نہیں کر سکتا۔",
    "so": "Internetku wuu go'ay, xogtii dongle-ka way dhammaatay.",
}


@pytest.mark.parametrize("lang,direction", [("en", "ltr"), ("ur", "rtl"), ("so", "ltr")])
def test_family_pages_are_accessible(page, assert_accessible, transactional_db, lang, direction):
    page.goto("/help/")
    assert_accessible(page)
    page.locator(f'a[hreflang="{lang}"]').click()
    page.wait_for_url(f"**/help/{lang}/start/")  # the self-help step (guides), then the form
    assert_accessible(page)
    page.locator(f'main a[href="/help/{lang}/"]').click()
    page.wait_for_url(f"**/help/{lang}/")
    html = page.locator("html")
    assert html.get_attribute("lang") == lang and html.get_attribute("dir") == direction
    # The file upload is GOV.UK Frontend's own component in the family's language, not the
    # browser's English "Choose File / No file chosen".
    upload = page.locator(".govuk-drop-zone .govuk-file-upload-button")
    with translation.override(lang):
        assert upload.locator(".govuk-file-upload-button__pseudo-button").inner_text() == translation.gettext("Choose file")
        assert upload.locator(".govuk-file-upload-button__status").inner_text() == translation.gettext("No file chosen")
    assert_accessible(page)

    # Sent empty: the error summary in the family's language is accessible too.
    page.locator("form button[type=submit]").click()
    assert page.locator(".govuk-error-summary").is_visible()
    assert_accessible(page)

    page.fill("#id_name", "Ayesha Khan")
    page.fill("#id_phone", "07700 900123")
    page.check("#id_category_2")  # no internet / data ran out
    page.fill("#id_description", TEXT[lang])
    page.locator("form button[type=submit]").click()
    page.wait_for_url("**/help/t/**")
    ticket = Ticket.objects.get()
    assert ticket.language == lang and ticket.category == "no_internet"
    assert page.locator(".govuk-panel__body strong").inner_text() == ticket.reference
    assert page.locator("html").get_attribute("dir") == direction
    assert_accessible(page)

    # The family replies through the private link.
    page.fill("#id_body", TEXT[lang])
    page.locator("form button[type=submit]").click()
    assert page.locator(".app-message").count() == 2
    assert_accessible(page)


def test_agent_ticket_page_with_canned_response_is_accessible(page, login, assert_accessible, transactional_db):
    la = LocalAuthorityFactory(code="202", name="Camden")
    school = SchoolFactory(local_authority=la)
    agent = UserFactory(username="amina", role="support_agent", local_authority=la)
    give_languages(agent, "ur")
    ticket, _token = services.create_ticket(category="no_internet", description=TEXT["ur"], source="family", language="ur",
                                           requester_name="Ayesha", requester_phone="+447700900123", school=school)
    from support.tests.factories import CannedResponseFactory

    canned = CannedResponseFactory(title="Restart the router", texts={"en": "Please restart the router.", "ur": "براہ کرم راؤٹر دوبارہ شروع کریں۔"})
    login(page, agent)
    page.goto("/support/")
    assert page.get_by_role("link", name=ticket.reference).is_visible()
    assert_accessible(page)
    page.goto(f"/support/tickets/{ticket.pk}/?canned={canned.pk}")
    assert page.locator("#id_body").input_value() == "براہ کرم راؤٹر دوبارہ شروع کریں۔"
    assert_accessible(page)
