"""Channel drivers: one module per provider, all with the interface of ``base.Driver``.

``driver_for(channel)`` returns the driver configured for a channel
(``MESSAGING_DRIVERS = {"sms": "notify", "email": "smtp", "letter": "outbox"}``); the embedded
default is the outbox for every channel, so the demo sends nothing anywhere.
"""

from django.conf import settings
from django.utils.module_loading import import_string

DRIVERS = {
    "outbox": "messaging.drivers.outbox.OutboxDriver",
    "notify": "messaging.drivers.notify.NotifyDriver",
    "smtp": "messaging.drivers.smtp.SmtpDriver",
}


import threading

_local = threading.local()  # the Notify client is not thread-safe: one per thread


def driver_for(channel):
    """The channel's driver, kept per process and per configuration so its HTTP connection is
    reused from one message to the next (a Notify client per message opens a connection each)."""
    name = settings.MESSAGING_DRIVERS.get(channel, "outbox")
    key = (name, getattr(settings, "NOTIFY_API_KEY", ""), getattr(settings, "NOTIFY_BASE_URL", ""), getattr(settings, "NOTIFY_TIMEOUT", 0))
    drivers = _local.__dict__.setdefault("drivers", {})
    if key not in drivers:
        drivers[key] = import_string(DRIVERS.get(name, name))()
    return drivers[key]
