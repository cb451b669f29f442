"""``manage.py poll_mailbox [--url URL] [--every SECONDS]``: take families' email into tickets.

Reads ``MESSAGING_MAILBOX_URL`` (or ``--url``) once and prints what it did: how many emails it
stored by outcome, how many it had already stored, how many wait for the next poll. With
``--every`` it keeps polling; a mailbox that cannot be reached is reported and tried again at
the next round, never a crash. Exit status 1 when a single poll could not reach the mailbox.
"""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from messaging.inbound_email import poll_mailbox


class Command(BaseCommand):
    help = "Take new email from the support mailbox into tickets, once or every N seconds."

    def add_arguments(self, parser):
        parser.add_argument("--url", help="mailbox URL (default: MESSAGING_MAILBOX_URL)")
        parser.add_argument("--every", type=int, metavar="SECONDS", help="keep polling, this many seconds apart")

    def handle(self, *args, url=None, every=None, **options):
        url = settings.MESSAGING_MAILBOX_URL if url is None else url
        try:
            while True:
                try:
                    result = poll_mailbox(url=url)
                except Exception as error:  # the database gone away: report, wait, try again
                    if not every:
                        raise
                    self.stderr.write(f"poll failed, trying again in {every} s: {error.__class__.__name__}: {error}")
                    time.sleep(every)
                    continue
                style = self.style.WARNING if result.error else self.style.SUCCESS
                self.stdout.write(style(result.summary()))
                if not every:
                    if result.error:
                        raise CommandError(result.error)
                    return
                time.sleep(every)
        except KeyboardInterrupt:
            return
        except ValueError as error:  # an unknown URL scheme: a configuration mistake
            raise CommandError(str(error)) from error
