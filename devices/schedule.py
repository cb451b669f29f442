from datetime import timedelta

from core.scheduler import Job

# The overdue check also runs whenever the alert list or the home page is shown, so a dead
# scheduler or worker is still noticed; this job clears alerts promptly once a job runs again.
JOBS = [Job("overdue_check", "devices.tasks.check_scheduled_jobs", timedelta(minutes=15))]
