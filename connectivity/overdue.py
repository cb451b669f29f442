"""Overdue requests to the networks: open requests with no change for N working days.

N is ``settings.CONNECTIVITY_REQUEST_OVERDUE_DAYS`` (default 5). Working days are the support
SLAs' (``support.sla.is_business_day``: Monday to Friday, less ``SUPPORT_BANK_HOLIDAYS``), in
the SLAs' time zone. A request is overdue when N whole working days have passed since its last
change: one changed on a Friday is overdue from the Saturday a week later (N = 5). The request
list's "Overdue" filter, the officers' home card and the daily check's ``request_overdue``
alerts all use ``overdue`` here, so the card's number is the list's rows.
"""

import datetime

from django.conf import settings
from django.utils import timezone

from connectivity.models import NetworkRequest


def overdue_days():
    return max(1, int(getattr(settings, "CONNECTIVITY_REQUEST_OVERDUE_DAYS", 5)))


def cutoff(now=None, days=None):
    """The moment before which a last change makes an open request overdue at ``now``: the
    start of the N-th working day before today."""
    from support.sla import config, is_business_day

    tz = config()[0]
    now = (now or timezone.now()).astimezone(tz)
    day, counted = now.date(), 0
    for _ in range(3660):
        if counted >= (days or overdue_days()):
            break
        day -= datetime.timedelta(days=1)
        if is_business_day(day):
            counted += 1
    return datetime.datetime.combine(day, datetime.time(0), tzinfo=tz)


def overdue(queryset=None, now=None):
    """The open requests of ``queryset`` (every request by default) that are overdue at ``now``."""
    qs = NetworkRequest.objects.all() if queryset is None else queryset
    return qs.open().filter(changed_at__lt=cutoff(now))
