from datetime import timedelta

from core.scheduler import Job

# Every five minutes: the data date follows midnight within five minutes (until then the
# children figures fall back to the direct query, so they are never wrong, only slower).
JOBS = [Job("reports_summaries", "reports.tasks.maintain_summaries", timedelta(minutes=5))]
