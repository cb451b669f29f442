"""The set-wise checks (``check_block``) and the column-wise reader (``Spreadsheet.blocks``)
report exactly what the row-by-row ones report, in the dry run and in a commit that reuses the
dry run's rows, and a commit still finds what changed in the database since the dry run."""

import datetime
import io

import pytest

from accounts.tests.factories import SchoolFactory
from allocations.imports import SPEC, AllocationSpec
from allocations.models import Allocation, Child
from core.imports import engine
from core.imports.readers import ReadError, Spreadsheet
from core.imports.testing import xlsx_bytes
from devices.tests.factories import DeviceFactory

HEADER = ["URN", "Child ref", "Forename", "Year", "Laptop serial", "Phone", "Date handed over", "Handed over by"]


class RowByRow(AllocationSpec):
    """The allocations spec without its set-wise checks: every row through ``check``."""

    def check_block(self, ctx, numbers, columns):
        return None


ROW_BY_ROW = RowByRow()


@pytest.fixture
def small_blocks(monkeypatch):
    monkeypatch.setattr(engine, "BLOCK_ROWS", 4)  # many blocks, some clean, some not


@pytest.fixture
def laptops(la):
    return [DeviceFactory(serial=f"LAP-{i}", local_authority=la, status="delivered", delivered_on="2025-01-10") for i in range(1, 5)]


def plain(school, n, start=0):
    return [[school.urn, f"P-{i}", "Ana", "Y7", None, f"07700 9{i:05d}", None, None] for i in range(start, start + n)]


def mixed_rows(school):
    """Blocks of four: clean plain rows, rows with devices and handovers, and each kind of
    row error a set-wise check could miss (unknown school, repeated reference within a block
    and across blocks, repeated or unknown device, dates without devices and the reverse)."""
    return [
        HEADER,
        *plain(school, 4),
        [school.urn, "D-1", "Abdi", "R", "LAP-1", None, "02/03/2025", "Ms Jones"],
        [school.urn, "D-2", "Sara", "10", "LAP-2", None, None, None],
        [school.urn, "D-3", "Jan", "9", "LAP-1", None, None, None],  # the same laptop again
        [school.urn, "D-4", "Ioana", "3", "NOPE-9", None, None, None],  # no such device
        *plain(school, 4, start=4),
        [999999, "E-1", "Ana", "Y7", None, None, None, None],  # no such school in the LA
        [school.urn, "E-2", "Ana", "Year 99", None, None, None, None],  # a cell error
        [school.urn, "P-1", "Ana", "Y7", None, None, None, None],  # a reference from an earlier block
        [school.urn, "E-3", "Ana", "Y7", None, None, "01/01/2025", None],  # a date without a device
        [school.urn, "E-4", "Ana", "Y7", None, None, None, "Mr Smith"],  # by whom, without a date
        [school.urn, "E-5", "Ana", "Y7", None, None, None, None],
        [school.urn, "E-5", "Ana", "Y7", None, None, None, None],  # repeated within the block
        *plain(school, 5, start=8),
    ]


def validate(spec, la, data, **kwargs):
    return engine.validate(spec, io.BytesIO(data), local_authority=la, filename="a.xlsx", **kwargs)


def commit(spec, la, user, data, path):
    try:
        return engine.commit(spec, io.BytesIO(data), local_authority=la, user=user, filename="a.xlsx", prepared=path)
    except engine.ImportRejected as exc:
        return exc.ctx


def test_set_wise_checks_report_what_row_by_row_checks_report(la, school, laptops, small_blocks):
    data = xlsx_bytes(mixed_rows(school))
    ours, reference = validate(SPEC, la, data), validate(ROW_BY_ROW, la, data)
    assert ours.error_lines() == reference.error_lines()
    assert ours.counts == reference.counts
    assert [e["row"] for e in ours.errors] == [8, 9, 14, 15, 16, 17, 18, 20]
    assert "row 16, Child ref: This child is also on row 3." in ours.error_lines()
    assert "row 20, Child ref: This child is also on row 19." in ours.error_lines()
    assert "row 8, Laptop serial: This device is also on row 6." in ours.error_lines()


@pytest.mark.parametrize("blocks", [4, 5000])
def test_reused_commit_set_wise_writes_what_row_by_row_writes(la, school, laptops, officer, tmp_path, monkeypatch, blocks):
    monkeypatch.setattr(engine, "BLOCK_ROWS", blocks)
    rows = [HEADER, *plain(school, 6), [school.urn, "D-1", "Abdi", "R", "LAP-1", None, "02/03/2025", "Ms Jones"], *plain(school, 5, start=6)]
    rows.append([school.urn, "D-2", "Sara", "10", "LAP-2", None, None, None])
    data = xlsx_bytes(rows)
    results = []
    for spec in (SPEC, ROW_BY_ROW):
        path = tmp_path / f"{type(spec).__name__}.prepared"
        assert validate(spec, la, data, prepared=path).ok
        ctx = commit(spec, la, officer, data, path)
        assert ctx.ok and ctx.reused
        written = (
            sorted(Child.objects.values_list("reference", "first_name", "year_group", "guardian_phone", "school_id")),
            sorted(Allocation.objects.values_list("child__reference", "device__serial", "status", "handed_over_on", "handed_over_by")),
            Child.history.filter(history_type="+").count(),
        )
        results.append((dict(ctx.counts), written))
        Allocation.history.all().delete()
        Allocation.objects.all().delete()
        Child.objects.all().delete()
        Child.history.all().delete()
        for d in laptops:
            d.refresh_from_db()
            d.status, d.school = "delivered", None
            d.save()
    assert results[0] == results[1]
    counts, (children, allocations, history) = results[0]
    assert counts["children_create"] == 13 and counts["allocations_create"] == 2 and counts["handovers"] == 1
    assert len(children) == 13 and history == 13
    assert ("D-1", "LAP-1", "handed_over", datetime.date(2025, 3, 2), "Ms Jones") in allocations


def test_school_deleted_since_the_dry_run_is_an_error_on_each_of_its_rows(la, school, officer, tmp_path, small_blocks):
    other = SchoolFactory(local_authority=la)
    rows = [HEADER, *plain(school, 5), *[[other.urn, f"O-{i}", "Ana", "Y7", None, None, None, None] for i in range(3)], *plain(school, 3, start=5)]
    data = xlsx_bytes(rows)
    path = tmp_path / "a.prepared"
    assert validate(SPEC, la, data, prepared=path).ok
    other.delete()
    ctx = commit(SPEC, la, officer, data, path)
    assert ctx.reused and not ctx.ok
    assert ctx.error_lines() == [f"row {n}, URN: No school with URN {other.urn} belongs to your council." for n in (7, 8, 9)]
    assert ctx.error_lines() == validate(SPEC, la, data).error_lines()  # what a fresh dry run now says
    assert not Child.objects.exists()


def test_child_added_by_another_import_since_the_dry_run_is_updated_not_duplicated(la, school, officer, tmp_path, small_blocks):
    data = xlsx_bytes([HEADER, *plain(school, 10)])
    path = tmp_path / "a.prepared"
    dry = validate(SPEC, la, data, prepared=path)
    assert dry.ok and dry.counts["children_create"] == 10
    # Another import (or the child form) created P-7 in the meantime.
    taken = Child.objects.create(local_authority=la, school=school, reference="P-7", first_name="Old", year_group="2")
    ctx = commit(SPEC, la, officer, data, path)
    assert ctx.ok and ctx.reused
    assert (ctx.counts["children_create"], ctx.counts["children_update"]) == (9, 1)
    assert Child.objects.filter(local_authority=la).count() == 10
    taken.refresh_from_db()
    assert (taken.first_name, taken.year_group, taken.guardian_phone) == ("Ana", "7", "+447700900007")


def test_device_allocated_or_lost_since_the_dry_run_is_found_among_plain_rows(la, school, officer, laptops, tmp_path, small_blocks):
    rows = [HEADER, *plain(school, 6), [school.urn, "D-1", "Abdi", "R", "LAP-1", None, None, None], *plain(school, 3, start=6)]
    rows.append([school.urn, "D-2", "Sara", "10", "LAP-2", None, "02/03/2025", None])
    data = xlsx_bytes(rows)
    path = tmp_path / "a.prepared"
    assert validate(SPEC, la, data, prepared=path).ok
    holder = Child.objects.create(local_authority=la, school=school, reference="ELSEWHERE")
    Allocation.objects.create(child=holder, device=laptops[0], status="planned", planned_on="2025-02-01")
    laptops[1].status = "lost"
    laptops[1].save()
    ctx = commit(SPEC, la, officer, data, path)
    assert ctx.reused
    assert ctx.error_lines() == [
        "row 8, Laptop serial: This device is already allocated to child ELSEWHERE.",
        "row 12, Laptop serial: This device's status is “lost”; only delivered, in-stock or returned devices can be allocated.",
    ]
    assert Child.objects.filter(local_authority=la).count() == 1  # nothing written


# --------------------------------------------------------------------------- the reader


READER_ROWS = [
    ["Benchmark (title)"],
    ["URN", "Child ref", "Name", "Year"],
    [100001, " C-1 ", "Ana\u00a0", "Y7"],
    [None, None, None, None],  # blank
    ["  ", "\u00a0", "\t", None],  # blank once trimmed
    [None, None, None, None, "right of the headings"],  # not blank
    [100001, "C-2"],  # short
    [100001.0, "C-3", "Jan", 7, "extra", "more"],  # long
    [True, datetime.datetime(2025, 1, 2), 1, 1.0],
    ["", "", "", ""],  # blank
    [None, None, None, "   x  "],
    [1, True, 1.0, "1"],
]


def sheet(rows, **kwargs):
    return Spreadsheet(iter(list(enumerate(rows, start=1))), filename="a.xlsx", header_aliases=["URN", "Child ref"], **kwargs)


@pytest.mark.parametrize("size", [1, 2, 3, 5000])
def test_blocks_are_rows_column_by_column(size):
    expected = [(n, list(values)) for n, values in sheet(READER_ROWS).rows()]
    got = []
    for numbers, columns in sheet(READER_ROWS).blocks(size):
        assert len(columns) == 4 and all(len(c) == len(numbers) for c in columns)
        got.extend((n, [c[j] for c in columns]) for j, n in enumerate(numbers))
    assert got == expected
    assert [type(v) for v in got[-1][1]] == [int, bool, float, str]  # equal values of other types kept apart
    assert [n for n, _v in got] == [3, 6, 7, 8, 9, 11, 12]


def test_blocks_refuse_too_many_rows_as_rows_does(settings):
    settings.IMPORT_MAX_ROWS = 3
    with pytest.raises(ReadError):
        list(sheet(READER_ROWS).rows())
    with pytest.raises(ReadError):
        list(sheet(READER_ROWS).blocks(2))


def test_only_rows_with_a_device_or_a_handover_are_checked_one_by_one(la, school, laptops, small_blocks):
    calls = []

    class Counting(AllocationSpec):
        def check(self, ctx, row):
            calls.append(row.number)
            super().check(ctx, row)

    rows = [HEADER, *plain(school, 9), [school.urn, "D-1", "Abdi", "R", "LAP-1", None, None, None], *plain(school, 9, start=9)]
    rows.append([school.urn, "D-2", "Sara", "10", None, None, None, "Ms Jones"])
    ctx = validate(Counting(), la, xlsx_bytes(rows))
    assert calls == [11, 21]
    assert ctx.error_lines() == ["row 21, Handed over by: Give the date it was handed over too, or leave this blank."]
    assert ctx.counts["children_create"] == 19
    calls.clear()
    rows.insert(3, [school.urn, "P-0", "Ana", "Y7", None, None, None, None])  # a repeat: its block row by row
    validate(Counting(), la, xlsx_bytes(rows))
    assert calls == [2, 3, 4, 5, 12, 22]


def test_ids_are_taken_from_the_sequence_once_each(la, school):
    from django.db import connection

    from core.imports.copy import next_ids

    if connection.vendor != "postgresql":
        pytest.skip("sequences are PostgreSQL's here")
    before = Child.objects.create(local_authority=la, school=school, reference="BEFORE").pk
    ids = next_ids(connection, Child._meta.db_table, "id", 500)
    after = Child.objects.create(local_authority=la, school=school, reference="AFTER").pk
    assert len(set(ids)) == 500 and before < min(ids) and max(ids) < after
