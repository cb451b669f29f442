"""Helpers that build spreadsheets for tests and benchmarks."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile


def xlsx_bytes(rows, title_rows=(), sheet_title="Sheet1", extra_sheets=None):
    """An XLSX file (bytes) with optional title rows above ``rows`` (first row = header)."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title
    for r in title_rows:
        ws.append(list(r))
    for r in rows:
        ws.append(list(r))
    for name, more in (extra_sheets or {}).items():
        other = wb.create_sheet(name)
        for r in more:
            other.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def csv_bytes(rows, encoding="utf-8", delimiter=","):
    buf = io.StringIO()
    writer = csv.writer(buf, delimiter=delimiter)
    for r in rows:
        writer.writerow(["" if v is None else v for v in r])
    return buf.getvalue().encode(encoding)


def upload(data, name="file.xlsx"):
    return SimpleUploadedFile(name, data)
