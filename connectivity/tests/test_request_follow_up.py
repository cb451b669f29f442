"""What follows a request to a network: the family's text (done, or a problem they can put
right) in their language, once; overdue requests (the list filter, the home card, the daily
check's alert) counted in working days; and the daily check's extension requests for plans
ending with no follow-on, raised once per plan for the officer to confirm."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from allocations.tests.factories import AllocationFactory, ChildFactory
from connectivity import daily_checks, services
from connectivity.models import NetworkRequest
from connectivity.overdue import cutoff, overdue
from connectivity.tests.factories import DataPlanFactory, NetworkOperatorFactory, SimFactory
from devices.models import Alert
from devices.tests.factories import RouterFactory
from messaging.models import OutboundMessage

R = NetworkRequest.Status
FAMILY_LANGUAGES = [code for code, _name in settings.LANGUAGES]
TZ = datetime.timezone.utc


@pytest.fixture
def ee(db):
    return NetworkOperatorFactory(name="EE", slug="ee")


@pytest.fixture
def network_user(ee):
    return UserFactory(role="network", network_operator=ee, local_authority=None)


def family_request(officer, child, ee, number="07700 900777"):
    return services.raise_request(kind="family_data", child=child, msisdn=number, network=ee, account_holder="A Khan",
                                  phone_plan="contract", consent_given=True, by=officer)


# --- the family's text -------------------------------------------------------------------------

@pytest.mark.parametrize("lang", FAMILY_LANGUAGES)
def test_the_family_is_texted_in_their_language_when_it_is_done(officer, school, ee, network_user, lang):
    child = ChildFactory(school=school, preferred_language=lang, guardian_phone="+447700900111")
    request = family_request(officer, child, ee)
    services.move_request(request=request, to_status=R.DONE, by=network_user)
    message = OutboundMessage.objects.get()
    assert (message.template, message.channel, message.language, message.recipient) == ("network_request_done", "sms", lang, "+447700900111")
    assert request.reference in message.body and "EE" in message.body and "777" in message.body
    if lang != "en":
        assert "has added extra data" not in message.body, "an English text to a family who reads another language"


@pytest.mark.parametrize("problem", NetworkRequest.FAMILY_PROBLEMS)
def test_problems_the_family_can_put_right_are_texted_and_others_are_not(officer, school, ee, network_user, problem):
    child = ChildFactory(school=school, preferred_language="so")
    request = family_request(officer, child, ee)
    services.move_request(request=request, to_status=R.PROBLEM, problem=problem, by=network_user)
    message = OutboundMessage.objects.get()
    assert message.template == "network_request_problem" and message.language == "so" and request.reference in message.body
    other = family_request(officer, ChildFactory(school=school), ee, number="07700 900778")
    services.move_request(request=other, to_status=R.PROBLEM, problem="already_active", by=network_user)
    services.move_request(request=other, to_status=R.IN_PROGRESS, by=network_user)
    assert OutboundMessage.objects.count() == 1


def test_a_text_is_sent_once_per_change_and_not_for_requests_without_a_child(officer, la, school, ee, network_user):
    child = ChildFactory(school=school)
    request = family_request(officer, child, ee)
    services.move_request(request=request, to_status=R.PROBLEM, problem="account_holder", by=network_user)
    services._tell_family(NetworkRequest.objects.get(pk=request.pk), by=network_user)  # a retry of the same change
    assert OutboundMessage.objects.count() == 1
    services.move_request(request=request, to_status=R.REQUESTED, by=officer, note="Name corrected")
    services.move_request(request=request, to_status=R.DONE, by=network_user)
    assert list(OutboundMessage.objects.order_by("pk").values_list("template", flat=True)) == ["network_request_problem", "network_request_done"]
    loose = services.raise_request(kind="suspend", sim=SimFactory(local_authority=la, network=ee), by=officer)
    services.move_request(request=loose, to_status=R.DONE, by=network_user)  # no child: nobody to text
    assert OutboundMessage.objects.count() == 2


def test_a_sim_request_for_a_childs_device_texts_the_guardian(officer, la, school, ee, network_user):
    child = ChildFactory(school=school, preferred_language="pl", guardian_phone="+447700900222")
    router = RouterFactory(local_authority=la, school=school, status="allocated")
    AllocationFactory(child=child, device=router, status="planned")
    request = services.raise_request(kind="increase", sim=SimFactory(local_authority=la, network=ee, device=router), by=officer)
    assert request.child == child
    services.move_request(request=request, to_status=R.DONE, by=network_user)
    message = OutboundMessage.objects.get()
    assert message.recipient == "+447700900222" and message.language == "pl" and "SIM" in message.body


# --- overdue -----------------------------------------------------------------------------------

def at(day, hour=12):
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=TZ)


def test_overdue_counts_working_days(settings):
    settings.SUPPORT_BANK_HOLIDAYS = []
    settings.CONNECTIVITY_REQUEST_OVERDUE_DAYS = 5
    monday = datetime.date(2026, 11, 30)
    # Five working days before Monday the 30th: from the start of Monday the 23rd.
    assert cutoff(at(monday)).date() == datetime.date(2026, 11, 23)
    assert cutoff(at(monday + datetime.timedelta(days=3))).date() == datetime.date(2026, 11, 26)  # Thursday: Thu..Wed
    settings.SUPPORT_BANK_HOLIDAYS = ["2026-11-25"]
    assert cutoff(at(monday)).date() == datetime.date(2026, 11, 20)  # the holiday is not a working day
    settings.CONNECTIVITY_REQUEST_OVERDUE_DAYS = 1
    assert cutoff(at(monday)).date() == datetime.date(2026, 11, 27)


@pytest.fixture
def stalled(la, other_la, school, ee, officer):
    """Requests last changed 10 days ago (two in this LA, one at the school; one in another LA)
    and one changed today."""
    old = timezone.now() - datetime.timedelta(days=10)
    at_school = SimFactory(local_authority=la, network=ee, device=RouterFactory(local_authority=la, school=school))
    made = {
        "school": services.raise_request(kind="swap", sim=at_school, by=officer, at=old),
        "la": services.raise_request(kind="swap", sim=SimFactory(local_authority=la, network=ee), by=officer, at=old),
        "other": services.raise_request(kind="swap", sim=SimFactory(local_authority=other_la, network=ee), by=officer, at=old),
        "fresh": services.raise_request(kind="suspend", sim=at_school, by=officer),
    }
    closed = services.raise_request(kind="reactivate", sim=at_school, by=officer, at=old)
    services.move_request(request=closed, to_status=R.CANCELLED, by=officer, at=old)
    return made


def test_the_overdue_filter_and_the_home_card_agree(client, users, stalled, django_assert_max_num_queries):
    expected = {"council_officer": 2, "school_staff": 1, "admin": 3}
    for role, n in expected.items():
        client.force_login(users[role])
        home = client.get(reverse("home")).content.decode()
        assert "Network requests overdue" in home, role
        with django_assert_max_num_queries(20):
            page = client.get(reverse("connectivity:request_list") + "?overdue=yes").content.decode()
        shown = {r.reference for r in NetworkRequest.objects.all() if r.reference in page}
        assert len(shown) == n and stalled["fresh"].reference not in shown, role
    client.force_login(users["cio"])
    assert "Network requests overdue" not in client.get(reverse("home")).content.decode()


def test_the_daily_check_alerts_overdue_requests_once_and_clears_them(stalled, officer, la):
    out = io.StringIO()
    daily_checks.run(timezone.localdate(), out)
    alerts = Alert.objects.filter(kind=Alert.Kind.REQUEST_OVERDUE)
    assert alerts.count() == 3 and "overdue alerts raised 3" in out.getvalue()
    assert {a.local_authority_id for a in alerts.visible_to(officer)} == {la.pk}
    assert stalled["la"].reference in alerts.get(key__contains=f":request:{stalled['la'].pk}:").message
    daily_checks.run(timezone.localdate(), io.StringIO())
    assert alerts.count() == 3  # idempotent
    services.move_request(request=stalled["la"], to_status=R.SENT, by=officer)
    out = io.StringIO()
    daily_checks.run(timezone.localdate(), out)
    assert "overdue alerts cleared 1" in out.getvalue()
    assert alerts.filter(acknowledged_at__isnull=True).count() == 2


# --- automatic extension requests ---------------------------------------------------------------

def test_a_plan_ending_with_no_follow_on_raises_one_extension_to_confirm(officer, la, ee):
    today = timezone.localdate()
    sim = SimFactory(local_authority=la, network=ee)
    DataPlanFactory(sim=sim, start=today - datetime.timedelta(days=150), end=today + datetime.timedelta(days=20))
    followed = SimFactory(local_authority=la, network=ee)
    DataPlanFactory(sim=followed, start=today - datetime.timedelta(days=150), end=today + datetime.timedelta(days=20))
    DataPlanFactory(sim=followed, start=today + datetime.timedelta(days=21), end=today + datetime.timedelta(days=200))
    far = SimFactory(local_authority=la, network=ee)
    DataPlanFactory(sim=far, start=today, end=today + datetime.timedelta(days=90))
    call_command("run_daily_checks", stdout=io.StringIO())
    request = NetworkRequest.objects.get()
    assert (request.sim, request.kind, request.status, request.requested_by) == (sim, "extend", R.TO_CONFIRM, None)
    assert "no plan follows it" in request.reason
    call_command("run_daily_checks", stdout=io.StringIO())
    assert NetworkRequest.objects.count() == 1  # once per plan
    services.move_request(request=request, to_status=R.CANCELLED, by=officer, note="Family has moved away")
    call_command("run_daily_checks", stdout=io.StringIO())
    assert NetworkRequest.objects.count() == 1  # cancelled: not raised again for this plan
    assert services.allowed_moves(R.TO_CONFIRM, services.STAFF) == [R.REQUESTED, R.CANCELLED]
