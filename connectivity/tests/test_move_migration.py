"""The move of SIMs, networks, plans and usage from ``devices`` to ``connectivity`` keeps every
row: a database migrated to the last state before the move, with rows in every moved table,
is migrated forward and the same rows are read through the new app's models, with their
history and the foreign keys other apps hold (alerts, operator API tokens)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("devices", "0009_sim_la_index_reading_include"), ("reports", "0004_school_summary_tables"), ("accounts", "0002_school_successor")]


def _executor():
    return MigrationExecutor(connection)


@pytest.mark.django_db(transaction=True)
def test_moving_the_models_keeps_every_row():
    executor = _executor()
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    la = old.get_model("accounts", "LocalAuthority").objects.create(code="990", name="Moveshire")
    network = old.get_model("devices", "NetworkOperator").objects.create(name="Movenet", slug="movenet")
    device = old.get_model("devices", "Device").objects.create(kind="router", serial="MOVE-1", local_authority=la)
    sim = old.get_model("devices", "Sim").objects.create(
        iccid="8944100000000009990", msisdn="+447700900990", network=network, device=device, local_authority=la
    )
    old.get_model("devices", "HistoricalSim").objects.create(
        id=sim.pk, iccid=sim.iccid, local_authority_id=la.pk, status="active", history_date=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
        history_type="+", created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc),
    )
    old.get_model("devices", "DataPlan").objects.create(sim=sim, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 6, 30))
    old.get_model("devices", "UsageReading").objects.create(sim=sim, period=datetime.date(2026, 2, 1), mb_used=512.0)
    old.get_model("devices", "Alert").objects.create(key="move:test", kind="plan_ending", local_authority=la, sim=sim, message="m")
    old.get_model("reports", "ApiToken").objects.create(name="Movenet feed", kind="operator", network_operator=network, prefix="move", token_hash="x" * 64)

    executor = _executor()
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    from connectivity.models import DataPlan, NetworkOperator, Sim, UsageReading
    from devices.models import Alert
    from reports.models import ApiToken

    moved = Sim.objects.select_related("network", "device").get(iccid="8944100000000009990")
    assert (moved.pk, moved.network.slug, moved.device.serial) == (sim.pk, "movenet", "MOVE-1")
    assert moved.history.count() == 1
    assert DataPlan.objects.get(sim=moved).end == datetime.date(2026, 6, 30)
    assert UsageReading.objects.get(sim=moved).mb_used == 512.0
    assert Alert.objects.get(key="move:test").sim == moved
    assert ApiToken.objects.get(name="Movenet feed").network_operator == NetworkOperator.objects.get(slug="movenet")
    assert moved.get_absolute_url() == f"/devices/{device.pk}/"
