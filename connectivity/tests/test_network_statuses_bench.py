"""The network_statuses benchmark runs end to end at the tiny scale and leaves nothing behind."""

import io

from benchmarks import Result
from benchmarks.network_statuses import SCENARIOS, network_statuses
from connectivity.models import NetworkOperator, NetworkRequest, Sim


def test_network_statuses_tiny(db):
    assert network_statuses in SCENARIOS
    out = io.StringIO()
    result = network_statuses("tiny", out)
    assert isinstance(result, Result) and result.extra["rows"] == 300 and result.extra["suspended"] == 30
    assert result.ours_s > 0 and result.anchor_s > 0
    assert result.line().startswith("BENCH network_statuses ours_s=")
    assert not NetworkOperator.objects.filter(slug="bench-statuses").exists()
    assert not NetworkRequest.objects.exists() and not Sim.objects.exists()
