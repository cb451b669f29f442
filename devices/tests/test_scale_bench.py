"""Synthetic data and the benchmark command, at a tiny scale."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from connectivity.models import DataPlan, Sim, UsageReading
from devices.models import Device, Licence


@pytest.mark.django_db
def test_generate_scale_data_is_realistic_and_tops_up():
    out = io.StringIO()
    call_command("generate_scale_data", devices=90, stdout=out)
    assert Device.objects.count() == 90
    routers = Device.objects.filter(kind="router").count()
    assert 15 <= routers <= 45  # about a third
    assert Sim.objects.count() == routers == Sim.objects.filter(device__kind="router").count()
    assert DataPlan.objects.count() >= 30
    assert Licence.objects.exists() and UsageReading.objects.filter(granularity="month").exists()
    assert Device.objects.values("local_authority").distinct().count() == 33
    assert Device.objects.filter(local_authority__code="202").exists()
    call_command("generate_scale_data", devices=90, stdout=out)
    assert Device.objects.count() == 90
    call_command("generate_scale_data", devices=120, stdout=out)
    assert Device.objects.count() == 120
    # The cover columns kept by the triggers match the licences, plans and allocations written.
    from devices.cover import refresh_child_flags, refresh_cover

    assert refresh_cover() == 0 and refresh_child_flags() == 0
    # New rows continue after the generated ids: an ordinary save still works.
    Device.objects.create(kind="laptop", serial="AFTER-BENCH", local_authority=Device.objects.first().local_authority)


@pytest.mark.django_db
def test_bench_tiny_prints_bench_lines_and_json(tmp_path, settings):
    settings.TWO_FACTOR_REQUIRED = True  # as in production: the page scenarios must still get 200s
    out = io.StringIO()
    report = tmp_path / "bench.json"
    call_command("bench", "--scale", "tiny", "--only", "device_list,usage_ingest,cliff_edge,device_labels", "--json", str(report), stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("BENCH ")]
    assert [line.split()[1] for line in lines] == ["device_list", "usage_ingest", "cliff_edge", "device_labels"]
    for line in lines:
        assert " ours_s=" in line and " anchor_s=" in line and " ratio=" in line
    data = json.loads(report.read_text())
    assert data["scale"] == "tiny" and [r["name"] for r in data["results"]] == ["device_list", "usage_ingest", "cliff_edge", "device_labels"]
    device_list = data["results"][0]["extra"]
    assert device_list["queries_25"] == device_list["queries_200"]  # fixed whatever the page size


@pytest.mark.django_db
def test_bench_unknown_scenario():
    with pytest.raises(CommandError, match="Unknown scenario"):
        call_command("bench", "--scale", "tiny", "--no-generate", "--only", "nope", stdout=io.StringIO())


# --- idle SIMs and check-ins


@pytest.mark.django_db
def test_bench_idle_sims_tiny():
    out = io.StringIO()
    call_command("bench", "--scale", "tiny", "--only", "idle_sims", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if line.startswith("BENCH idle_sims"))
    assert " ratio=" in line and "same_answer_on_sample=True" in line and "anchor=naive_" in line
    assert UsageReading.objects.filter(mb_used=0).count() < UsageReading.objects.count()  # rolled back
