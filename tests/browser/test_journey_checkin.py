"""An idle SIM's family is sent a check-in in Urdu; they tap "It is not working" on the page
(right to left, accessible), and the support agent sees the ticket it opened in their queue.
The school's follow-up list and the check-in list are accessible too."""

import datetime
import io
import re

import pytest
from django.utils import timezone, translation

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations.tests.factories import AllocationFactory
from connectivity.daily_checks import run_idle
from connectivity.models import CheckIn
from connectivity.tests.factories import CheckInFactory, SimFactory, UsageReadingFactory
from support.models import Ticket
from support.tests.factories import give_languages

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    from django.core.cache import cache, caches

    cache.clear()
    caches["ratelimit"].clear()
    yield


def test_urdu_family_says_not_working_and_the_agent_sees_the_ticket(page, login, assert_accessible, transactional_db):
    la = LocalAuthorityFactory(code="202", name="Camden")
    school = SchoolFactory(local_authority=la, name="Argyle Primary")
    agent = UserFactory(username="amina", role="support_agent", local_authority=la)
    give_languages(agent, "ur")
    allocation = AllocationFactory(
        child__school=school, child__preferred_language="ur", child__guardian_phone="+447700900321",
        status="handed_over", handed_over_on=datetime.date(2026, 6, 1),
    )
    sim = SimFactory(device=allocation.device, local_authority=la)
    for month in (7, 8, 9, 10):
        UsageReadingFactory(sim=sim, period=datetime.date(2026, month, 1), granularity="month", mb_used=0 if month == 10 else 900)
    UsageReadingFactory(sim=sim, period=datetime.date(2026, 11, 19), granularity="day", mb_used=0)

    run_idle(datetime.date(2026, 11, 20), io.StringIO())
    checkin = CheckIn.objects.get(sim=sim)
    assert checkin.language == "ur" and checkin.message.language == "ur"
    link = re.search(r"https?://\S+", checkin.message.body).group(0)
    path = "/" + link.split("/", 3)[3]

    page.goto(path)
    html = page.locator("html")
    assert html.get_attribute("lang") == "ur" and html.get_attribute("dir") == "rtl"
    with translation.override("ur"):
        heading = translation.gettext("Do you still have the device?")
        not_working = translation.gettext("It is not working")
        assert page.locator("h1").inner_text() == heading
        assert_accessible(page)
        # Sent without a choice: the error in Urdu, still accessible.
        page.locator("form button[type=submit]").click()
        assert page.locator(".govuk-error-summary").is_visible()
        assert_accessible(page)
        page.get_by_label(not_working).check()
        page.locator("form button[type=submit]").click()
        assert page.locator(".govuk-panel__title").inner_text() == translation.gettext("Thank you")
        assert_accessible(page)
        page.goto(path)  # the link again: already used, nothing recorded twice
        assert page.locator("h1").inner_text() == translation.gettext("This link has already been used")
        assert_accessible(page)

    checkin.refresh_from_db()
    ticket = Ticket.objects.get()
    assert checkin.ticket == ticket and ticket.language == "ur" and ticket.source == "family"

    login(page, agent)
    page.goto("/support/")
    assert page.get_by_text(ticket.reference).first.is_visible()
    page.get_by_role("link", name=ticket.reference).first.click()
    page.wait_for_url(f"**/support/tickets/{ticket.pk}/")
    assert page.get_by_text("Device check-in").first.is_visible()
    assert_accessible(page)


def test_follow_up_and_check_in_lists_are_accessible(page, login, assert_accessible, transactional_db):
    la = LocalAuthorityFactory(code="202", name="Camden")
    school = SchoolFactory(local_authority=la, name="Argyle Primary")
    staff = UserFactory(username="sam", role="school_staff", school=school, local_authority=la)
    old = timezone.now() - datetime.timedelta(days=20)
    due = CheckInFactory(school=school, sent_at=old, allocation__child__preferred_language="so")
    CheckInFactory(school=school, answer="works", answered_at=timezone.now(), answered_by="sms")
    login(page, staff)
    page.goto("/")
    # The header's Connectivity section, then its "Check-ins" page.
    page.get_by_role("navigation", name="Menu").get_by_role("link", name="Connectivity", exact=True).click()
    page.get_by_role("navigation", name="Pages in this section").get_by_role("link", name="Check-ins").click()
    page.wait_for_url("**/check-ins/follow-up/")
    assert page.get_by_text(due.reference).is_visible()
    assert_accessible(page)
    page.get_by_role("link", name="All device check-ins").click()
    page.wait_for_url("**/check-ins/")
    assert_accessible(page)
