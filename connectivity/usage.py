"""Data usage files from network operators: read, validate, upsert ``UsageReading`` rows.

Operators' files differ. Each operator has a mapping of header aliases (``OPERATOR_MAPPINGS``);
every mapping also accepts the common aliases, so a file laid out like another operator's
still reads. A file needs a SIM column (ICCID or mobile number), a usage column and a period
column:

* SIM: ``ICCID`` / ``SIM Number`` (19-20 digits, Luhn-checked) or ``MSISDN`` /
  ``Mobile Number`` (any UK mobile format, matched in E.164). When both are present the ICCID
  is used.
* Usage: the unit comes from the header: ``Usage (MB)`` in megabytes, ``Data Used (GB)`` in
  gigabytes (x 1024, as a plan's 3 GB is 3,072 MB), ``Usage (KB)`` in kilobytes, ``Bytes``
  in bytes (/ 1024 / 1024). Stored as MB.
* Period: a month (``2026-03``, ``Mar 2026``, ``March 2026``, ``03/2026``) gives a monthly
  reading for that month. A full date (``14/03/2026``, ``2026-03-14``, a date cell) gives a daily
  reading, except in a column headed ``Month`` / ``Bill Period`` where a date cell (Excel
  often stores "Mar 2026" as 1 March) means that month.

Guarantees: every cell is validated and every problem reported as ``row N, column: message``
(N as the spreadsheet shows it); if any row has an error nothing is written. Rows for SIMs we
do not know (or, on the web, SIMs outside the officer's LA) are listed with their row numbers,
not dropped silently, and not written. There is one reading per SIM, period and granularity:
re-importing a file replaces the readings (an upsert), never adds to them; the same SIM and
period twice in one file is an error.

Speed: one pass over the rows, SIM lookup by chunked ``IN`` queries into one dict, and the
upsert as ``INSERT ... ON CONFLICT DO UPDATE`` in batches (PostgreSQL: ``COPY`` into a
temporary table then one upsert; SQLite: ``executemany``). No model instance per row.
"""

import datetime
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from core.imports.engine import format_error
from core.imports.readers import ReadError, header_key, open_spreadsheet
from connectivity.models import NetworkOperator, Sim, UsageReading
from devices.validators import normalise_uk_mobile

MB = 1.0
UNIT_FACTORS = {"mb": MB, "gb": 1024.0, "kb": 1 / 1024, "bytes": 1 / (1024 * 1024)}

COMMON_ALIASES = {
    "iccid": ["ICCID", "SIM Number", "SIM", "SIM Serial", "SIM ICCID"],
    "msisdn": ["MSISDN", "Mobile Number", "Phone Number", "Mobile", "Number"],
    "usage_mb": ["Usage (MB)", "Data Used (MB)", "Data (MB)", "MB", "MB Used", "Usage MB"],
    "usage_gb": ["Data Used (GB)", "Usage (GB)", "Data (GB)", "GB", "GB Used"],
    "usage_kb": ["Usage (KB)", "Data Used (KB)", "KB"],
    "usage_bytes": ["Bytes", "Data (Bytes)", "Usage (Bytes)", "Bytes Used"],
    "month": ["Month", "Bill Period", "Billing Period", "Period", "Billing Month"],
    "date": ["Date", "Usage Date", "Day"],
}

#: Operator -> its own header names, on top of ``COMMON_ALIASES``.
OPERATOR_MAPPINGS = {
    "ee": {"iccid": ["SIM Number"], "msisdn": ["Mobile Number"], "usage_gb": ["Data Used (GB)"], "month": ["Bill Period"]},
    "vodafone": {"iccid": ["ICCID"], "msisdn": ["MSISDN"], "usage_mb": ["Usage (MB)"], "month": ["Month"]},
    "o2": {"iccid": ["SIM Serial Number"], "msisdn": ["Connection Number"], "usage_mb": ["Total Data (MB)"], "month": ["Invoice Month"]},
    "three": {"iccid": ["ICCID"], "msisdn": ["MSISDN"], "usage_bytes": ["Bytes", "Total Bytes"], "date": ["Date"]},
    "generic": {},
}

MAX_UNKNOWN_LISTED = 1000


@dataclass
class UsageImportResult:
    """What an import did (or would do): counts, row errors, unknown SIMs."""

    operator: str
    rows: int = 0
    written: int = 0
    errors: list = field(default_factory=list)
    unknown: list = field(default_factory=list)  # (row number, identifier as given)
    unknown_count: int = 0
    periods: set = field(default_factory=set)
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors


class UsageFileError(Exception):
    """The file as a whole cannot be imported (unreadable, or a required column is missing)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def operator_choices():
    """``[(key, label)]`` for the known operator mappings."""
    names = dict(NetworkOperator.objects.values_list("slug", "name"))
    return [(key, names.get(key, key.capitalize() if key != "generic" else _("Other (common column names)"))) for key in OPERATOR_MAPPINGS]


def resolve_operator(name):
    """The mapping key for an operator given by slug or name (``EE``, ``vodafone``...)."""
    key = header_key(name)
    if key in OPERATOR_MAPPINGS:
        return key
    for slug, op_name in NetworkOperator.objects.values_list("slug", "name"):
        if header_key(op_name) == key or header_key(slug) == key:
            return slug if slug in OPERATOR_MAPPINGS else "generic"
    raise UsageFileError(
        _("We do not know the operator “%(name)s”. Known operators: %(known)s.") % {"name": name, "known": ", ".join(OPERATOR_MAPPINGS)}
    )


def aliases_for(operator):
    mapping = {k: list(v) for k, v in COMMON_ALIASES.items()}
    for column, names in OPERATOR_MAPPINGS[operator].items():
        mapping[column] = names + mapping[column]
    return mapping


def _locate_columns(headers, operator):
    """``{logical column: index}`` for the file's headers; raises if a required one is missing."""
    keys = [header_key(h) for h in headers]
    found = {}
    for column, names in aliases_for(operator).items():
        for name in names:
            k = header_key(name)
            if k in keys:
                found[column] = keys.index(k)
                break
    usage = [c for c in ("usage_mb", "usage_gb", "usage_kb", "usage_bytes") if c in found]
    missing = []
    if "iccid" not in found and "msisdn" not in found:
        missing.append(_("a SIM column (ICCID or Mobile Number)"))
    if not usage:
        missing.append(_("a usage column (Usage (MB), Data Used (GB) or Bytes)"))
    if "month" not in found and "date" not in found:
        missing.append(_("a period column (Month, Bill Period or Date)"))
    if missing:
        raise UsageFileError(
            _("The file is missing %(missing)s. Its columns are: %(headers)s.")
            % {"missing": "; ".join(missing), "headers": ", ".join(h for h in headers if h) or _("none")}
        )
    return found, usage[0]


_MONTH_NAMES = {
    name: i + 1
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"), ("jul", "july"),
         ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december")]
    )
    for name in names
}
_YM = re.compile(r"^(\d{4})[-/.](\d{1,2})$")
_MY = re.compile(r"^(\d{1,2})[-/.](\d{4})$")
_WORD_MY = re.compile(r"^([A-Za-z]+)\.?[\s\-/,]*(\d{2}|\d{4})$")
_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
_YMD = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+)?$")


def _year(text):
    n = int(text)
    return 2000 + n if len(text) == 2 else n


def _month(year, month):
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ValueError
    return datetime.date(year, month, 1)


def parse_period(value, month_column):
    """``(period, granularity)`` from a cell; raises ``ValueError`` with a user message."""
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        if month_column:
            return value.replace(day=1), UsageReading.Granularity.MONTH
        return value, UsageReading.Granularity.DAY
    text = str(value).strip()
    try:
        m = _YM.match(text)
        if m:
            return _month(int(m.group(1)), int(m.group(2))), UsageReading.Granularity.MONTH
        m = _MY.match(text)
        if m:
            return _month(int(m.group(2)), int(m.group(1))), UsageReading.Granularity.MONTH
        m = _WORD_MY.match(text)
        if m and m.group(1).lower() in _MONTH_NAMES:
            return _month(_year(m.group(2)), _MONTH_NAMES[m.group(1).lower()]), UsageReading.Granularity.MONTH
        m = _DMY.match(text)
        if m:
            day = datetime.date(_year(m.group(3)), int(m.group(2)), int(m.group(1)))
        else:
            m = _YMD.match(text)
            if not m:
                raise ValueError
            day = datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a month or date we can read. Use a month like 2026-03, Mar 2026 or 03/2026, or a date like 14/03/2026.")
            % {"value": text[:30]}
        ) from None
    if not 2000 <= day.year <= 2100:
        raise ValueError(_("The year %(year)s is out of range.") % {"year": day.year})
    if month_column:
        return day.replace(day=1), UsageReading.Granularity.MONTH
    return day, UsageReading.Granularity.DAY


#: The most data one reading may record, in MB (10 TB): the one bound for files and the API.
MAX_MB = 10_000_000


def parse_usage(value, factor):
    """MB from a usage cell in the column's unit, at most ``MAX_MB``; raises ``ValueError``
    with a user message."""
    mb = _parse_usage(value, factor)
    if mb > MAX_MB:
        raise ValueError(_("%(mb)s MB is more than one SIM can use: the most we record is %(max)s MB.") % {"mb": f"{mb:,.0f}"[:40], "max": f"{MAX_MB:,}"})
    return mb


def _parse_usage(value, factor):
    if value.__class__ is str:
        # The common case (CSV): a plain number. Anything else takes the careful path below.
        try:
            number = float(value)
        except ValueError:
            pass
        else:
            if 0 <= number < float("inf"):
                return round(number * factor, 3)
    if isinstance(value, bool):
        raise ValueError(_("This is not a number."))
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).replace(",", "").strip()
        try:
            number = float(text)
        except ValueError:
            raise ValueError(_("“%(value)s” is not a number.") % {"value": text[:30]}) from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError(_("This is not a number."))
    if number < 0:
        raise ValueError(_("Usage cannot be negative."))
    return round(number * factor, 3)


# Luhn: each digit in a doubled position replaced by the digit sum of its double.
_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")


def _luhn(digits):
    """``luhn_ok`` for a string of ASCII digits, several times faster (a million rows per file)."""
    raw = digits.encode("ascii")
    plain = raw[-1::-2]
    doubled = raw[-2::-2].translate(_DOUBLED)
    return (sum(plain) + sum(doubled) - 48 * len(raw)) % 10 == 0


def _iccid_key(value):
    if isinstance(value, float):
        # Excel keeps 15 significant digits: a 19-20 digit ICCID stored as a number is damaged.
        raise ValueError(_("This ICCID was saved as a number, so Excel has changed its last digits. Format the column as text and copy the ICCIDs in again."))
    digits = str(value)
    if not digits.isdigit():
        digits = re.sub(r"[\s\-]", "", digits)
    if not digits.isascii() or not digits.isdigit() or not 19 <= len(digits) <= 20:
        raise ValueError(_("An ICCID has 19 or 20 digits; this has %(n)s characters.") % {"n": len(digits)})
    # The check digit is verified after the SIM lookup, only for ICCIDs that match no SIM: a
    # SIM's stored ICCID passed the same check when it was recorded (Sim.iccid's validator).
    return digits


class RowError(str):
    """One row error: the text ``row N, column: message`` (as every import words it), which
    the command and the API print, carrying ``row``, ``column`` and ``message`` for the import
    pages (``connectivity.usage_imports``)."""

    def __new__(cls, row, column, message):
        text = super().__new__(cls, format_error({"row": row, "column": column, "message": message}))
        text.row, text.column, text.message = row, column, str(message)
        return text

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


def _row_error(row, column, message):
    """``row N, column: message``, worded as every import words it."""
    return RowError(row, column, message)


def _iccid_check_digit_error():
    return _("This ICCID's check digit is wrong: check for a mistyped digit.")


def _msisdn_key(value):
    from django.core.exceptions import ValidationError

    try:
        return normalise_uk_mobile(value)
    except ValidationError as exc:
        raise ValueError(exc.messages[0]) from None


def _lookup(sims, column, keys):
    """``{key: sim id}`` for the keys that match a SIM in ``sims``.

    PostgreSQL: one query with the keys as one array parameter (``= ANY``), the scope as a
    subquery. Elsewhere: chunked ``IN`` queries.
    """
    found = {}
    keys = list(keys)
    if connection.vendor == "postgresql":
        try:
            scope_sql, scope_params = sims.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:  # an empty scope (``none()``): nothing can match
            return {}
        table = Sim._meta.db_table
        with connection.cursor() as cursor:
            # The keys as one comma-joined text (ICCIDs and E.164 numbers hold no commas):
            # adapting a Python list of 700,000 strings as an array parameter took seconds.
            cursor.execute(
                f"SELECT s.{column}, s.id FROM {table} s WHERE s.{column} = ANY(string_to_array(%s, ',')) AND s.id IN ({scope_sql})",
                [",".join(keys), *scope_params],
            )
            return dict(cursor.fetchall())
    for i in range(0, len(keys), 5000):
        found.update(sims.filter(**{f"{column}__in": keys[i : i + 5000]}).values_list(column, "id"))
    return found


def import_usage(source, *, operator, filename=None, sims=None, dry_run=False, max_rows=None, max_bytes=None, progress=None):
    """Read an operator's usage file and upsert its readings; returns ``UsageImportResult``.

    ``sims``: the SIMs this import may touch (the web passes ``Sim.objects.visible_to(user)``);
    rows for any other SIM are reported as unknown. ``dry_run`` validates and counts without
    writing. ``max_rows`` / ``max_bytes`` raise the reader's limits (the command line allows
    bigger files than the web). ``progress(rows_read, total=None)``, when given, is called as
    the rows are read (the import pages' progress). Raises ``UsageFileError`` when the file
    cannot be read at all. Writes nothing unless every row is valid.
    """
    operator = resolve_operator(operator)
    sims = Sim.objects.all() if sims is None else sims
    result = UsageImportResult(operator=operator, dry_run=dry_run)
    aliases = [name for names in aliases_for(operator).values() for name in names]
    limits = {}
    if max_rows:
        limits["IMPORT_MAX_ROWS"] = max_rows
    if max_bytes:
        limits["IMPORT_MAX_BYTES"] = max_bytes
    with override_settings(**limits):
        try:
            with open_spreadsheet(source, filename=filename, header_aliases=aliases) as sheet:
                parsed = _parse_rows(sheet, operator, result, progress)
        except ReadError as exc:
            raise UsageFileError(exc.message) from None
    if result.errors:
        return result
    if result.rows == 0:
        raise UsageFileError(_("There are no rows under the header row."))
    by_iccid, by_msisdn, rows, iccid_header = parsed
    iccids = _lookup(sims, "iccid", by_iccid) if by_iccid else {}
    msisdns = _lookup(sims, "msisdn", by_msisdn) if by_msisdn else {}
    readings = {}  # (sim id, (period, granularity)) -> (MB, row number)
    for row_number, kind, key, period_key, mb in rows:
        sim_id = (iccids if kind == "iccid" else msisdns).get(key)
        if sim_id is None:
            if kind == "iccid" and not _luhn(key):
                result.errors.append(_row_error(row_number, iccid_header, _iccid_check_digit_error()))
                continue
            result.unknown_count += 1
            if len(result.unknown) < MAX_UNKNOWN_LISTED:
                result.unknown.append((row_number, key))
            continue
        slot = (sim_id, period_key)
        first = readings.get(slot)
        if first is not None:
            result.errors.append(
                _row_error(row_number, _("SIM"), _("this SIM and period are already on row %(first)s; give each SIM one reading per period.") % {"first": first[1]})
            )
            continue
        readings[slot] = (mb, row_number)
    if result.errors:
        return result
    if not dry_run:
        _upsert(readings, source_label=operator)
    result.written = len(readings)
    return result


PROGRESS_EVERY = 5000


def _parse_rows(sheet, operator, result, progress=None):
    columns, usage_column = _locate_columns(sheet.headers, operator)
    factor = UNIT_FACTORS[usage_column.split("_", 1)[1]]
    usage_i = columns[usage_column]
    iccid_i = columns.get("iccid")
    msisdn_i = columns.get("msisdn")
    month_column = "month" in columns
    period_i = columns["month"] if month_column else columns["date"]
    headers = sheet.headers
    period_cache = {}
    iccid_cache = {}
    by_iccid, by_msisdn, rows = set(), set(), []
    errors = result.errors
    luhn_message = _iccid_check_digit_error()

    def error(index, message, row_number):
        errors.append(_row_error(row_number, headers[index], message))

    if progress and sheet.estimated_rows:
        progress(0, sheet.estimated_rows)
    for row_number, values in sheet.rows():
        result.rows += 1
        if progress and result.rows % PROGRESS_EVERY == 0:
            progress(result.rows)
        row_ok = True
        row_errors_start = len(errors)
        key = kind = None
        raw_iccid = values[iccid_i] if iccid_i is not None else None
        if raw_iccid is not None:
            # A daily file repeats each SIM once a day: check each ICCID once.
            key = iccid_cache.get(raw_iccid) if isinstance(raw_iccid, str) else None
            if key is not None:
                kind = "iccid"
            else:
                try:
                    key, kind = _iccid_key(raw_iccid), "iccid"
                    if isinstance(raw_iccid, str):
                        iccid_cache[raw_iccid] = key
                except ValueError as exc:
                    error(iccid_i, str(exc), row_number)
                    row_ok = False
        elif msisdn_i is not None and values[msisdn_i] is not None:
            try:
                key, kind = _msisdn_key(values[msisdn_i]), "msisdn"
            except ValueError as exc:
                error(msisdn_i, str(exc), row_number)
                row_ok = False
        else:
            error(iccid_i if iccid_i is not None else msisdn_i, _("Give the SIM's ICCID or mobile number."), row_number)
            row_ok = False
        raw_period = values[period_i]
        if raw_period is None:
            error(period_i, _("Give the month or date of this usage."), row_number)
            row_ok = False
        else:
            cache_key = raw_period if not isinstance(raw_period, float) else str(raw_period)
            parsed = period_cache.get(cache_key)
            if parsed is None:
                try:
                    parsed = parse_period(raw_period, month_column)
                except ValueError as exc:
                    error(period_i, str(exc), row_number)
                    row_ok = False
                else:
                    period_cache[cache_key] = parsed
        raw_usage = values[usage_i]
        if raw_usage is None:
            error(usage_i, _("Give the data used."), row_number)
            row_ok = False
        else:
            try:
                mb = parse_usage(raw_usage, factor)
            except ValueError as exc:
                error(usage_i, str(exc), row_number)
                row_ok = False
        if kind == "iccid" and (errors or not row_ok) and not _luhn(key):
            # A file with errors is reported in full now (rows before the first error: below).
            errors.insert(row_errors_start, _row_error(row_number, headers[iccid_i], luhn_message))
            row_ok = False
        if row_ok and not errors:
            (by_iccid if kind == "iccid" else by_msisdn).add(key)
            rows.append((row_number, kind, key, parsed, mb))
    if errors and rows:
        # Rows read before the first error had their check digits deferred: check them now, so
        # that every problem in the file is reported at once.
        early = [
            _row_error(number, headers[iccid_i], luhn_message) for number, kind, key, *_rest in rows if kind == "iccid" and not _luhn(key)
        ]
        errors[:0] = early
    result.periods = set(period_cache.values())
    return by_iccid, by_msisdn, rows, headers[iccid_i] if iccid_i is not None else None


UPSERT_BATCH = 5000


@transaction.atomic
def _upsert(readings, *, source_label):
    """Insert or replace readings keyed by (sim, period, granularity), all in one transaction."""
    now = timezone.now()
    table = UsageReading._meta.db_table
    columns = "sim_id, period, granularity, mb_used, source, imported_at"
    # A reading sent again unchanged is left alone (operators resend overlapping files): no new
    # row version, and its imported_at stays the time that value first arrived.
    distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    conflict = (
        "ON CONFLICT (sim_id, period, granularity) DO UPDATE SET mb_used = EXCLUDED.mb_used, source = EXCLUDED.source, "
        f"imported_at = EXCLUDED.imported_at WHERE {table}.mb_used {distinct} EXCLUDED.mb_used "
        f"OR {table}.source {distinct} EXCLUDED.source"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Dropped explicitly too: inside an outer transaction (tests, a caller's atomic
            # block) ON COMMIT DROP would leave it for the next import on this connection.
            cursor.execute("DROP TABLE IF EXISTS usage_import")
            cursor.execute(
                "CREATE TEMPORARY TABLE usage_import (sim_id bigint, period date, granularity varchar(5), mb_used double precision) ON COMMIT DROP"
            )
            with cursor.cursor.copy("COPY usage_import (sim_id, period, granularity, mb_used) FROM STDIN") as copy:
                # COPY text format written in blocks (values are ids, dates, fixed words and
                # floats: nothing to escape), faster than a write_row call per reading.
                block = []
                for (sim_id, (period, granularity)), (mb, _row) in readings.items():
                    block.append(f"{sim_id}\t{period.isoformat()}\t{granularity!s}\t{mb!r}\n")
                    if len(block) >= UPSERT_BATCH:
                        copy.write("".join(block))
                        block = []
                if block:
                    copy.write("".join(block))
            # The readings table has no foreign key to SIMs (see UsageReading.sim): lock the SIMs
            # once, so none can be deleted before this commits, and check none already has been.
            cursor.execute(
                f"SELECT COUNT(*) FROM (SELECT s.id FROM {Sim._meta.db_table} s "
                "WHERE s.id IN (SELECT DISTINCT sim_id FROM usage_import) FOR KEY SHARE) locked"
            )
            _check_sims(cursor.fetchone()[0], {sim_id for sim_id, _p in readings})
            cursor.execute(
                f"INSERT INTO {table} ({columns}) SELECT sim_id, period, granularity, mb_used, %s, %s FROM usage_import ORDER BY sim_id, period {conflict}",
                [source_label, now],
            )
            cursor.execute("DROP TABLE usage_import")
        else:
            ids = list({sim_id for sim_id, _p in readings})
            found = sum(Sim.objects.filter(pk__in=ids[i : i + 500]).count() for i in range(0, len(ids), 500))
            _check_sims(found, ids)
            stamp = connection.ops.adapt_datetimefield_value(now)
            sql = f"INSERT INTO {table} ({columns}) VALUES (%s, %s, %s, %s, %s, %s) {conflict}"
            batch = []
            for (sim_id, (period, granularity)), (mb, _row) in readings.items():
                batch.append((sim_id, period.isoformat(), str(granularity), mb, source_label, stamp))
                if len(batch) >= UPSERT_BATCH:
                    cursor.executemany(sql, batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)


def _check_sims(found, wanted):
    if found != len(wanted):
        raise UsageFileError(
            _("Some of these SIMs were deleted while the file was being imported. Nothing was written: import the file again.")
        )


def command_limits():
    """Reader limits for ``import_usage`` on the command line (operators' files are big)."""
    return {
        "max_rows": getattr(settings, "USAGE_IMPORT_MAX_ROWS", 5_000_000),
        "max_bytes": getattr(settings, "USAGE_IMPORT_MAX_BYTES", 500 * 1024 * 1024),
    }
