from django.core.management.base import BaseCommand

from guides.services import load_content


class Command(BaseCommand):
    help = "Add the shipped guides and any missing translations. Never changes existing texts."

    def handle(self, *args, **options):
        load_content(stdout=self.stdout)
