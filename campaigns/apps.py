from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "campaigns"

    def ready(self):
        # The device list's "Add to a campaign" bulk action (devices.bulk's extension point).
        from campaigns import bulk

        bulk.register()
