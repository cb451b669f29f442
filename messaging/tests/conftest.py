import uuid

import pytest

from messaging.models import NotifyTemplate
from messaging.tests.notify_server import API_KEY, FakeNotify


@pytest.fixture(scope="session")
def notify_server():
    server = FakeNotify().start()
    yield server
    server.stop()


@pytest.fixture
def notify(notify_server, settings, db):
    """Every channel through the real Notify client to the local Notify server, with a Notify
    template for every message type in English and Somali."""
    notify_server.state.reset()
    settings.MESSAGING_DRIVERS = {"sms": "notify", "email": "notify", "letter": "notify"}
    settings.NOTIFY_API_KEY = API_KEY
    settings.NOTIFY_BASE_URL = notify_server.base_url
    settings.NOTIFY_TIMEOUT = 5
    settings.NOTIFY_CALLBACK_TOKEN = "receipt-token-for-tests-0123456789"
    settings.NOTIFY_INBOUND_TOKEN = "inbound-token-for-tests-0123456789"
    templates = {}
    for channel in ("sms", "email", "letter"):
        for language in ("en", "so"):
            template_id = uuid.uuid4()
            NotifyTemplate.objects.create(template="*", channel=channel, language=language, notify_template_id=template_id)
            templates[(channel, language)] = str(template_id)
            notify_server.state.templates.add(str(template_id))
    notify_server.templates = templates
    return notify_server
