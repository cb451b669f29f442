"""SLA breaches: flag and escalate open tickets past their due times (once each)."""

import datetime

from django.utils import timezone

from support.services import escalate_breaches


def run(today, stdout):
    # Checks run for "today": breaches are judged at the end of that day's business hours
    # when today is in the past, and at the current moment otherwise.
    now = timezone.now()
    if today < timezone.localdate(now):
        now = timezone.make_aware(datetime.datetime.combine(today, datetime.time(23, 59)))
    count = escalate_breaches(now=now)
    stdout.write(f"support: {count} ticket(s) escalated for missing their SLA")
