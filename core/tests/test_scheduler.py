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
