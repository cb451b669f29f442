import pytest

from publishing.tests.datapress_server import API_KEY, DATASET, FakeDataPress


@pytest.fixture(scope="session")
def datapress_server():
    server = FakeDataPress().start()
    yield server
    server.stop()


@pytest.fixture
def datapress(datapress_server, settings, db):
    """The DataPress driver pointed at the local server, with a short timeout."""
    datapress_server.state.reset()
    settings.PUBLISHING_DRIVER = "datapress"
    settings.PUBLISHING_DATAPRESS_URL = datapress_server.base_url
    settings.PUBLISHING_DATAPRESS_API_KEY = API_KEY
    settings.PUBLISHING_DATAPRESS_DATASET = DATASET
    settings.PUBLISHING_DATAPRESS_CSV_RESOURCE = ""
    settings.PUBLISHING_DATAPRESS_SCHEMA_RESOURCE = ""
    settings.PUBLISHING_TIMEOUT = 0.5
    settings.PUBLISHING_MAX_ATTEMPTS = 3
    return datapress_server


@pytest.fixture(autouse=True)
def _run_on_commit(monkeypatch):
    """The first attempt is queued on commit; a test's transaction never commits, so the
    publishing services run their on-commit work at once (as a commit would, with the
    immediate task backend)."""
    from types import SimpleNamespace

    from django.db import transaction

    from publishing import services

    monkeypatch.setattr(services, "transaction", SimpleNamespace(atomic=transaction.atomic, on_commit=lambda f, **kw: f()))
