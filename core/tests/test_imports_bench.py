"""The import_100k benchmark scenario runs end to end at the tiny scale."""

import io

from benchmarks import Result
from benchmarks.imports import SCENARIOS, import_100k


def test_import_scenario_tiny(db):
    assert import_100k in SCENARIOS
    out = io.StringIO()
    result = import_100k("tiny", out)
    assert isinstance(result, Result) and result.name == "import_100k"
    assert result.extra["rows"] == 300 and result.extra["created"] == 300
    assert result.ours_s > 0 and result.anchor_s > 0 and result.extra["floor_s"] > 0 and result.extra["peak_mb"] > 0
    assert result.line().startswith("BENCH import_100k ours_s=")
    assert "floor" in out.getvalue()
