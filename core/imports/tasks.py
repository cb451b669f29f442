"""Background import runs, executed by the django-tasks database worker (``manage.py db_worker``).

The task is a thin wrapper: ``services.run_job`` does the work and keeps the job's progress,
heartbeat and outcome on the ``ImportJob`` row, so the progress page survives a reload and a
job whose worker died can be retried (see ``services.can_retry``).
"""

from django_tasks import task

from core.imports import services


@task()
def run_import(job_id: int, action: str, token: str) -> str:
    """Dry-run or commit import job ``job_id``; ``token`` must still be the job's run token."""
    return services.run_job(job_id, action, token)
