"""Background work for publishing: one attempt, the retries that are due, the monthly run."""

from django_tasks import task

from core.scheduler import record_run


@task()
def attempt(publication_id):
    from publishing import services

    return services.attempt_publication(publication_id=publication_id).status


@task()
def retry_publications():
    from publishing import services

    n = services.retry_due()
    record_run("publishing_retries")
    return f"{n} publications attempted again"


@task()
def publish_month():
    from publishing import services

    found = services.publish_month_if_due()
    record_run("publishing_monthly")
    return "published this month already" if found is None else f"publication {found.pk} queued"
