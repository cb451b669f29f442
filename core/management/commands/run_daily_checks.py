"""The daily checks: each app with a ``daily_checks.py`` defining ``run(today, stdout)`` raises
its alerts (allowances, plans, licences, the horizon, SLAs). Every check is idempotent: an
alert is keyed by item and condition, so running twice raises nothing new."""

import datetime
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone


class Command(BaseCommand):
    help = "Raise allowance, licence, horizon and SLA alerts. Safe to run twice."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Run as if today were this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        today = timezone.localdate()
        if options["date"]:
            try:
                today = datetime.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError("--date must be YYYY-MM-DD") from None
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.daily_checks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.daily_checks":
                    raise
                continue
            module.run(today=today, stdout=self.stdout)
