"""Fault tests post to the public forms; start each with the rate limiter's counters empty
(pytest-django runs transactional tests last, after many other posts from 127.0.0.1)."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits(settings):
    cache.clear()
    settings.SUPPORT_PUBLIC_RATE_LIMIT = 1000
