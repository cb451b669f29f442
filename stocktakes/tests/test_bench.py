"""The stocktakes benchmark scenario runs end to end at the tiny scale and cleans up."""

import io

import pytest
from django.core.management import call_command

from stocktakes.models import Stocktake


@pytest.mark.django_db
def test_stocktakes_bench_tiny():
    out = io.StringIO()
    call_command("bench", "--scale", "tiny", "--no-generate", "--only", "stocktakes", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if line.startswith("BENCH ")]
    assert len(lines) == 1 and lines[0].startswith("BENCH stocktakes ours_s=")
    assert " items=300 scans=200 found=150 " in lines[0]
    assert not Stocktake.objects.exists()
