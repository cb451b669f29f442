"""Read a CSV or XLSX file into a header row and numbered data rows.

The one reader every spreadsheet import uses (deliveries, allocations, usage, licences).
It refuses, with a message a council officer can act on, files that are too big, have too
many rows, are XLSX zip bombs, are not spreadsheets at all, or are empty.

API (small on purpose)::

    from core.imports.readers import open_spreadsheet, sheet_names, ReadError

    with open_spreadsheet(path_or_file, filename="manifest.xlsx",
                          header_aliases={"serial", "serial number", "imei"},
                          sheet=None) as sheet:
        sheet.headers      # ["Serial number", "IMEI", ...] (stripped text; "" for blank cells)
        sheet.header_row   # spreadsheet row number of the header (1 unless title rows above)
        sheet.preamble     # rows above the header (title rows), as lists of values
        sheet.sheet_name   # the worksheet read ("" for CSV)
        sheet.estimated_rows  # XLSX: rows below the header per the sheet's dimension; else None
        for row_number, values in sheet.rows():   # values: list, same length as headers
            ...

    sheet_names(path_or_file, filename="x.xlsx")  # ["Sheet1", ...]; [] for CSV

- ``path_or_file``: a filesystem path, or a binary file object that can seek (an upload).
- ``filename`` decides nothing by itself: the format is sniffed from the bytes (XLSX is a zip;
  anything else must decode as text). It is only used in messages.
- ``header_aliases``: header names the caller knows (compared by ``header_key``: ignoring
  case, accents, spaces and punctuation, and by ``headers.match_key``: abbreviations and word
  order ignored). The header row is the first
  of the top 30 rows that matches the most of them (at least one); so a title row or two
  above the header is skipped. Without aliases, the first non-blank row is the header.
- Row numbers are the ones the user sees in Excel or LibreOffice: the header row counts, and so
  do title rows and blank rows. Completely blank rows are skipped (but still counted).
- XLSX is read with python-calamine (Rust, about ten times faster than openpyxl) when it is
  installed and ``settings.IMPORT_XLSX_READER`` is ``"calamine"`` (the default), else with
  openpyxl in read-only mode (``IMPORT_XLSX_READER = "openpyxl"``). ``sheet_names`` uses
  openpyxl. Memory is bounded: calamine loads a whole sheet (about five times its XML), so a
  sheet whose XML is over ``IMPORT_CALAMINE_MAX_XML_BYTES`` (96 MB) is streamed with openpyxl,
  as is every ``headers_only`` read (the upload and mapping pages); shared strings, held by
  both readers, are capped at ``IMPORT_MAX_SHARED_STRINGS_BYTES`` (128 MB).
- Values: XLSX cells come as the reader gives them (str, int, float, date, datetime, bool);
  CSV cells are text. Text is stripped of spaces and non-breaking spaces; an empty cell is ``None``.
- CSV encodings: UTF-8 with or without a byte-order mark, UTF-16 with a BOM, otherwise
  Windows-1252. Delimiter: comma, semicolon, tab or pipe, sniffed from the first lines.
- Limits (Django settings, read at call time so tests can shrink them):
  ``IMPORT_MAX_BYTES`` (file size), ``IMPORT_MAX_COLUMNS`` (default 500, columns of the header row), ``IMPORT_MAX_ROWS`` (data rows, checked while iterating and,
  for XLSX, up front from the sheet's dimension), ``IMPORT_MAX_UNCOMPRESSED_BYTES`` (total
  uncompressed XLSX parts, default 1 GB) and ``IMPORT_MAX_ZIP_RATIO`` (default 200: a part
  that expands more than that is a zip bomb).
- Every refusal raises ``ReadError`` whose ``message`` is translated, user-facing text.
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import re
import unicodedata
import zipfile

from django.conf import settings
from django.utils.translation import gettext as _

__all__ = ["ReadError", "Spreadsheet", "open_spreadsheet", "sheet_names", "clean_text", "header_key"]

HEADER_SCAN_ROWS = 30
HEADER_READ_BYTES = 4 * 1024 * 1024  # of a CSV, when only its header row is wanted
_NBSP = "\u00a0\u2007\u202f\ufeff"


class ReadError(Exception):
    """A file we will not read; ``message`` says why in words the user can act on."""

    def __init__(self, message, code="invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


def clean_text(value):
    """Strip spaces and non-breaking spaces; empty text becomes ``None``."""
    if isinstance(value, str):
        value = value.strip(" \t\r\n" + _NBSP)
        return value or None
    return value


def header_key(text) -> str:
    """'Serial No.' -> 'serialno'; 'Téléphone' -> 'telephone': what header matching compares."""
    folded = unicodedata.normalize("NFKD", str(text or "").casefold())
    return re.sub(r"[^0-9a-z]", "", "".join(ch for ch in folded if not unicodedata.combining(ch)))


def _limit(name, default):
    return getattr(settings, name, default)


def _mb(n):
    return f"{n / (1024 * 1024):.0f} MB" if n >= 1024 * 1024 else f"{n} bytes"


# --------------------------------------------------------------------------- file access


def _open_binary(source):
    """Return (binary file object, close_when_done)."""
    if isinstance(source, (str, os.PathLike)):
        return open(source, "rb"), True
    if hasattr(source, "open") and getattr(source, "closed", False):
        source.open("rb")
    f = getattr(source, "file", source)  # Django File / UploadedFile -> underlying file
    f.seek(0)
    return f, False


def _size(f):
    pos = f.tell()
    f.seek(0, io.SEEK_END)
    size = f.tell()
    f.seek(pos)
    return size


def _check_size(f, filename):
    size = _size(f)
    max_bytes = _limit("IMPORT_MAX_BYTES", 20 * 1024 * 1024)
    if size == 0:
        raise ReadError(_("The file %(name)s is empty.") % {"name": filename}, "empty")
    if size > max_bytes:
        raise ReadError(
            _("The file %(name)s is %(size)s; the largest file we accept is %(max)s. Split it into smaller files.")
            % {"name": filename, "size": _mb(size), "max": _mb(max_bytes)},
            "too_big",
        )
    return size


def _sniff_kind(f, filename):
    f.seek(0)
    head = f.read(8)
    f.seek(0)
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ReadError(
            _("%(name)s is an old-style Excel (.xls) file. Open it in Excel and save it as .xlsx or .csv, then upload it again.")
            % {"name": filename},
            "xls",
        )
    if head.startswith((b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")):
        raise ReadError(_("%(name)s is not a spreadsheet. Upload an .xlsx or .csv file.") % {"name": filename}, "not_spreadsheet")
    return "csv"


def _not_spreadsheet(filename):
    return ReadError(_("%(name)s is not a spreadsheet. Upload an .xlsx or .csv file.") % {"name": filename}, "not_spreadsheet")


# --------------------------------------------------------------------------- XLSX


def _check_zip(f, filename):
    """Refuse zip bombs by the sizes the zip's own directory declares, before unpacking."""
    try:
        zf = zipfile.ZipFile(f)
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, NotImplementedError, EOFError):
        # NotImplementedError: a zip "version" or feature zipfile does not support.
        raise _not_spreadsheet(filename) from None
    names = {i.filename for i in infos}
    if "[Content_Types].xml" not in names or not any(n.startswith("xl/") for n in names):
        raise _not_spreadsheet(filename)
    max_total = _limit("IMPORT_MAX_UNCOMPRESSED_BYTES", 1024 * 1024 * 1024)
    max_ratio = _limit("IMPORT_MAX_ZIP_RATIO", 200)
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > max_ratio:
            raise ReadError(
                _("%(name)s would expand to far more data than it holds (a “zip bomb”), so we will not open it.") % {"name": filename},
                "zip_bomb",
            )
    if total > max_total:
        raise ReadError(
            _("%(name)s unpacks to %(size)s; the most we accept is %(max)s. Split it into smaller files.")
            % {"name": filename, "size": _mb(total), "max": _mb(max_total)},
            "zip_bomb",
        )
    # Shared strings are held in memory by every reader: bound them on their own.
    strings = sum(i.file_size for i in infos if i.filename.lower().endswith("sharedstrings.xml"))
    max_strings = _limit("IMPORT_MAX_SHARED_STRINGS_BYTES", 128 * 1024 * 1024)
    if strings > max_strings:
        raise ReadError(
            _("%(name)s holds %(size)s of text; the most we read is %(max)s. Split it into smaller files, or save it as CSV.")
            % {"name": filename, "size": _mb(strings), "max": _mb(max_strings)},
            "too_big",
        )
    f.seek(0)
    return max((i.file_size for i in infos if i.filename.lower().startswith("xl/worksheets/")), default=0)


def _fits_in_memory(sheet_bytes):
    """Whether calamine may load a sheet whole: it holds about five times the sheet's XML in
    memory (a 600 MB sheet took 3 GB), so bigger sheets are streamed with openpyxl instead
    (slower, but memory stays flat)."""
    return sheet_bytes <= _limit("IMPORT_CALAMINE_MAX_XML_BYTES", 96 * 1024 * 1024)


def _sheet_size_from_its_start(self):
    """``ReadOnlyWorksheet._get_size`` reading only the start of the sheet.

    openpyxl looks for the ``<dimension>`` element with "end" events and stops at the end of
    ``<sheetData>``; a sheet written without ``<dimension>`` (Excel always writes one; a crafted
    or unusual file need not) was therefore parsed whole just to open it: a 17 MB sheet took
    4 s of CPU in the upload request before its header row was read, a 600 MB one minutes.
    "start" events see ``<dimension>`` (it precedes the data) and ``<sheetData>`` as soon as
    they begin, so opening costs the same for every file. The result is openpyxl's own."""
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    src = self._get_source()
    try:
        for _event, element in iterparse(src, events=("start",)):
            if element.tag == DIMENSION_TAG:
                dimensions = SheetDimension.from_tree(element).boundaries
                if dimensions is not None:
                    self._min_column, self._min_row, self._max_column, self._max_row = dimensions
                return
            if element.tag == DATA_TAG:
                return  # no dimension given
    finally:
        src.close()


def _load_workbook(f, filename):
    import openpyxl
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    ReadOnlyWorksheet._get_size = _sheet_size_from_its_start
    _check_zip(f, filename)
    try:
        return openpyxl.load_workbook(f, read_only=True, data_only=True, keep_links=False)
    except Exception:  # openpyxl raises many kinds on malformed parts
        raise _not_spreadsheet(filename) from None


def _xlsx_rows(ws):
    """(row_number, list_of_values) for every row, numbered as the spreadsheet shows them."""
    expected = 1
    for cells in ws.iter_rows():
        number = None
        values = []
        for cell in cells:
            if number is None:
                number = getattr(cell, "row", None)
            values.append(getattr(cell, "value", None))
        if number is None:
            number = expected
        expected = number + 1
        yield number, values


def _use_calamine():
    if _limit("IMPORT_XLSX_READER", "calamine") != "calamine":
        return False
    try:
        import python_calamine  # noqa: F401
    except ImportError:
        return False
    return True


def _open_calamine(f, filename, sheet, header_aliases, owned):
    """XLSX through calamine (Rust): ~10x faster than openpyxl; the whole sheet is held in
    memory, which the zip-size checks above bound."""
    import python_calamine

    _check_zip(f, filename)
    try:
        wb = python_calamine.CalamineWorkbook.from_filelike(f)
        names = list(wb.sheet_names)
    except Exception:  # CalamineError, ZipError, XmlError, PasswordError...
        raise _not_spreadsheet(filename) from None
    finally:
        if owned:
            f.close()
    if not names:
        raise ReadError(_("The file %(name)s has no worksheets.") % {"name": filename}, "empty")
    if sheet and sheet not in names:
        raise ReadError(
            _("%(name)s has no sheet called “%(sheet)s”. Its sheets are: %(sheets)s.") % {"name": filename, "sheet": sheet, "sheets": ", ".join(names)},
            "no_sheet",
        )
    chosen = sheet or names[0]
    try:
        ws = wb.get_sheet_by_name(chosen)
        declared = ws.end[0] + 1 if ws.end else None
        rows = ws.iter_rows()
    except Exception:
        wb.close()
        raise _not_spreadsheet(filename) from None

    # calamine yields every row from the sheet's first row (row 1), blank ones included.
    numbered = enumerate(rows, start=1)

    try:
        return Spreadsheet(numbered, filename=filename, sheet_name=chosen, sheet_names=names, header_aliases=header_aliases, closer=wb.close, declared_rows=declared)
    except ReadError:
        wb.close()
        raise
    except Exception:
        wb.close()
        raise _not_spreadsheet(filename) from None


# --------------------------------------------------------------------------- CSV


def _decode(data, filename):
    if data.startswith(codecs.BOM_UTF8):
        text = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace")
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise _not_spreadsheet(filename)
    return text


def _sniff_dialect(text):
    sample = text[:65536]
    last_nl = sample.rfind("\n")
    if last_nl > 0:
        sample = sample[:last_nl]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        return csv.excel


def _csv_rows(text):
    reader = csv.reader(io.StringIO(text, newline=""), _sniff_dialect(text))
    number = 0
    try:
        for values in reader:
            number += 1
            yield number, values
    except csv.Error as exc:
        raise ReadError(_("Row %(row)s could not be read as CSV: %(error)s") % {"row": number + 1, "error": exc}, "csv") from None


# --------------------------------------------------------------------------- the sheet


def _normalise_header(value):
    text = clean_text(value)
    if text is None:
        return ""
    return " ".join(str(text).replace("\n", " ").split())


def _is_blank(values):
    return all(v is None or (isinstance(v, str) and clean_text(v) is None) for v in values)


class Spreadsheet:
    """One worksheet (or CSV) opened for reading: ``headers``, ``header_row``, ``rows()``."""

    def __init__(self, row_iter, *, filename, sheet_name="", sheet_names=(), header_aliases=None, closer=None, declared_rows=None):
        self.filename = filename
        self.sheet_name = sheet_name
        self.sheet_names = list(sheet_names)
        self._closer = closer
        self._iter = row_iter
        self.max_rows = _limit("IMPORT_MAX_ROWS", 200_000)
        self._find_header(header_aliases)
        #: rows below the header as the sheet declares them (XLSX only; blank rows included), or None
        self.estimated_rows = max(0, declared_rows - self.header_row) if declared_rows else None
        if declared_rows is not None and declared_rows - self.header_row > self.max_rows * 2 + 1000:
            # The sheet's own dimension says it is hugely over the limit: refuse up front.
            # (Dimensions can overstate, e.g. formatted blank rows, hence the slack.)
            self._too_many()

    # -- header

    def _find_header(self, aliases):
        from core.imports.headers import match_key

        names = list(aliases or ())
        aliases = {header_key(a) for a in names} - {""}
        matches = {match_key(a) for a in names} - {""}
        scanned = []
        for number, values in self._iter:
            scanned.append((number, values))
            if len(scanned) >= HEADER_SCAN_ROWS:
                break
        best = None
        max_columns = _limit("IMPORT_MAX_COLUMNS", 500)
        for i, (number, values) in enumerate(scanned):
            if _is_blank(values):
                continue
            if not aliases:
                best = (1, i)
                break
            score = sum(1 for v in values[:max_columns] if v is not None and (header_key(v) in aliases or match_key(v) in matches))
            if score and (best is None or score > best[0]):
                best = (score, i)
        if best is None:
            if not any(not _is_blank(v) for _, v in scanned):
                raise ReadError(_("The file %(name)s has no rows.") % {"name": self.filename}, "empty")
            raise ReadError(
                _("We could not find the header row in %(name)s: none of the first %(n)s rows has a column name we know.")
                % {"name": self.filename, "n": HEADER_SCAN_ROWS},
                "no_header",
            )
        i = best[1]
        self.header_row, raw = scanned[i]
        self.preamble = [values for _, values in scanned[:i]]
        while raw and _normalise_header(raw[-1]) == "":
            raw = list(raw[:-1])
        if len(raw) > max_columns:
            # A sheet thousands of columns wide would make a mapping page of millions of choices.
            raise ReadError(
                _("%(name)s has %(n)s columns; the most we read is %(max)s. Delete the columns you do not need and upload it again.")
                % {"name": self.filename, "n": f"{len(raw):,}", "max": max_columns},
                "too_many_columns",
            )
        self.headers = [_normalise_header(v) for v in raw]
        self._buffered = scanned[i + 1 :]

    # -- rows

    def _too_many(self):
        raise ReadError(
            _("%(name)s has more than %(max)s rows. Split it into smaller files.") % {"name": self.filename, "max": f"{self.max_rows:,}"},
            "too_many_rows",
        )

    def rows(self):
        """Yield ``(row_number, values)`` for each non-blank data row; values padded to the headers."""
        width = len(self.headers)
        count = 0

        try:
            strip_chars = " \t\r\n" + _NBSP
            for number, values in itertools.chain(self._buffered, self._iter):
                # clean_text inlined: this loop runs once per row of files of a million rows.
                values = [(v.strip(strip_chars) or None) if v.__class__ is str else v for v in values]
                if values.count(None) == len(values):
                    continue  # blank row
                count += 1
                if count > self.max_rows:
                    self._too_many()
                if len(values) > width:
                    del values[width:]
                elif len(values) < width:
                    values.extend([None] * (width - len(values)))
                yield number, values
        except ReadError:
            raise
        except Exception:  # a malformed part discovered while streaming the sheet
            raise _not_spreadsheet(self.filename) from None

    def blocks(self, size):
        """``rows()`` a block at a time, as columns: yield ``(row numbers, columns)`` for up to
        ``size`` non-blank data rows, ``columns`` one sequence per header, cleaned exactly as
        ``rows()`` cleans each cell. Cleaning a column strips each distinct text once (most
        columns repeat a few values), so no Python code runs per cell."""
        width = len(self.headers)
        count = 0
        strip_chars = " \t\r\n" + _NBSP
        rows = itertools.chain(self._buffered, self._iter)
        try:
            while True:
                block = list(itertools.islice(rows, size))
                if not block:
                    return
                numbers = [number for number, _values in block]
                columns = list(itertools.zip_longest(*[values for _number, values in block]))
                extra = columns[width:]  # cells right of the last heading: they only make a row non-blank
                del columns[width:]
                if len(columns) < width:
                    columns.extend([(None,) * len(block)] * (width - len(columns)))
                for i, column in enumerate(columns):
                    texts = {v for v in set(column) if v.__class__ is str}
                    if texts:
                        cleaned = {v: v.strip(strip_chars) or None for v in texts}
                        if any(v is not c for v, c in cleaned.items()):
                            columns[i] = list(map(cleaned.get, column, column))
                # Blank rows (every cell empty) are skipped, as ``rows()`` skips them.
                blank = [j for j, v in enumerate(columns[0]) if v is None] if columns else list(range(len(block)))
                for column in columns[1:]:
                    if not blank:
                        break
                    blank = [j for j in blank if column[j] is None]
                for column in extra:
                    if not blank:
                        break
                    blank = [j for j in blank if column[j] is None or (column[j].__class__ is str and not column[j].strip(strip_chars))]
                if blank:
                    keep = sorted(set(range(len(block))) - set(blank))
                    numbers = [numbers[j] for j in keep]
                    columns = [[column[j] for j in keep] for column in columns]
                    if not numbers:
                        continue
                if count + len(numbers) > self.max_rows:
                    self._too_many()
                count += len(numbers)
                yield numbers, columns
        except ReadError:
            raise
        except Exception:  # a malformed part discovered while streaming the sheet
            raise _not_spreadsheet(self.filename) from None

    # -- lifecycle

    def close(self):
        if self._closer:
            self._closer()
            self._closer = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False


def open_spreadsheet(source, *, filename=None, sheet=None, header_aliases=None, headers_only=False):
    """Open ``source`` (path or binary file) and find its header row. Raises ``ReadError``.

    ``headers_only``: the caller reads ``headers``/``header_row`` and not ``rows()``; an XLSX
    is then streamed with openpyxl (only the first rows are parsed) instead of calamine, which
    loads the whole sheet."""
    filename = filename or os.path.basename(str(getattr(source, "name", source) or "")) or _("the file")
    f, owned = _open_binary(source)
    try:
        _check_size(f, filename)
        kind = _sniff_kind(f, filename)
        if kind == "xlsx" and _use_calamine() and not headers_only and _fits_in_memory(_check_zip(f, filename)):
            return _open_calamine(f, filename, sheet, header_aliases, owned)
        if kind == "xlsx":
            wb = _load_workbook(f, filename)
            names = wb.sheetnames
            if not names:
                raise ReadError(_("The file %(name)s has no worksheets.") % {"name": filename}, "empty")
            if sheet and sheet not in names:
                raise ReadError(
                    _("%(name)s has no sheet called “%(sheet)s”. Its sheets are: %(sheets)s.")
                    % {"name": filename, "sheet": sheet, "sheets": ", ".join(names)},
                    "no_sheet",
                )
            ws = wb[sheet or names[0]]
            declared = None
            try:
                declared = ws.max_row if ws.max_row and ws.max_row > 1 else None
            except Exception:  # a sheet with no (or a broken) dimension element
                declared = None

            def closer():
                wb.close()
                if owned:
                    f.close()

            try:
                return Spreadsheet(
                    _xlsx_rows(ws), filename=filename, sheet_name=ws.title, sheet_names=names, header_aliases=header_aliases, closer=closer, declared_rows=declared
                )
            except ReadError:
                wb.close()
                raise
            except Exception:
                wb.close()
                raise _not_spreadsheet(filename) from None
        if headers_only:
            # The header is in the first rows: read a few MB, up to the last whole line.
            data = f.read(HEADER_READ_BYTES)
            if f.read(1):
                data = data[: data.rfind(b"\n") + 1] or data
        else:
            data = f.read()
        if owned:
            f.close()
        text = _decode(data, filename)
        del data
        # Rows by line count: "about" (quoted cells may hold line breaks), for the progress page.
        return Spreadsheet(_csv_rows(text), filename=filename, header_aliases=header_aliases, declared_rows=text.count("\n") + (not text.endswith("\n")))
    except BaseException:
        if owned and not f.closed:
            f.close()
        raise


def sheet_names(source, *, filename=None):
    """Names of the worksheets in an XLSX file, in order; ``[]`` for a CSV."""
    filename = filename or _("the file")
    f, owned = _open_binary(source)
    try:
        _check_size(f, filename)
        if _sniff_kind(f, filename) != "xlsx":
            return []
        wb = _load_workbook(f, filename)
        try:
            return list(wb.sheetnames)
        finally:
            wb.close()
    finally:
        if owned:
            f.close()
