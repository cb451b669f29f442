"""The session engine: Django's database sessions, except that a session update lost to a
dropped database connection does not turn a finished request into an error.

Sessions are saved on every request (``SESSION_SAVE_EVERY_REQUEST``, for the inactivity
timeout), after the view has run and its transaction has committed. When the connection drops
at that moment, Django raises ``SessionInterrupted`` and answers 400 "Bad request", or, through
``handler500``, our 503 "Nothing you entered was saved": both wrong, since the view's work is
saved. Here the lost update is logged and skipped; the response stands, and the next request
saves the session again. Creating a session (signing in, a new key) still fails loudly.
"""

import logging

from django.contrib.sessions.backends.base import UpdateError
from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore

from core.middleware import database_error_in

logger = logging.getLogger(__name__)


class SessionStore(DatabaseSessionStore):
    def save(self, must_create=False):
        if must_create or self.session_key is None:
            return super().save(must_create=must_create)
        try:
            return super().save(must_create=False)
        except UpdateError as error:
            lost = database_error_in(error)
            if lost is None:
                raise  # the session row is gone (signed out elsewhere): Django's own answer
            logger.warning("session update skipped, the database connection was lost: %s", lost)
