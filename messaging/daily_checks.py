"""Messages that are still waiting: send the due ones (a safety net under the worker's own
retries, e.g. after the worker was down)."""

from messaging.services import deliver_pending


def run(today, stdout):
    count = deliver_pending()
    stdout.write(f"messaging: {count} waiting message(s) sent")
