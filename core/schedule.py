from datetime import timedelta

from core.scheduler import Job

JOBS = [Job("daily_checks", "core.tasks.run_daily_checks", timedelta(hours=24))]
