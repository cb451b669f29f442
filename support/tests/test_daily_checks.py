import datetime
import io

import pytest
from django.core.management import call_command
from django.utils import timezone

from devices.models import Alert
from support.daily_checks import run
from support.models import Priority, Status
from support.tests.factories import TicketFactory


@pytest.mark.django_db
def test_breaches_escalate_once(school):
    past = timezone.now() - datetime.timedelta(days=30)
    late = TicketFactory(school=school, priority=Priority.NORMAL, first_response_due=past, resolution_due=past)
    paused = TicketFactory(school=school, status=Status.WAITING, first_responded_at=past, resolution_due=past, sla_paused_at=past)
    fine = TicketFactory(school=school, first_response_due=timezone.now() + datetime.timedelta(days=1))
    out = io.StringIO()
    run(timezone.localdate(), out)
    late.refresh_from_db()
    assert late.breached_at is not None and late.escalated_at is not None and late.priority == Priority.HIGH
    assert Alert.objects.filter(kind=Alert.Kind.SLA_BREACH, key=f"sla_breach:ticket:{late.pk}").exists()
    paused.refresh_from_db()
    fine.refresh_from_db()
    assert paused.breached_at is None and fine.breached_at is None
    # Idempotent: a second run changes nothing.
    call_command("run_daily_checks", stdout=io.StringIO())
    late.refresh_from_db()
    assert late.priority == Priority.HIGH
    assert Alert.objects.filter(kind=Alert.Kind.SLA_BREACH).count() == 1


@pytest.mark.django_db
def test_breach_filter_and_dashboard(client, users, school):
    past = timezone.now() - datetime.timedelta(days=3)
    late = TicketFactory(school=school, first_response_due=past, resolution_due=past)
    ok = TicketFactory(school=school, first_response_due=timezone.now() + datetime.timedelta(days=3))
    client.force_login(users["support_agent"])
    html = client.get("/support/?breached=true").content.decode()
    assert late.reference in html and ok.reference not in html
    assert "SLA breached" in html
    from support.dashboard import cards

    values = {str(c.label): c.value for c in cards(users["support_agent"])}
    assert values["Open support tickets"] == 2 and values["Tickets past their SLA"] == 1 and values["Unassigned tickets"] == 2


def test_the_open_tickets_card_isolates_each_language_name(users, school):
    """A language in its own script beside a number: "اردو: 2" must not read "2 :اردو" on a
    left-to-right page, so each name is in its own <bdi lang>."""
    from support.dashboard import cards

    TicketFactory.create_batch(2, school=school, language="ur")
    TicketFactory(school=school, language="so")
    hint = str(next(c for c in cards(users["support_agent"]) if str(c.label) == "Open support tickets").hint)
    assert '<bdi lang="ur">اردو</bdi>: 2' in hint and '<bdi lang="so">Soomaali</bdi>: 1' in hint
