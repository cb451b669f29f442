"""The data_gap_by_plan benchmark scenario runs end to end at the tiny scale."""

import io

import pytest
from django.core.management import call_command

from connectivity.models import ConnectionPlan


@pytest.mark.django_db
def test_data_gap_by_plan_bench_tiny():
    out = io.StringIO()
    call_command("bench", "--scale", "tiny", "--only", "data_gap_by_plan", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("BENCH ")]
    assert len(lines) == 1 and lines[0].startswith("BENCH data_gap_by_plan ours_s=")
    assert " ratio=" in lines[0] and " anchor=measured" in lines[0]
    assert not ConnectionPlan.objects.filter(notes="bench-plan").exists()
