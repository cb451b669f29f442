"""Background work for reports: keeping the summary tables current (the scheduler runs it)."""

from django_tasks import task

from core.scheduler import record_run


@task()
def maintain_summaries():
    """Roll ``Child.has_data`` to today when the date has changed, and compact the summary
    ledgers (``reports/summaries.py``). Cheap when there is nothing to do."""
    from reports import summaries

    changed = summaries.roll_data_date()
    removed = summaries.compact()
    record_run("reports_summaries")
    return f"has_data changed for {changed} children; {removed} ledger rows folded"
