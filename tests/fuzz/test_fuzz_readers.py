"""Property-based tests of the spreadsheet reader and the import engine.

Whatever bytes arrive, the reader either yields rows (each as long as the header) or raises
``ReadError`` with a message; the engine either returns a context (rows checked, errors as
``row N, column: message``) or raises ``ReadError``. Nothing else escapes, and a dry run writes
nothing.
"""

import datetime
import io
import zipfile

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from core.imports import engine
from core.imports.readers import ReadError, open_spreadsheet, sheet_names
from core.imports.registry import get_spec
from core.imports.testing import xlsx_bytes
from devices.models import Device

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
ALIASES = {"serial", "kind", "make", "imei", "deliverydate"}
ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"]

cell_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20)
xlsx_text = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20)  # XLSX cannot hold controls
cells = st.one_of(
    st.none(),
    xlsx_text,
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=False),
    st.booleans(),
    st.dates(min_value=datetime.date(1900, 3, 1), max_value=datetime.date(9999, 12, 31)),
)


def read_all(data, filename="upload.csv", aliases=ALIASES):
    """Every row of ``data``, or ReadError. Checks the reader's own promises on the way."""
    with open_spreadsheet(io.BytesIO(data), filename=filename, header_aliases=aliases) as sheet:
        headers = sheet.headers
        assert isinstance(headers, list) and sheet.header_row >= 1
        rows = []
        last = sheet.header_row
        for number, values in sheet.rows():
            assert number > last and len(values) == len(headers)
            last = number
            rows.append(values)
        return headers, rows


def assert_reads_or_refuses(data, filename="upload.csv"):
    try:
        read_all(data, filename)
    except ReadError as exc:
        assert exc.message and isinstance(exc.message, str)


@pytest.fixture(scope="module")
def good_xlsx():
    return xlsx_bytes(
        [["Kind", "Make", "Serial", "Delivery date"]] + [["laptop", "Dell", f"S-{i}", "01/02/2021"] for i in range(20)],
        title_rows=[["Delivery manifest"]],
    )


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(data):
    assert_reads_or_refuses(data)
    try:
        sheet_names(io.BytesIO(data), filename="upload.xlsx")
    except ReadError:
        pass


@FUZZ
@given(st.binary(max_size=2048))
def test_random_bytes_behind_a_zip_signature(data):
    assert_reads_or_refuses(b"PK\x03\x04" + data, "upload.xlsx")


@FUZZ
@given(
    rows=st.lists(st.lists(cell_text, min_size=1, max_size=6), min_size=1, max_size=12),
    encoding=st.sampled_from(ENCODINGS),
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
)
def test_random_csv_text_in_random_encodings(rows, encoding, delimiter, newline):
    text = newline.join(delimiter.join(row) for row in rows)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:
        data = text.encode(encoding, errors="replace")
    assume(data)
    assert_reads_or_refuses(data)


@FUZZ
@given(st.data())
def test_truncated_and_corrupted_xlsx(good_xlsx, data):
    cut = data.draw(st.integers(min_value=1, max_value=len(good_xlsx)))
    blob = bytearray(good_xlsx[:cut])
    for _ in range(data.draw(st.integers(min_value=0, max_value=4))):
        i = data.draw(st.integers(min_value=0, max_value=len(blob) - 1))
        blob[i] = data.draw(st.integers(min_value=0, max_value=255))
    assert_reads_or_refuses(bytes(blob), "manifest.xlsx")


@FUZZ
@given(st.data())
def test_xlsx_with_a_damaged_part(good_xlsx, data):
    """A well-formed zip whose worksheet or shared strings XML is cut short or replaced."""
    source = zipfile.ZipFile(io.BytesIO(good_xlsx))
    names = source.namelist()
    victim = data.draw(st.sampled_from([n for n in names if n.endswith(".xml")]))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            body = source.read(name)
            if name == victim:
                body = data.draw(st.one_of(st.just(body[: data.draw(st.integers(0, len(body)))]), st.binary(max_size=200)))
            target.writestr(name, body)
    assert_reads_or_refuses(out.getvalue(), "manifest.xlsx")


@FUZZ
@given(rows=st.lists(st.lists(cells, min_size=4, max_size=4), min_size=0, max_size=15))
def test_random_cells_through_the_delivery_dry_run(db, officer, rows):
    """Random cell values under real headers: the engine reports row errors, never crashes."""
    data = xlsx_bytes([["Kind", "Make", "Serial", "Delivery date"], *rows])
    before = Device.objects.count()
    try:
        ctx = engine.validate(get_spec("delivery"), io.BytesIO(data), local_authority=officer.local_authority, user=officer, filename="m.xlsx")
    except ReadError as exc:
        assert exc.message
    else:
        for e in ctx.errors:
            assert e["row"] >= 1 and e["message"]
        assert ctx.ok or ctx.error_lines()
    assert Device.objects.count() == before
