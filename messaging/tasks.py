"""Background work for messaging, run by the django-tasks worker."""

from django_tasks import task

from messaging import services


@task()
def deliver_message(message_id):
    """Send one queued message; safe to run twice (it is sent once)."""
    message = services.deliver(message_id)
    return message.status if message else None


@task()
def deliver_pending():
    """Send every due queued message (retries whose back-off has passed, rows a dead worker left)."""
    from core.scheduler import record_run

    count = services.deliver_pending()
    record_run("deliver_pending")
    return count


@task()
def poll_mailbox():
    """Take new email from the support mailbox (``MESSAGING_MAILBOX_URL``) into tickets.

    Safe to run twice or at once on two workers (each email is stored once, by Message-ID); a
    mailbox that cannot be reached is logged and reported, and the next run tries again.
    Returns the counts (``PollResult.as_dict()``)."""
    from core.scheduler import record_run
    from messaging.inbound_email import poll_mailbox as poll

    result = poll().as_dict()
    record_run("poll_mailbox", error=str(result.get("error") or ""))
    return result
