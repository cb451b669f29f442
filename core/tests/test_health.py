from unittest import mock

import pytest
from django.db import OperationalError


@pytest.mark.django_db
def test_healthz_is_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}


def test_healthz_is_503_when_the_database_does_not(client):
    with mock.patch("core.views.connection") as connection:
        connection.cursor.side_effect = OperationalError("could not connect to server")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_healthz_needs_no_sign_in_and_is_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    with mock.patch("core.views.connection"):
        assert client.get("/healthz").status_code == 200
    assert client.get("/sign-in/").status_code == 301  # everything else goes to HTTPS


def test_the_wsgi_module_loads_every_view_and_opens_no_database_connection():
    """gunicorn --preload imports tracker.wsgi before forking: it must not leave a database
    connection for the workers to share, and should have the URLconf loaded."""
    import subprocess
    import sys

    code = (
        "import sys, tracker.wsgi\n"
        "from django.db import connections\n"
        "assert all(c.connection is None for c in connections.all()), 'connection opened'\n"
        "assert 'devices.views' in sys.modules and 'support.views' in sys.modules, 'views not loaded'\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
