"""The spreadsheet readers: formats, encodings, header detection and limits."""

import io
import zipfile

import pytest

from core.imports.readers import ReadError, open_spreadsheet, sheet_names
from core.imports.testing import csv_bytes, xlsx_bytes

ALIASES = {"serial", "imei", "make"}


@pytest.fixture(autouse=True, params=["calamine", "openpyxl"])
def xlsx_reader(request, settings):
    """Every test runs with both XLSX readers."""
    settings.IMPORT_XLSX_READER = request.param
    return request.param


def read(data, **kwargs):
    with open_spreadsheet(io.BytesIO(data), filename="f", header_aliases=kwargs.pop("aliases", ALIASES), **kwargs) as s:
        return s.headers, s.header_row, list(s.rows())


def test_xlsx_header_under_title_rows_and_row_numbers():
    data = xlsx_bytes([["Serial", " IMEI\u00a0", "Make"], ["A1", 1, "Dell"], [None, None, None], ["A2", None, "HP"]], title_rows=[["Delivery March 2026"], []])
    headers, header_row, rows = read(data)
    assert headers == ["Serial", "IMEI", "Make"]
    assert header_row == 3
    assert rows == [(4, ["A1", 1, "Dell"]), (6, ["A2", None, "HP"])]


@pytest.mark.parametrize(
    "raw",
    [
        "\ufeffSerial,Make\nA1,Łódź\n".encode("utf-8"),
        "Serial,Make\nA1,Łódź\n".encode("utf-8"),
        "Serial;Make\nA1;Łódź\n".encode("utf-8"),
        "Serial\tMake\nA1\tŁódź\n".encode("utf-8"),
    ],
)
def test_csv_encodings_and_delimiters(raw):
    headers, header_row, rows = read(raw)
    assert headers == ["Serial", "Make"] and rows == [(2, ["A1", "Łódź"])]


def test_csv_windows_1252():
    headers, _, rows = read("Serial,Make\nA1,Café £5\n".encode("cp1252"))
    assert rows == [(2, ["A1", "Café £5"])]


def test_csv_title_row_and_short_rows_padded():
    headers, header_row, rows = read(csv_bytes([["Manifest"], ["Serial", "Make", "IMEI"], ["A1"]]))
    assert header_row == 2 and rows == [(3, ["A1", None, None])]


def test_blank_rows_above_and_cells_offset_keep_spreadsheet_row_numbers():
    import datetime

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws["C3"], ws["D3"] = "Serial", "Make"
    ws["C4"], ws["D4"] = "A1", datetime.date(2020, 6, 3)
    ws["C6"], ws["D6"] = 12345, "HP"
    buf = io.BytesIO()
    wb.save(buf)
    headers, header_row, rows = read(buf.getvalue())
    assert headers[-2:] == ["Serial", "Make"] and header_row == 3
    assert [n for n, _ in rows] == [4, 6]
    assert rows[0][1][-2] == "A1" and str(rows[0][1][-1])[:10] == "2020-06-03"  # a date or a midnight datetime
    assert rows[1][1][-2:] == [12345, "HP"]


def test_sheet_names_and_choosing_a_sheet():
    data = xlsx_bytes([["x"]], sheet_title="Notes", extra_sheets={"Devices": [["Serial"], ["A9"]]})
    assert sheet_names(io.BytesIO(data)) == ["Notes", "Devices"]
    _, _, rows = read(data, sheet="Devices")
    assert rows == [(2, ["A9"])]
    with pytest.raises(ReadError, match="no sheet called"):
        read(data, sheet="Missing")


@pytest.mark.parametrize(
    "data,code",
    [
        (b"", "empty"),
        (b"%PDF-1.7 not a sheet", "not_spreadsheet"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "xls"),
        (b"PK\x03\x04 broken zip", "not_spreadsheet"),
        (b"\x00\x01\x02\x03" * 50, "not_spreadsheet"),
        (b"\n\n  \n", "empty"),
    ],
)
def test_refusals(data, code):
    with pytest.raises(ReadError) as exc:
        read(data)
    assert exc.value.code == code and exc.value.message


def test_zip_that_is_not_xlsx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ReadError) as exc:
        read(buf.getvalue())
    assert exc.value.code == "not_spreadsheet"


def test_no_known_header():
    with pytest.raises(ReadError) as exc:
        read(csv_bytes([["foo", "bar"], ["1", "2"]]))
    assert exc.value.code == "no_header"


def test_file_too_big(settings):
    settings.IMPORT_MAX_BYTES = 1000
    with pytest.raises(ReadError) as exc:
        read(csv_bytes([["Serial"]] + [["A%05d" % i] for i in range(500)]))
    assert exc.value.code == "too_big" and "largest file" in exc.value.message


def test_thirty_megabyte_file_refused_without_reading_it(tmp_path):
    path = tmp_path / "big.csv"
    with open(path, "wb") as f:
        f.write(b"Serial\n")
        f.seek(30 * 1024 * 1024)
        f.write(b"\n")
    with pytest.raises(ReadError) as exc:
        open_spreadsheet(path, header_aliases=ALIASES)
    assert exc.value.code == "too_big" and "30 MB" in exc.value.message


def test_too_many_rows(settings):
    settings.IMPORT_MAX_ROWS = 3
    with pytest.raises(ReadError) as exc:
        read(csv_bytes([["Serial"]] + [[f"A{i}"] for i in range(4)]))
    assert exc.value.code == "too_many_rows"
    assert len(read(csv_bytes([["Serial"]] + [[f"A{i}"] for i in range(3)]))[2]) == 3


def test_zip_bomb_by_ratio():
    data = xlsx_bytes([["Serial"], ["A1"]])
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
        dst.writestr("xl/media/padding.bin", b"\x00" * (20 * 1024 * 1024))
    with pytest.raises(ReadError) as exc:
        read(buf.getvalue())
    assert exc.value.code == "zip_bomb"


def test_zip_bomb_by_total_size(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 2000
    with pytest.raises(ReadError) as exc:
        read(xlsx_bytes([["Serial"]] + [[f"A{i}"] for i in range(200)]))
    assert exc.value.code == "zip_bomb"
