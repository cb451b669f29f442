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
