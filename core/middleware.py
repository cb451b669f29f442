"""Turn a lost database into a clear "try again" page instead of a server error.

When the database connection drops or the server is unreachable mid-request, the view's
transaction has been rolled back (every service runs in ``transaction.atomic``), so nothing
from the request was saved. ``DatabaseUnavailableMiddleware`` answers such a request with a
503 page (our template, rendered without touching the database) that says exactly that, with a
``Retry-After`` header, and closes the broken connection so the next request opens a new one.

A database error raised outside a view (loading the session or the user in a middleware, saving
the session on the way out) is not seen by ``process_exception``: Django turns it into a 500.
``server_error`` (the project's ``handler500``) gives those the same 503 answer when the
exception, or one it was raised while handling, is a database connection error.
"""

import logging
import sys

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 30


class DatabaseUnavailableMiddleware:
    """503 "Service temporarily unavailable, nothing was saved" for database connection errors."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)):
            return None
        return database_unavailable(request, exception)


def database_error_in(exception):
    """The database connection error ``exception`` is, or was raised while handling; or None."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        if isinstance(exception, (OperationalError, InterfaceError)):
            return exception
        seen.add(id(exception))
        exception = exception.__cause__ or exception.__context__
    return None


def database_unavailable(request, exception):
    """The 503 answer (a page, or JSON under /api/), after closing unusable connections."""
    logger.error("database unavailable during %s %s: %s", request.method, request.path, exception)
    for conn in connections.all(initialized_only=True):
        try:
            conn.close_if_unusable_or_obsolete()
        except Exception:  # closing a dead connection can fail too; the next request reconnects
            logger.warning("could not close database connection %s", conn.alias, exc_info=True)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("The service is temporarily unavailable. Nothing was saved. Try again in a few minutes.")},
            status=503,
        )
    else:
        # No request context: the page must not query the database (no user, no session).
        response = HttpResponse(render_to_string("503.html"), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def server_error(request):
    """``handler500``: a database connection error anywhere in the request (a middleware
    included) gets the 503 answer; anything else Django's own 500 page (templates/500.html)."""
    found = database_error_in(sys.exc_info()[1])
    if found is not None:
        return database_unavailable(request, found)
    return defaults.server_error(request)
