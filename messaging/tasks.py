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
    return services.deliver_pending()
