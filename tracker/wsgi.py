"""WSGI entry point (gunicorn ``tracker.wsgi``).

The URL configuration, and with it every view module, is loaded here rather than by the first
request each worker serves; with ``gunicorn --preload`` (docs/operations.md) that work is done
once, before the workers are forked. No database connection is opened here.
"""

import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")

application = get_wsgi_application()
get_resolver().url_patterns  # noqa: B018 (imports the views now)
