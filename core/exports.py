"""Spreadsheet exports: streamed, with spreadsheet formulae neutralised.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return would be
run as a formula by Excel or LibreOffice (CSV injection). We prefix such text with an
apostrophe. Numbers and dates are written as themselves.
"""

import csv
import datetime
import decimal
import tempfile

from django.http import FileResponse, StreamingHttpResponse
from django.utils.text import get_valid_filename

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "|", "%")


def neutralise(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float, decimal.Decimal, datetime.date, datetime.datetime)):
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            return value.replace(tzinfo=None)
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def csv_response(headers, rows, filename):
    """A streamed CSV download: memory stays flat however many rows there are."""
    writer = csv.writer(_Echo())

    def generate():
        yield "\ufeff"  # Excel reads UTF-8 correctly only with a byte-order mark
        yield writer.writerow([neutralise(h) for h in headers])
        for row in rows:
            yield writer.writerow([_csv_cell(neutralise(v)) for v in row])

    response = StreamingHttpResponse(generate(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{get_valid_filename(filename)}.csv"'
    return response


def _csv_cell(value):
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d/%m/%Y")
    return value


def write_xlsx(headers, rows, path, sheet_title="Export"):
    """Write rows to an XLSX file in openpyxl's write-only (streaming) mode."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title=sheet_title[:31])
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        c = WriteOnlyCell(ws, value=neutralise(str(h)))
        c.font = bold
        header_cells.append(c)
    ws.append(header_cells)
    for row in rows:
        out = []
        for v in row:
            v = neutralise(v)
            cell = WriteOnlyCell(ws, value=v)
            if isinstance(v, str) and v.startswith("'"):
                cell.data_type = "s"
            if isinstance(v, datetime.datetime):
                cell.number_format = "dd/mm/yyyy hh:mm"
            elif isinstance(v, datetime.date):
                cell.number_format = "dd/mm/yyyy"
            out.append(cell)
        ws.append(out)
    wb.save(path)


def xlsx_response(headers, rows, filename, sheet_title="Export"):
    tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")
    write_xlsx(headers, rows, tmp.name, sheet_title)
    tmp.seek(0)
    return FileResponse(
        tmp,
        as_attachment=True,
        filename=f"{get_valid_filename(filename)}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
