"""Property-based tests of the operators' usage importer (``connectivity.usage.import_usage``).

Random bytes, random headers and random cells give a result (readings, row errors, unknown
SIMs) or ``UsageFileError``; when any row has an error nothing is written; valid rows for known
SIMs are written once, whatever the order of the file.
"""

import datetime
import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.imports.testing import csv_bytes, xlsx_bytes
from connectivity.models import UsageReading
from connectivity.tests.factories import SimFactory
from connectivity.usage import OPERATOR_MAPPINGS, UsageFileError, import_usage

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
HEADERS = ["ICCID", "MSISDN", "Usage (MB)", "Data Used (GB)", "Bytes", "Month", "Date", "Bill Period", "Notes"]

text_cell = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=25)
cell = st.one_of(
    st.none(),
    text_cell,
    st.sampled_from(["2026-03", "Mar 2026", "03/2026", "14/03/2026", "2026-02-30", "13/2026", "-5", "1e309", "nan", "1,234.5"]),
    st.integers(min_value=-(10**22), max_value=10**22),
    st.floats(allow_nan=True, allow_infinity=False),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(9999, 12, 31)),
)


@pytest.fixture
def sims(db):
    return [SimFactory() for _ in range(3)]


def run(data, filename, operator="generic", dry_run=False):
    before = UsageReading.objects.count()
    try:
        result = import_usage(io.BytesIO(data), operator=operator, filename=filename, dry_run=dry_run)
    except UsageFileError as exc:
        assert exc.message
        assert UsageReading.objects.count() == before
        return None
    if result.errors or dry_run:
        assert UsageReading.objects.count() == before
        for line in result.errors:
            assert line.startswith("row ")
    return result


@FUZZ
@given(st.binary(max_size=2048), st.sampled_from(["usage.csv", "usage.xlsx"]))
def test_random_bytes(db, data, filename):
    run(data, filename)


@FUZZ
@given(
    headers=st.lists(st.sampled_from(HEADERS), min_size=1, max_size=5, unique=True),
    rows=st.lists(st.lists(cell, min_size=5, max_size=5), min_size=0, max_size=10),
    operator=st.sampled_from(sorted(OPERATOR_MAPPINGS)),
    as_xlsx=st.booleans(),
)
def test_random_cells_under_real_headers(sims, headers, rows, operator, as_xlsx):
    known = [s.iccid for s in sims]
    rows = [[known[i % 3] if h == "ICCID" and i % 2 else v for h, v in zip(headers, row)] for i, row in enumerate(rows)]
    if as_xlsx:
        run(xlsx_bytes([headers, *rows]), "usage.xlsx", operator)
    else:
        run(csv_bytes([headers, *[["" if v is None else str(v) for v in r] for r in rows]]), "usage.csv", operator)


@FUZZ
@given(usage=st.lists(st.floats(min_value=0, max_value=10**6, allow_nan=False), min_size=3, max_size=3), order=st.permutations([0, 1, 2]))
def test_valid_file_writes_one_reading_per_sim_and_month(sims, usage, order):
    rows = [["ICCID", "Usage (MB)", "Month"]] + [[sims[i].iccid, f"{usage[i]:.3f}", "2026-03"] for i in order]
    result = run(csv_bytes(rows), "usage.csv", "vodafone")
    assert result is not None and not result.errors and result.written == 3
    assert UsageReading.objects.filter(sim__in=sims).count() == 3
    again = run(csv_bytes(rows), "usage.csv", "vodafone")
    assert again.written == 3 and UsageReading.objects.filter(sim__in=sims).count() == 3
