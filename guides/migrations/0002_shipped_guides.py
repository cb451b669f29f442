"""The shipped guides and their texts in every family language (guides/content/).

Adds only what is missing (guides by slug, texts by guide and language), so it is safe on a
database that already has guides and never overwrites a text staff have edited. After adding a
language or new content later, run ``manage.py load_guides`` to add the missing texts."""

from django.db import migrations


def load(apps, schema_editor):
    from guides.services import load_content

    load_content(guide_model=apps.get_model("guides", "Guide"), text_model=apps.get_model("guides", "GuideText"))


class Migration(migrations.Migration):
    dependencies = [("guides", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
