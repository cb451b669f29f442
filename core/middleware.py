"""Turn a lost database into a clear "try again" page instead of a server error.

When the database connection drops or the server is unreachable mid-request, the view's
transaction has been rolled back (every service runs in ``transaction.atomic``), so nothing
from the request was saved. ``DatabaseUnavailableMiddleware`` answers such a request with a
503 page (our template, rendered without touching the database) that says exactly that, with a
``Retry-After`` header, and closes the broken connection so the next request opens a new one.
"""

import logging

from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

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
