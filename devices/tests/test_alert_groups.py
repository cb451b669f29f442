"""The alert list, one line per condition: what each line covers, "Acknowledge all N" (a
confirmation, one transaction, audited per alert), scope and query counts, through HTTP."""

import datetime

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from devices.models import Alert
from connectivity.tests.factories import SimFactory
from devices.tests.factories import RouterFactory

LIST = reverse("devices:alert_list")
ACK_ALL = reverse("devices:alert_acknowledge_all")
NOV = datetime.date(2026, 11, 20)


def allowance(la, school, n, *, due=NOV, kind=Alert.Kind.ALLOWANCE_WARNING, prefix="w"):
    alerts = []
    for i in range(n):
        router = RouterFactory(local_authority=la, school=school)
        sim = SimFactory(local_authority=la, device=router)
        alerts.append(
            Alert.objects.create(
                key=f"{prefix}:{la.pk}:{i}", kind=kind, local_authority=la, school=school, device=router, sim=sim,
                message=f"SIM {sim.iccid} has used 85% of its data", due=due,
            )
        )
    return alerts


@pytest.fixture
def alerts(la, other_la, school, other_school):
    return {
        "warning": allowance(la, school, 3),
        "december": allowance(la, school, 1, due=datetime.date(2026, 12, 2), prefix="d"),
        "plan": [Alert.objects.create(key="p1", kind=Alert.Kind.PLAN_ENDING, local_authority=la, message="Plan ends soon", due=NOV)],
        "theirs": allowance(other_la, other_school, 2, prefix="t"),
    }


def lines(response):
    return [row.record for row in response.context["table"].paginated_rows]


def test_one_line_per_condition_with_its_sims(client, users, alerts):
    client.force_login(users["council_officer"])
    response = client.get(LIST)
    assert response.status_code == 200
    got = sorted((r["kind"], r["month"], r["n"], r["open_n"]) for r in lines(response))
    assert got == [
        ("allowance_warning", datetime.date(2026, 11, 1), 3, 3),
        ("allowance_warning", datetime.date(2026, 12, 1), 1, 1),
        ("plan_ending", datetime.date(2026, 11, 1), 1, 1),
    ]
    page = response.content.decode()
    for alert in alerts["warning"]:
        assert alert.sim.iccid in page and reverse("devices:device_detail", args=[alert.device_id]) in page
    assert "Acknowledge all 3" in page and "govuk-details" in page
    for alert in alerts["theirs"]:  # another LA's SIMs: not on the page
        assert alert.sim.iccid not in page
    # "See all" opens the per-alert list filtered to the line.
    line = next(r for r in lines(response) if r["n"] == 3)
    each = client.get(LIST + "?show=each&" + line["group_query"])
    assert {r.record.pk for r in each.context["table"].paginated_rows} == {a.pk for a in alerts["warning"]}


def test_an_officer_of_another_la_sees_none_of_them(client, la, alerts):
    from accounts.tests.factories import LocalAuthorityFactory

    elsewhere = UserFactory(role="council_officer", local_authority=LocalAuthorityFactory(code="999", name="Elsewhere"))
    client.force_login(elsewhere)
    response = client.get(LIST)
    assert lines(response) == []
    params = {"kind": "allowance_warning", "local_authority": la.pk, "school": alerts["warning"][0].school_id, "month": "2026-11"}
    assert client.get(ACK_ALL, params).status_code == 302  # "could not be found": nothing to confirm
    client.post(ACK_ALL, params)
    assert Alert.objects.filter(acknowledged_at__isnull=False).count() == 0


def test_acknowledge_all_confirms_then_acknowledges_each_with_history(client, users, la, alerts):
    officer = users["council_officer"]
    client.force_login(officer)
    line = next(r for r in lines(client.get(LIST)) if r["n"] == 3)
    confirm = client.get(ACK_ALL + "?" + line["group_query"])
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert "Acknowledge all 3 alerts?" in text and "Camden" in text
    assert Alert.objects.filter(acknowledged_at__isnull=False).count() == 0  # the GET changed nothing
    form = {name: value for name, value in confirm.context["params"]}
    form.update(upto=confirm.context["upto"], next=LIST + "?state=open")
    # One raised after the confirmation page: left open.
    late = allowance(la, alerts["warning"][0].school, 1, prefix="late")[0]
    response = client.post(ACK_ALL, form)
    assert response.status_code == 302 and response.url == LIST + "?state=open"
    done = Alert.objects.filter(acknowledged_at__isnull=False)
    assert set(done.values_list("pk", flat=True)) == {a.pk for a in alerts["warning"]}
    assert set(done.values_list("acknowledged_by", flat=True)) == {officer.pk}
    late.refresh_from_db()
    assert late.acknowledged_at is None
    for alert in alerts["warning"]:
        last = alert.history.order_by("-history_date").first()
        assert last.history_user == officer and last.acknowledged_at is not None and last.history_type == "~"
    assert "3 alerts acknowledged." in client.get(response.url).content.decode()
    # Again: nothing more is acknowledged, nothing breaks.
    assert client.post(ACK_ALL, form).status_code == 302
    assert done.count() == 3


def test_the_cio_sees_lines_but_cannot_acknowledge(client, users, alerts):
    client.force_login(users["cio"])
    page = client.get(LIST).content.decode()
    assert "Acknowledge all" not in page and "Open" in page
    line = {"kind": "plan_ending", "local_authority": alerts["plan"][0].local_authority_id, "school": "none", "month": "2026-11"}
    assert client.get(ACK_ALL, line).status_code == 403
    assert client.post(ACK_ALL, line).status_code == 403


@pytest.mark.parametrize(
    "params",
    [{}, {"kind": "nonsense", "school": "none", "month": "none"}, {"kind": "plan_ending", "school": "none", "month": "2026-13"},
     {"kind": "plan_ending", "school": "x", "month": "none", "local_authority": "1"}, {"kind": "plan_ending", "school": "none", "month": "none"}],
)
def test_bad_group_parameters_give_a_clear_message_not_a_500(client, users, alerts, params):
    client.force_login(users["council_officer"])
    for method in (client.get, client.post):
        response = method(ACK_ALL, params, follow=True)
        assert response.status_code == 200
        assert "That group of alerts could not be found" in response.content.decode()


@pytest.mark.parametrize("params", [
    {"month": "2026-99"}, {"school": "'; drop"}, {"month": "none", "school": "none", "show": "each"}, {"show": "nonsense"},
    {"sort": "kind"}, {"sort": "-latest"}, {"sort": "group_la_name"}, {"sort": "-month"}, {"sort": "action"}, {"sort": "nonsense"},
])
def test_bad_list_parameters_are_refused_quietly(client, users, alerts, params):
    client.force_login(users["council_officer"])
    assert client.get(LIST, params).status_code == 200


def test_list_query_count_does_not_grow_with_lines_or_alerts(client, users, la, school, django_assert_max_num_queries):
    for month in range(1, 13):
        allowance(la, school, 3, due=datetime.date(2026, month, 10), prefix=f"m{month}")
    client.force_login(users["council_officer"])
    client.get(LIST)  # the first look records the scheduled jobs
    # Session and user, the overdue check (2), the lines, the LA filter's choices, the page's
    # devices and SIMs (one query for every line), and the session's save (3, with its savepoint).
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert len(lines(response)) == 12 and all(r["n"] == 3 for r in lines(response))
    with django_assert_max_num_queries(10):
        client.get(LIST, {"show": "each"})


def overdue(name, hours):
    """Every scheduled job ran just now, except ``name``, last good ``hours`` ago."""
    from django.utils import timezone

    from core.models import ScheduledJob
    from core.scheduler import jobs, record_run

    for job in jobs():
        record_run(job.name)
    ScheduledJob.objects.filter(name=name).update(last_succeeded_at=timezone.now() - datetime.timedelta(hours=hours))


def test_service_wide_alerts_are_one_line_for_the_admin(client, users, la, other_la):
    overdue("daily_checks", 27)
    client.force_login(users["admin"])
    got = [r for r in lines(client.get(LIST)) if r["kind"] == "job_overdue"]  # the page raised them: one per LA
    assert len(got) == 1 and got[0]["n"] == 2 and got[0]["la_count"] == 2
    confirm = client.get(ACK_ALL + "?" + got[0]["group_query"])
    assert confirm.status_code == 200 and "2 local authorities" in confirm.content.decode()
    form = dict(confirm.context["params"], upto=confirm.context["upto"])
    client.post(ACK_ALL, form)
    assert Alert.objects.filter(kind="job_overdue", acknowledged_by=users["admin"]).count() == 2
    # A later outage: new alerts. An officer's "all" for the line covers their own LA's only.
    overdue("daily_checks", 30)
    client.force_login(users["council_officer"])
    line = [r for r in lines(client.get(LIST)) if r["kind"] == "job_overdue" and r["open_n"]]
    assert len(line) == 1 and line[0]["open_n"] == 1 and "1 local authority" in client.get(LIST).content.decode()
    client.post(ACK_ALL, dict(client.get(ACK_ALL + "?" + line[0]["group_query"]).context["params"]))
    assert set(Alert.objects.filter(kind="job_overdue", acknowledged_at__isnull=True).values_list("local_authority", flat=True)) == {other_la.pk}
