from django.apps import AppConfig


class ConnectivityConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "connectivity"
