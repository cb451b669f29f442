"""Check-ins for a child who belongs to the council directly (no school): the text and the page
say the device is the council's, in every family language; the check-in has no school and the
child's council (issue 18)."""

import datetime
import io
import re

import pytest
from django.conf import settings

from allocations.tests.factories import AllocationFactory
from connectivity.daily_checks import run_idle
from connectivity.models import CheckIn
from connectivity.tests.factories import CheckInFactory, SimFactory, UsageReadingFactory
from messaging.services import render

TODAY = datetime.date(2026, 11, 20)


def test_a_care_leaver_is_asked_about_the_councils_device(client, la):
    allocation = AllocationFactory(
        child__school=None, child__local_authority=la, child__preferred_language="ur", child__guardian_phone="+447700900556",
        device__school=None, status="handed_over", handed_over_on=datetime.date(2026, 6, 1),
    )
    sim = SimFactory(device=allocation.device, local_authority=la)
    for month in (7, 8, 9, 10):
        UsageReadingFactory(sim=sim, period=datetime.date(2026, month, 1), granularity="month", mb_used=0 if month == 10 else 300)
    UsageReadingFactory(sim=sim, period=datetime.date(2026, 11, 19), granularity="day", mb_used=0)
    run_idle(TODAY, io.StringIO())
    checkin = CheckIn.objects.get(sim=sim)
    assert (checkin.school, checkin.local_authority, checkin.child) == (None, la, allocation.child)
    assert "کونسل کا آلہ" in checkin.message.body and "اسکول" not in checkin.message.body
    token = re.search(r"/check-in/([A-Za-z0-9_-]+)/", checkin.message.body).group(1)
    page = client.get(f"/help/ur/check-in/{token}/").content.decode()
    assert "کونسل کے آلے" in page
    # The family's answer is recorded (on PostgreSQL the locking read must not take the child's
    # empty school into its FOR UPDATE: an outer join it refuses).
    from connectivity.checkins import answer_checkin

    answer_checkin(checkin=checkin, answer="not_working", channel="web")
    checkin.refresh_from_db()
    assert checkin.answer == "not_working" and checkin.ticket.school is None and checkin.ticket.local_authority == la


@pytest.mark.parametrize("lang", [code for code, _name in settings.LANGUAGES if code != "en"])
def test_the_councils_text_and_page_exist_in_every_family_language(client, la, lang):
    _subject, body = render(template="checkin", channel="sms", context={"link": "https://x/l", "from_council": True}, language=lang)
    assert "from the council" not in body and "https://x/l" in body
    _subject, email = render(template="checkin", channel="email", context={"link": "https://x/l", "from_council": True}, language=lang)
    assert "The device from the council" not in email
    CheckInFactory(token="t0k3n", language=lang, school=None, local_authority=la, allocation__child__local_authority=la)
    page = client.get(f"/help/{lang}/check-in/t0k3n/").content.decode()
    assert "The device from the council" not in page and "from your child's school" not in page
