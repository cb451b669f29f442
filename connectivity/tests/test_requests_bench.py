"""The bulk_raise benchmark scenario runs end to end at the tiny scale and leaves nothing behind."""

import io

from benchmarks import Result
from benchmarks.network_requests import SCENARIOS, bulk_raise
from connectivity.models import NetworkRequest, Sim


def test_bulk_raise_scenario_tiny(db):
    assert bulk_raise in SCENARIOS
    result = bulk_raise("tiny", io.StringIO())
    assert isinstance(result, Result) and result.extra == {"sims": 200, "raised": 200, "raised_one_by_one": 200}
    assert result.ours_s > 0 and result.anchor_s > 0 and result.line().startswith("BENCH bulk_raise ours_s=")
    assert not NetworkRequest.objects.exists() and not Sim.objects.exists()
