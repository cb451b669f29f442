from django.apps import AppConfig


class TransfersConfig(AppConfig):
    name = "transfers"
    verbose_name = "Moves between councils"
    default_auto_field = "django.db.models.BigAutoField"
