"""Issue 15 findings 2 and 6 for imports: sheets wider than 500 columns are refused before any
mapping page is built; dates outside 1990-2100 and huge numbers are row errors."""

import io

import pytest

from core.imports import parsers
from core.imports.readers import ReadError, open_spreadsheet
from core.imports.testing import upload
from core.models import ImportJob


def test_a_sheet_100000_columns_wide_is_refused_with_a_clear_message(officer_client):
    data = (",".join(["Serial", "Kind"] + [f"c{i}" for i in range(100_000)]) + "\nA,laptop\n").encode()
    response = officer_client.post("/imports/new/?kind=delivery", {"file": upload(data, "wide.csv")})
    assert response.status_code == 200
    assert "100,002 columns; the most we read is 500" in response.content.decode()
    assert len(response.content) < 200_000
    assert not ImportJob.objects.exists()


def test_width_limit_in_the_reader():
    with pytest.raises(ReadError) as exc:
        open_spreadsheet(io.BytesIO((",".join(["serial"] * 501) + "\n").encode()), filename="w.csv", header_aliases={"serial"})
    assert exc.value.code == "too_many_columns"
    with open_spreadsheet(io.BytesIO((",".join(["serial"] * 500) + "\n1\n").encode()), filename="w.csv", header_aliases={"serial"}) as s:
        assert len(s.headers) == 500


@pytest.mark.parametrize("value", ["01/01/0001", "31/12/9999", "0001-01-01", 2958465, "1 Jan 1989", "01/01/2101"])
def test_dates_outside_1990_to_2100_are_row_errors(value):
    with pytest.raises(parsers.ParseError, match="between 01/01/1990 and 31/12/2100"):
        parsers.date(value)


def test_dates_inside_the_range_are_read():
    assert str(parsers.date("01/01/1990")) == "1990-01-01" and str(parsers.date("31/12/2100")) == "2100-12-31"


def test_huge_numbers_are_row_errors_not_crashes():
    with pytest.raises(parsers.ParseError):
        parsers.integer("9" * 400)
    with pytest.raises(parsers.ParseError):
        parsers.integer_max(1000)("1001")
    assert parsers.integer_max(1000)("1,000") == 1000
