from django.db import migrations, models

# The allowance evidence (reports.figures.allowance_evidence) reads an LA's monthly readings
# from indexes alone: its SIMs from ``sim_la_id`` and their readings from the unique index of
# ``one_reading_per_sim_period``, which on PostgreSQL also carries ``mb_used`` (INCLUDE). The
# constraint keeps its name and key columns, so Django's state and the import's ``ON CONFLICT
# (sim_id, period, granularity)`` are unchanged; SQLite keeps the plain constraint.

_TABLE, _NAME = "devices_usagereading", "one_reading_per_sim_period"


def _include(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE {_TABLE} DROP CONSTRAINT {_NAME}, "
        f"ADD CONSTRAINT {_NAME} UNIQUE (sim_id, period, granularity) INCLUDE (mb_used)"
    )


def _plain(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE {_TABLE} DROP CONSTRAINT {_NAME}, ADD CONSTRAINT {_NAME} UNIQUE (sim_id, period, granularity)")


class Migration(migrations.Migration):

    dependencies = [
        ("devices", "0008_alert_kind_job_overdue"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="sim",
            index=models.Index(fields=["local_authority", "id"], name="sim_la_id"),
        ),
        migrations.RunPython(_include, _plain),
    ]
