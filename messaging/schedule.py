from datetime import timedelta

from django.conf import settings

from core.scheduler import Job

JOBS = [
    # A safety net under each message's own task and retries (a worker that was down, a restart).
    Job("deliver_pending", "messaging.tasks.deliver_pending", timedelta(minutes=1)),
    # Families' email from the support mailbox (off when MESSAGING_MAILBOX_URL is empty).
    Job("poll_mailbox", "messaging.tasks.poll_mailbox", timedelta(seconds=settings.MESSAGING_MAILBOX_POLL_SECONDS),
        enabled=lambda: bool(settings.MESSAGING_MAILBOX_URL)),
]
