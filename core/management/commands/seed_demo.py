"""Demo data for every app: each app with a ``demo.py`` defining ``seed(stdout, style)`` adds
its part, in INSTALLED_APPS order (organisations and users first); then each ``seed_last``
(for data that needs every app's rows, e.g. connection plans of children). Safe to run twice."""

from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction


class Command(BaseCommand):
    help = "Create demo LAs, schools, users for every role, devices, children and tickets. Safe to run twice."

    def handle(self, *args, **options):
        last = []
        for config in apps.get_app_configs():
            try:
                module = import_module(f"{config.name}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.demo":
                    raise
                continue
            with transaction.atomic():
                module.seed(self.stdout, self.style)
            if hasattr(module, "seed_last"):
                last.append(module.seed_last)
        for seed_last in last:
            with transaction.atomic():
                seed_last(self.stdout, self.style)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
