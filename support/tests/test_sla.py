import datetime
from zoneinfo import ZoneInfo

import pytest

from support import sla, services
from support.models import Status
from support.tests.factories import TicketFactory

LONDON = ZoneInfo("Europe/London")


def at(*args):
    return datetime.datetime(*args, tzinfo=LONDON)


def test_within_one_day():
    assert sla.add_business_hours(at(2026, 11, 24, 10, 0), 4) == at(2026, 11, 24, 14, 0)


def test_across_a_weekend():
    # Friday 15:00 + 4 business hours: 2 on Friday, 2 on Monday.
    assert sla.add_business_hours(at(2026, 11, 27, 15, 0), 4) == at(2026, 11, 30, 11, 0)


def test_raised_out_of_hours_starts_next_morning():
    assert sla.add_business_hours(at(2026, 11, 28, 22, 0), 1) == at(2026, 11, 30, 10, 0)


def test_across_a_bank_holiday():
    # Thursday 24 Dec 2026 16:00 + 2h: Fri 25th and Mon 28th Dec are bank holidays, then the weekend.
    assert sla.add_business_hours(at(2026, 12, 24, 16, 0), 2) == at(2026, 12, 29, 10, 0)


def test_easter_weekend_and_both_holidays():
    # Thursday 2 April 2026 16:00, 8 business hours: Good Friday and Easter Monday skipped.
    assert sla.add_business_hours(at(2026, 4, 2, 16, 0), 8) == at(2026, 4, 7, 16, 0)


def test_bank_holidays_come_from_settings(settings):
    settings.SUPPORT_BANK_HOLIDAYS = []
    assert sla.add_business_hours(at(2026, 12, 24, 16, 0), 2) == at(2026, 12, 25, 10, 0)


def test_business_seconds_between_skips_weekend():
    assert sla.business_seconds_between(at(2026, 11, 27, 16, 0), at(2026, 11, 30, 10, 0)) == 2 * 3600
    assert sla.business_seconds_between(at(2026, 11, 30, 10, 0), at(2026, 11, 27, 16, 0)) == 0


@pytest.mark.django_db
def test_due_times_set_on_creation_and_pause_while_waiting(users):
    agent = users["support_agent_all"]
    start = at(2026, 11, 27, 15, 0)  # Friday
    ticket, _token = services.create_ticket(category="hardware", description="Broken screen", source="family", language="en",
                                           requester_name="A", requester_email="a@example.org", now=start)
    assert ticket.first_response_due == at(2026, 11, 30, 15, 0)  # normal: 8 hours, 2 on Friday and 6 on Monday
    assert ticket.resolution_due == sla.add_business_hours(start, 40)
    original_due = ticket.resolution_due
    # Waiting on the requester from Monday 10:00 until Tuesday 10:00 (8 business hours).
    services.change_status(ticket=ticket, status=Status.WAITING, by=agent, now=at(2026, 11, 30, 10, 0))
    ticket.refresh_from_db()
    assert ticket.sla_paused_at is not None
    services.add_message(ticket=ticket, body="Still broken", by=None, now=at(2026, 12, 1, 10, 0))
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN  # the requester's reply reopens it
    assert ticket.sla_paused_at is None
    assert ticket.sla_paused_seconds == 8 * 3600
    assert ticket.resolution_due == sla.add_business_hours(original_due, 8)


@pytest.mark.django_db
def test_paused_ticket_does_not_breach(users):
    from support.models import Ticket

    ticket = TicketFactory(resolution_due=at(2026, 1, 5, 10, 0), first_responded_at=at(2026, 1, 5, 9, 30),
                           status=Status.WAITING, sla_paused_at=at(2026, 1, 5, 9, 45))
    assert not Ticket.objects.breached(at(2026, 2, 1, 10, 0)).filter(pk=ticket.pk).exists()
    ticket.sla_paused_at = None
    ticket.status = Status.OPEN
    ticket.save()
    assert Ticket.objects.breached(at(2026, 2, 1, 10, 0)).filter(pk=ticket.pk).exists()
