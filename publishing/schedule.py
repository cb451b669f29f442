from datetime import timedelta

from core.scheduler import Job

# Daily: publishes this month's figures once (on the first run of the month); the retries
# of failed attempts every five minutes pick up those whose back-off has passed.
JOBS = [
    Job("publishing_monthly", "publishing.tasks.publish_month", timedelta(days=1)),
    Job("publishing_retries", "publishing.tasks.retry_publications", timedelta(minutes=5)),
]
