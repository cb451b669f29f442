"""Background work for devices, run by the django-tasks worker."""

from django_tasks import task


@task()
def check_scheduled_jobs():
    """Raise or clear the alerts for scheduled jobs that have not run for 26 hours."""
    from core.scheduler import record_run
    from devices import services

    statuses = services.check_scheduled_jobs()
    record_run("overdue_check")
    return [s.name for s in statuses if s.overdue_since]
