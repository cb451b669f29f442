"""Datastore drivers: ``outbox`` (the default: keeps the files here, no network) and
``datapress`` (the London Datastore's DataPress API). ``PUBLISHING_DRIVER`` chooses."""

from django.conf import settings
from django.utils.module_loading import import_string

DRIVERS = {
    "outbox": "publishing.drivers.outbox.OutboxDriver",
    "datapress": "publishing.drivers.datapress.DataPressDriver",
}


def driver_name():
    return getattr(settings, "PUBLISHING_DRIVER", "outbox") or "outbox"


def get_driver(name=None):
    name = name or driver_name()
    return import_string(DRIVERS.get(name, DRIVERS["outbox"]))()
