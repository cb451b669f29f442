from django.db import migrations


def reinstall(apps, schema_editor):
    # The school child-count ledger now keys a child with no school (one who belongs to the LA
    # directly) as school 0 instead of failing on NULL: put the triggers back with the new SQL
    # (idempotent). No existing row changes: until now every child had a school.
    from reports import summaries

    summaries.install_triggers(schema_editor)


class Migration(migrations.Migration):

    dependencies = [
        ('reports', '0005_move_connectivity'),
        ('allocations', '0006_child_school_optional'),
    ]

    operations = [
        migrations.RunPython(reinstall, migrations.RunPython.noop),
    ]
