"""Background work of the shared machinery: the daily checks, run by the scheduler."""

import io

from django.core.management import call_command
from django_tasks import task

from core.scheduler import record_run


@task()
def run_daily_checks():
    """Every app's daily checks (``manage.py run_daily_checks``); idempotent."""
    out = io.StringIO()
    try:
        call_command("run_daily_checks", stdout=out)
    except Exception as error:
        record_run("daily_checks", error=f"{error.__class__.__name__}: {error}")
        raise
    record_run("daily_checks")
    return out.getvalue()
