from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = 'django.db.models.BigAutoField'
    name = 'reports'

    def ready(self):
        from django.db.models.signals import post_migrate, pre_migrate

        from reports import summaries

        # SQLite only: the summary triggers are taken off while migrations run and put back
        # after (reports/summaries.py explains why). Derived data, not a business rule.
        pre_migrate.connect(summaries.before_migrate, sender=self)
        post_migrate.connect(summaries.after_migrate, sender=self)
