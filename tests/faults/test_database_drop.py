"""Fault: the database connection drops in the middle of a request.

A family replies to their ticket: ``support.services.add_message`` inserts the message and then
updates the ticket, in one transaction. Between the two, the connection is cut: on PostgreSQL
the request's own server process is ended with ``pg_terminate_backend`` from another
connection; on SQLite the cursor raises ``OperationalError`` as a dropped connection would.

What must hold: a 503 page that is our template (not a traceback, not the bare 500 page) saying
nothing was saved; no message row; and the next request works on a fresh connection.
"""

import pytest
from django.db import OperationalError, connection
from django.urls import reverse

from support.models import Message, Ticket
from support.tests.factories import DEFAULT_TOKEN, TicketFactory


class CutConnection:
    """An ``execute_wrapper`` that drops the connection just before the first matching query."""

    def __init__(self, table):
        self.table = table
        self.fired = 0

    def __call__(self, execute, sql, params, many, context):
        if not self.fired and sql.lstrip().upper().startswith("UPDATE") and self.table in sql:
            self.fired += 1
            if connection.vendor == "postgresql":
                self._terminate(context["connection"].connection.info.backend_pid)
            else:
                raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)

    @staticmethod
    def _terminate(pid):
        import psycopg

        s = connection.settings_dict
        other = psycopg.connect(
            host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432, user=s["USER"], password=s["PASSWORD"] or None,
            dbname=s["NAME"], autocommit=True,
        )
        try:
            other.execute("select pg_terminate_backend(%s)", [pid])
        finally:
            other.close()


@pytest.fixture
def ticket(transactional_db):
    return TicketFactory()


def test_connection_dropped_mid_write_gives_503_and_nothing_saved(client, ticket):
    url = reverse("support:family_ticket", args=[ticket.reference, DEFAULT_TOKEN])
    status_before = Ticket.objects.get(pk=ticket.pk).status
    cut = CutConnection('"support_ticket"')
    with connection.execute_wrapper(cut):
        response = client.post(url, {"body": "The charger has stopped working."})
    assert cut.fired == 1, response.status_code
    assert response.status_code == 503
    assert response["Retry-After"]
    page = response.content.decode()
    assert "Sorry, the service is temporarily unavailable" in page and "Nothing you entered was saved." in page
    assert "Traceback" not in page and "OperationalError" not in page

    # The next request gets a working connection, and nothing of the first reply was saved.
    assert Message.objects.count() == 0
    assert Ticket.objects.get(pk=ticket.pk).status == status_before
    assert client.get(url).status_code == 200
    response = client.post(url, {"body": "The charger has stopped working."})
    assert response.status_code == 302
    assert Message.objects.get().body == "The charger has stopped working."


def test_api_request_gets_json_503(client, users, monkeypatch):
    from core import middleware

    client.force_login(users["council_officer"])
    request = type("R", (), {"path": "/api/devices/", "method": "GET"})()
    response = middleware.DatabaseUnavailableMiddleware(lambda r: None).process_exception(request, OperationalError("gone"))
    assert response.status_code == 503 and b"Nothing was saved" in response.content
    assert response["Content-Type"] == "application/json"


def test_other_exceptions_are_left_alone():
    from core import middleware

    request = type("R", (), {"path": "/", "method": "GET"})()
    assert middleware.DatabaseUnavailableMiddleware(lambda r: None).process_exception(request, ValueError("x")) is None


class FailSessionRead:
    """An ``execute_wrapper`` that fails the session's SELECT, as a dropped connection would."""

    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT") and '"django_session"' in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def test_connection_lost_in_a_middleware_gives_the_503_page_not_the_500(transactional_db, users, settings):
    """The session is loaded by a middleware, outside the view: Django's 500 handler
    (``core.middleware.server_error``) gives the same 503 answer."""
    from django.test import Client

    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(users["council_officer"])
    with connection.execute_wrapper(FailSessionRead()):
        page = client.get(reverse("devices:device_list"))
        api = client.get("/api/devices/")
    assert page.status_code == 503 and page["Retry-After"]
    assert "Sorry, the service is temporarily unavailable" in page.content.decode()
    assert api.status_code == 503 and api["Content-Type"] == "application/json"
    assert client.get(reverse("devices:device_list")).status_code == 200


def test_other_server_errors_keep_the_500_page(rf):
    import sys

    from core.middleware import server_error

    try:
        raise ValueError("a bug")
    except ValueError:
        assert sys.exc_info()[0] is ValueError
        response = server_error(rf.get("/"))
    assert response.status_code == 500 and b"Sorry, there is a problem with the service" in response.content


class FailSessionUpdate:
    def __call__(self, execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("UPDATE") and '"django_session"' in sql:
            raise OperationalError("server closed the connection unexpectedly")
        return execute(sql, params, many, context)


def test_session_update_lost_after_the_view_committed_keeps_the_response(transactional_db, users, settings):
    """The session is saved after the view: a connection lost then must not turn a saved reply
    into "Bad request" or "nothing was saved"."""
    from django.test import Client

    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    client.force_login(users["council_officer"])
    with connection.execute_wrapper(FailSessionUpdate()):
        response = client.get(reverse("devices:device_list"))
    assert response.status_code == 200
