"""Who is asking, and how often: the client address behind our proxies, and rate limits
counted in a store that every web process and machine shares.

``client_address`` is the one rule for the address of the person making a request: our rate
limits and django-axes (``AXES_CLIENT_IP_CALLABLE``) use it, and DRF's throttles use the same
count of proxies (``NUM_PROXIES``). With ``TRUSTED_PROXY_COUNT = 0`` (the default) it is
``REMOTE_ADDR``; with N it is the Nth address from the right of ``X-Forwarded-For``, the one
our outermost proxy appended. Entries to the left of it were written by the client and are
never read, so a forged ``X-Forwarded-For`` changes nothing.

``rate_limited`` counts in the ``ratelimit`` cache (``CACHES["ratelimit"]``: the database
cache table ``tracker_rate_limits`` by default, Redis when ``RATELIMIT_CACHE_URL`` or
``CACHE_URL`` names it). Each accepted request holds one of ``limit`` slots for one window,
taken with ``cache.add`` (atomic in every backend we use: a primary key in the database, SET NX
in Redis), so concurrent requests in other processes cannot overshoot the limit, and at most
``limit`` requests are accepted in any window.
"""

import hashlib
import ipaddress

from django.conf import settings
from django.core.cache import caches

RATE_LIMIT_CACHE = "ratelimit"


def _parse(value):
    """An IP address from a header entry ('1.2.3.4', '1.2.3.4:5678', '[2001:db8::1]:443'), or None."""
    value = (value or "").strip().strip('"')
    if value.startswith("[") and "]" in value:
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request):
    """The address of the client, trusting only ``TRUSTED_PROXY_COUNT`` proxies in front of us."""
    remote = _parse(request.META.get("REMOTE_ADDR")) or "unknown"
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return remote
    forwarded = [entry for entry in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if not forwarded:
        return remote
    # Fewer entries than proxies: a proxy replaced the header rather than appending to it, so
    # nothing in it came from the client; its leftmost entry is the furthest address seen.
    entry = forwarded[-count] if len(forwarded) >= count else forwarded[0]
    return _parse(entry) or remote


def address_bucket(address):
    """IPv6 clients get a /64 each (one household's router hands out a whole /64)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def hit(key, *, limit, window):
    """Count one request for ``key``; True when it is over ``limit`` in the last ``window`` seconds."""
    cache = caches[RATE_LIMIT_CACHE]
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    slots = [f"rl:{digest}:{n}" for n in range(limit)]
    taken = cache.get_many(slots)
    for slot in slots:
        if slot not in taken and cache.add(slot, 1, window):
            return False
    return True


def rate_limited(request, scope, per_address=True, *, limit=None, window=None):
    """Count one request from this client address for ``scope`` (or, ``per_address=False``,
    from anyone); True once it is over the limit (default ``SUPPORT_PUBLIC_RATE_LIMIT`` in
    ``SUPPORT_PUBLIC_RATE_WINDOW`` seconds)."""
    limit = settings.SUPPORT_PUBLIC_RATE_LIMIT if limit is None else limit
    window = settings.SUPPORT_PUBLIC_RATE_WINDOW if window is None else window
    key = f"{scope}:{address_bucket(client_address(request))}" if per_address else f"{scope}:*"
    return hit(key, limit=limit, window=window)
