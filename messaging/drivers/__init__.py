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


def driver_for(channel):
    name = settings.MESSAGING_DRIVERS.get(channel, "outbox")
    return import_string(DRIVERS.get(name, name))()
