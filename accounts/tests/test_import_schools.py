"""``manage.py import_schools``: the GIAS establishments extract, through the command."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from accounts.models import LocalAuthority, School
from accounts.services import import_gias_schools

SAMPLE = Path(settings.BASE_DIR) / "fixtures" / "gias_sample.csv"

pytestmark = pytest.mark.django_db


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_schools", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing(path):
    err = io.StringIO()
    with pytest.raises(CommandError) as excinfo:
        call_command("import_schools", str(path), stdout=io.StringIO(), stderr=err)
    return str(excinfo.value), err.getvalue()


def sample_rows():
    text = SAMPLE.read_bytes().decode("cp1252")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    return rows[0], rows[1:]


def write_csv(path, header, rows, encoding="cp1252", bom=False):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows([header, *rows])
    data = buffer.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def set_cell(header, row, column, value):
    row[header.index(column)] = value


def nothing_written():
    return not School.objects.exists() and not LocalAuthority.objects.exists()


def test_sample_is_a_realistic_windows_1252_gias_extract():
    data = SAMPLE.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # as downloaded from GIAS: Windows-1252, not UTF-8
    header, rows = sample_rows()
    assert len(header) >= 100
    assert {"GSSLACode (name)", "URN", "EstablishmentStatus (name)"} <= set(header)
    assert all(len(row) == len(header) for row in rows)


def test_sample_loads_las_and_schools():
    out, _ = run(SAMPLE)
    assert "created 12, updated 0, unchanged 0" in out
    assert "Local authorities: 3 new, 0 changed." in out

    camden = LocalAuthority.objects.get(code="202")
    assert (camden.name, camden.gss_code) == ("Camden", "E09000007")
    assert LocalAuthority.objects.get(code="204").gss_code == "E09000012"
    assert LocalAuthority.objects.get(code="306").name == "Croydon"

    saviours = School.objects.get(urn=990101)
    assert saviours.name == "St Saviour\u2019s Church of England Primary School"
    assert saviours.local_authority == camden
    assert (saviours.phase, saviours.type, saviours.postcode) == ("Primary", "Voluntary aided school", "W9 1ER")
    assert School.objects.get(urn=990102).name == "Caf\u00e9 Lane Nursery School"

    closed = School.objects.get(urn=990104)
    assert closed.status == School.Status.CLOSED
    assert closed.open_date == datetime.date(1900, 1, 1)
    assert closed.close_date == datetime.date(2019, 8, 31)

    closing = School.objects.get(urn=990105)
    assert closing.status == School.Status.OPEN  # "Open, but proposed to close" is still open
    assert closing.phase == ""  # GIAS "Not applicable" stored as blank
    assert closing.close_date == datetime.date(2027, 8, 31)
    assert School.objects.get(urn=990204).status == School.Status.PROPOSED
    assert School.objects.filter(status=School.Status.CLOSED).count() == 2


def test_second_run_changes_nothing():
    run(SAMPLE)
    history = School.history.count(), LocalAuthority.history.count()
    out, _ = run(SAMPLE)
    assert "created 0, updated 0, unchanged 12" in out
    assert "Local authorities" not in out
    assert (School.history.count(), LocalAuthority.history.count()) == history


@pytest.mark.parametrize("bom", [False, True])
def test_utf8_with_or_without_bom_reads_the_same(tmp_path, bom):
    header, rows = sample_rows()
    path = write_csv(tmp_path / "utf8.csv", header, rows, encoding="utf-8", bom=bom)
    out, _ = run(path)
    assert "created 12, updated 0, unchanged 0" in out
    assert School.objects.get(urn=990101).name == "St Saviour\u2019s Church of England Primary School"
    # And the Windows-1252 original is recognised as the same data.
    out, _ = run(SAMPLE)
    assert "created 0, updated 0, unchanged 12" in out


def test_changed_rows_are_updated_and_audited(tmp_path):
    run(SAMPLE)
    header, rows = sample_rows()
    set_cell(header, rows[0], "EstablishmentStatus (name)", "Closed")
    set_cell(header, rows[0], "CloseDate", "31-08-2026")
    for row in rows:
        if row[header.index("LA (code)")] == "202":
            set_cell(header, row, "LA (name)", "London Borough of Camden")
    out, _ = run(write_csv(tmp_path / "changed.csv", header, rows))
    assert "created 0, updated 1, unchanged 11" in out
    assert "Local authorities: 0 new, 1 changed." in out
    school = School.objects.get(urn=990101)
    assert (school.status, school.close_date) == (School.Status.CLOSED, datetime.date(2026, 8, 31))
    latest = school.history.first()
    assert latest.history_type == "~" and latest.history_change_reason == "GIAS import"
    assert LocalAuthority.objects.get(code="202").name == "London Borough of Camden"


def test_existing_la_is_reused_and_acting_user_is_recorded(la, users):
    import_gias_schools(data=SAMPLE.read_bytes(), by=users["admin"])
    assert LocalAuthority.objects.filter(code="202").count() == 1
    assert School.objects.filter(local_authority=la, urn__range=(990101, 990199)).count() == 5
    assert School.history.filter(urn=990101).get().history_user == users["admin"]


def test_dry_run_writes_nothing():
    out, _ = run(SAMPLE, "--dry-run")
    assert "Dry run: nothing was written." in out
    assert "created 12, updated 0, unchanged 0" in out
    assert nothing_written()


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "The file is empty."),
        (b"   \r\n", "The file is empty."),
        (b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00", "binary data"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary data"),
        (b'"URN","LA (code)"\r\n"1\x81\x8d","202"\r\n', "encoding cannot be read"),
        (b"Name,Date of birth,Year group\r\nAda,01/02/2015,Y3\r\n", 'missing column(s) "URN", "LA (code)"'),
    ],
    ids=["empty", "blank", "xlsx", "png", "undecodable", "other-csv"],
)
def test_not_a_gias_extract_exits_non_zero_and_writes_nothing(tmp_path, content, message):
    path = tmp_path / "upload.csv"
    path.write_bytes(content)
    summary, errors = run_failing(path)
    assert "nothing was written" in summary
    assert message in errors
    assert nothing_written()


def test_missing_required_column_is_named(tmp_path):
    header, rows = sample_rows()
    i = header.index("EstablishmentStatus (name)")
    header = header[:i] + header[i + 1 :]
    rows = [row[:i] + row[i + 1 :] for row in rows]
    _, errors = run_failing(write_csv(tmp_path / "trimmed.csv", header, rows))
    assert 'missing column(s) "EstablishmentStatus (name)"' in errors
    assert nothing_written()


def test_row_errors_name_row_and_column_and_nothing_is_written(tmp_path):
    header, rows = sample_rows()
    set_cell(header, rows[1], "OpenDate", "2020-09-01")  # row 3 in a spreadsheet
    set_cell(header, rows[2], "URN", "ABC")  # row 4
    set_cell(header, rows[3], "EstablishmentStatus (name)", "Mothballed")  # row 5
    set_cell(header, rows[4], "URN", rows[0][header.index("URN")])  # row 6 repeats row 2
    set_cell(header, rows[5], "LA (code)", "20")  # row 7
    set_cell(header, rows[6], "EstablishmentName", " ")  # row 8
    _, errors = run_failing(write_csv(tmp_path / "bad.csv", header, rows))
    lines = errors.splitlines()
    assert "row 3, OpenDate: 2020-09-01 is not a date in the form dd-mm-yyyy" in lines
    assert "row 4, URN: ABC is not a URN (a whole number)" in lines
    assert any(line.startswith("row 5, EstablishmentStatus (name): Mothballed is not a GIAS status") for line in lines)
    assert "row 6, URN: 990101 appears twice (also on row 2)" in lines
    assert "row 7, LA (code): 20 is not a three-digit LA code" in lines
    assert "row 8, EstablishmentName: blank" in lines
    assert nothing_written()


def test_a_bad_file_after_a_good_one_leaves_the_register_as_it_was(tmp_path):
    run(SAMPLE)
    before = list(School.objects.order_by("urn").values_list("urn", "name", "status"))
    header, rows = sample_rows()
    set_cell(header, rows[0], "EstablishmentName", "Renamed School")
    set_cell(header, rows[-1], "CloseDate", "31/31/2020")
    _, errors = run_failing(write_csv(tmp_path / "partly-bad.csv", header, rows))
    assert f"row {len(rows) + 1}, CloseDate: 31/31/2020 is not a date in the form dd-mm-yyyy" in errors
    assert list(School.objects.order_by("urn").values_list("urn", "name", "status")) == before


def test_overlong_value_and_short_row_are_errors_not_crashes(tmp_path):
    header, rows = sample_rows()
    set_cell(header, rows[0], "Postcode", "X" * 40)
    rows[1] = rows[1][:5]
    _, errors = run_failing(write_csv(tmp_path / "odd.csv", header, rows))
    assert "row 2, Postcode: longer than 10 characters" in errors
    assert "row 3, URN: the row has 5 columns but the header has 140" in errors
    assert nothing_written()


def test_missing_file_and_directory_are_clear_errors(tmp_path):
    summary, _ = run_failing(tmp_path / "nope.csv")
    assert "Cannot read" in summary
    summary, _ = run_failing(tmp_path)
    assert "is a directory" in summary
