"""The scheduler: periodic jobs enqueued when due, once per period across schedulers."""

from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from core.models import ScheduledJob
from core.scheduler import jobs, run_due


def test_every_app_job_is_found_and_runs_at_start(db):
    names = {job.name for job in jobs()}
    assert {"daily_checks", "sla_escalation", "deliver_pending"} <= names
    enqueued = run_due()
    assert set(enqueued) >= {"daily_checks", "sla_escalation", "deliver_pending"}
    # The immediate backend ran them: each recorded that it finished.
    finished = dict(ScheduledJob.objects.values_list("name", "last_finished_at"))
    assert finished["daily_checks"] and finished["sla_escalation"] and finished["deliver_pending"]


def test_a_job_is_enqueued_once_per_period_whoever_asks(db):
    now = timezone.now()
    assert "daily_checks" in run_due(now)
    assert "daily_checks" not in run_due(now + timedelta(minutes=5))  # a second scheduler, or the next look
    assert "sla_escalation" in run_due(now + timedelta(minutes=16))
    assert "daily_checks" not in run_due(now + timedelta(hours=23))
    assert "daily_checks" in run_due(now + timedelta(hours=24, seconds=1))


def test_status_says_when_each_job_last_ran(db, capsys):
    call_command("run_scheduler", "--once")
    call_command("run_scheduler", "--status")
    out = capsys.readouterr().out
    assert "daily_checks" in out and "last queued 20" in out and "never" not in out


# Overdue jobs: an alert after 26 hours without a good run, seen without the scheduler --------

from django.urls import reverse  # noqa: E402

from core.scheduler import overdue, record_run, status  # noqa: E402
from devices import services as device_services  # noqa: E402
from devices.models import Alert  # noqa: E402


def all_ran(at):
    for job in jobs():
        record_run(job.name)
    ScheduledJob.objects.update(last_succeeded_at=at, last_finished_at=at, first_seen_at=at)


def overdue_alerts():
    return Alert.objects.filter(kind=Alert.Kind.JOB_OVERDUE)


def test_a_daily_job_is_overdue_after_26_hours_without_a_good_run(db, la, other_la):
    t = timezone.now()
    all_ran(t)
    assert overdue(t + timedelta(hours=25, minutes=59)) == []
    device_services.check_scheduled_jobs(now=t + timedelta(hours=25, minutes=59))
    assert not overdue_alerts().exists()
    # A run that failed is not a good run.
    ScheduledJob.objects.filter(name="daily_checks").update(last_error="OperationalError: gone", last_finished_at=t + timedelta(hours=24))
    later = t + timedelta(hours=26, seconds=1)
    assert "daily_checks" in {s.name for s in overdue(later)}
    device_services.check_scheduled_jobs(now=later)
    daily = overdue_alerts().filter(key__contains=":daily_checks:")
    assert set(daily.values_list("local_authority", flat=True)) == {la.pk, other_la.pk}
    assert daily.filter(school__isnull=True, acknowledged_at__isnull=True).count() == 2
    # Looking again raises nothing more.
    device_services.check_scheduled_jobs(now=later + timedelta(minutes=5))
    assert daily.count() == 2


def test_the_alert_clears_itself_when_the_job_runs_again(db, la):
    t = timezone.now() - timedelta(hours=30)
    all_ran(timezone.now())
    ScheduledJob.objects.filter(name="daily_checks").update(last_succeeded_at=t)
    device_services.check_scheduled_jobs()
    alert = overdue_alerts().get()
    assert alert.acknowledged_at is None
    record_run("daily_checks")
    device_services.check_scheduled_jobs()
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None and alert.acknowledged_by is None
    assert alert.history.order_by("-history_date").first().history_change_reason == "cleared: the job ran again"
    # The next outage raises a new alert (its key names the time it was last good).
    ScheduledJob.objects.filter(name="daily_checks").update(last_succeeded_at=t - timedelta(hours=1))
    device_services.check_scheduled_jobs()
    assert overdue_alerts().filter(acknowledged_at__isnull=True).count() == 1


def test_a_scheduler_that_never_ran_is_noticed_26_hours_after_the_first_look(db, la):
    t = timezone.now()
    device_services.check_scheduled_jobs(now=t)  # no rows yet: the clock starts now
    assert ScheduledJob.objects.filter(last_enqueued_at__isnull=True).count() >= 3
    device_services.check_scheduled_jobs(now=t + timedelta(hours=25))
    assert not overdue_alerts().exists()
    device_services.check_scheduled_jobs(now=t + timedelta(hours=26, seconds=1))
    assert overdue_alerts().filter(key__contains=":daily_checks:").count() == 1


def test_a_dead_scheduler_is_noticed_when_officers_look(client, users, la, other_la):
    """No scheduler and no worker: the alert list and the home page run the check themselves."""
    all_ran(timezone.now())
    ScheduledJob.objects.filter(name="daily_checks").update(last_succeeded_at=timezone.now() - timedelta(hours=27))
    client.force_login(users["council_officer"])
    home = client.get(reverse("home"))
    assert {c.label: c.value for c in home.context["cards"]}["Open alerts"] == 1
    page = client.get(reverse("devices:alert_list")).content.decode()
    assert "Scheduled check not run for 26 hours" in page and "have not run for 26 hours" not in page
    assert "A scheduled check has not run for 26 hours" in page
    # Each officer sees their own LA's; school staff and the London lead see none.
    assert Alert.objects.visible_to(users["council_officer"]).filter(kind="job_overdue").count() == 1
    assert not Alert.objects.visible_to(users["school_staff"]).filter(kind="job_overdue").exists()
    assert not Alert.objects.visible_to(users["london_lead"]).exists()


def test_the_scheduled_jobs_page_is_for_admins(client, users):
    all_ran(timezone.now())
    ScheduledJob.objects.filter(name="daily_checks").update(last_succeeded_at=timezone.now() - timedelta(hours=27), last_error="ValueError: x")
    client.force_login(users["admin"])
    response = client.get(reverse("core:scheduled_jobs"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "daily_checks" in page and "sla_escalation" in page and "Overdue" in page and "OK" in page
    got = {s.name: s for s in response.context["statuses"]}
    assert got["daily_checks"].overdue_since and got["sla_escalation"].overdue_since is None
    home = client.get(reverse("home"))
    assert {c.label: c.value for c in home.context["cards"]}["Scheduled jobs overdue"] == 1
    for role in ("council_officer", "cio", "school_staff", "support_agent", "london_lead"):
        client.force_login(users[role])
        assert client.get(reverse("core:scheduled_jobs")).status_code == 403


def test_status_marks_overdue_jobs(db, capsys):
    all_ran(timezone.now() - timedelta(hours=27))
    call_command("run_scheduler", "--status")
    out = capsys.readouterr().out
    assert "daily_checks" in out and "OVERDUE" in out and "last ok 20" in out
    assert [s.name for s in status() if s.overdue_since]
