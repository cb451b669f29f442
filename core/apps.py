from django.apps import AppConfig


class CoreConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'core'

    def ready(self):
        # Registers the project's date columns with django-tables2's column library, so that
        # tables get them for date fields they do not declare (core/tables.py).
        from core import tables  # noqa: F401
