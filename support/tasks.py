"""Background work for support: the SLA escalation, runnable by the django-tasks worker."""

from django_tasks import task

from support.services import escalate_breaches


@task()
def escalate_sla_breaches():
    """Escalate tickets past their SLA; idempotent, safe to enqueue as often as wanted."""
    from core.scheduler import record_run

    count = escalate_breaches()
    record_run("sla_escalation")
    return count
