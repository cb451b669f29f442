from datetime import timedelta

from core.scheduler import Job

JOBS = [
    # A safety net under each message's own task and retries (a worker that was down, a restart).
    Job("deliver_pending", "messaging.tasks.deliver_pending", timedelta(minutes=1)),
]
