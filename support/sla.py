"""Business-hours arithmetic for support SLAs.

Business time runs on the weekdays and between the hours in ``SUPPORT_BUSINESS_HOURS``
(Europe/London by default), skipping the dates in ``SUPPORT_BANK_HOLIDAYS``. Due times are
``add_business_hours(start, target)``; a paused clock moves due times on by
``business_seconds_between(paused_at, resumed_at)``.
"""

import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.conf import settings


@lru_cache(maxsize=8)
def _config(hours_key, holidays_key):
    hours = dict(hours_key)
    tz = ZoneInfo(hours.get("timezone", "Europe/London"))
    start = datetime.time.fromisoformat(hours.get("start", "09:00"))
    end = datetime.time.fromisoformat(hours.get("end", "17:00"))
    days = frozenset(hours.get("days", (0, 1, 2, 3, 4)))
    holidays = frozenset(datetime.date.fromisoformat(d) for d in holidays_key)
    return tz, start, end, days, holidays


def config():
    hours = getattr(settings, "SUPPORT_BUSINESS_HOURS", {})
    key = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in hours.items()))
    return _config(key, tuple(getattr(settings, "SUPPORT_BANK_HOLIDAYS", ())))


def is_business_day(day):
    _tz, _s, _e, days, holidays = config()
    return day.weekday() in days and day not in holidays


def _window(day):
    tz, start, end, _d, _h = config()
    return datetime.datetime.combine(day, start, tzinfo=tz), datetime.datetime.combine(day, end, tzinfo=tz)


def add_business_seconds(start, seconds):
    """The moment ``seconds`` of business time after ``start`` (an aware datetime)."""
    tz = config()[0]
    cursor = start.astimezone(tz)
    remaining = max(0, int(seconds))
    for _ in range(3660):  # ten years of days: a bound, never reached with sane targets
        day = cursor.date()
        if is_business_day(day):
            opens, closes = _window(day)
            if cursor < opens:
                cursor = opens
            if cursor < closes:
                available = (closes - cursor).total_seconds()
                if remaining <= available:
                    return cursor + datetime.timedelta(seconds=remaining)
                remaining -= available
        cursor = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), tzinfo=tz)
    raise ValueError("SLA target too far in the future")


def add_business_hours(start, hours):
    return add_business_seconds(start, hours * 3600)


def business_seconds_between(start, end):
    """Business seconds in [start, end); 0 when end is not after start."""
    if end <= start:
        return 0
    tz = config()[0]
    start, end = start.astimezone(tz), end.astimezone(tz)
    total = 0.0
    day = start.date()
    while day <= end.date():
        if is_business_day(day):
            opens, closes = _window(day)
            lo, hi = max(opens, start), min(closes, end)
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += datetime.timedelta(days=1)
    return int(total)


def targets_for(priority):
    """(first response hours, resolution hours) for a priority."""
    targets = settings.SUPPORT_SLA_TARGETS.get(priority) or settings.SUPPORT_SLA_TARGETS["normal"]
    return targets["first_response"], targets["resolution"]
