"""Schools whose last stocktake is overdue: one definition for the list page and the home card.

A school is overdue when its last *closed* stocktake closed more than
``settings.STOCKTAKE_OVERDUE_DAYS`` days ago, or it has never had one. Closed schools are left
out (they hold no shelf to count)."""

import datetime

from django.conf import settings
from django.db.models import Max, Q
from django.utils import timezone

from accounts.models import School


def cutoff(now=None):
    now = now or timezone.now()
    return now - datetime.timedelta(days=settings.STOCKTAKE_OVERDUE_DAYS)


def with_last_stocktake(queryset):
    return queryset.annotate(last_stocktake=Max("stocktakes__closed_at", filter=Q(stocktakes__status="closed")))


def overdue_schools(user, now=None):
    """Open schools ``user`` may see whose last stocktake is overdue (or never happened)."""
    qs = with_last_stocktake(School.objects.visible_to(user).open())
    return qs.filter(Q(last_stocktake__isnull=True) | Q(last_stocktake__lt=cutoff(now)))
