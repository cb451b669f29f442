"""What each fuzz target does with one input: the code shared by the atheris harnesses and the
corpus replay test. Each function raises only the exceptions named in ``ALLOWED`` for any input;
anything else is a bug."""

import io

ALLOWED = {}


def readers(data: bytes):
    """Raw bytes as an uploaded spreadsheet: headers and every row, or ReadError."""
    from core.imports.readers import ReadError, open_spreadsheet, sheet_names

    try:
        with open_spreadsheet(io.BytesIO(data), filename="fuzz", header_aliases={"serial", "kind", "imei"}) as sheet:
            width = len(sheet.headers)
            for _, values in sheet.rows():
                assert len(values) == width
    except ReadError:
        pass
    try:
        sheet_names(io.BytesIO(data), filename="fuzz")
    except ReadError:
        pass


def identifiers(data: bytes):
    """Text (and numbers read from it) through every identifier parser: a string or ValidationError."""
    from django.core.exceptions import ValidationError

    from core.imports import parsers
    from devices.validators import format_uk_national, normalise_iccid, normalise_imei, normalise_uk_mobile, normalise_uk_phone

    text = data.decode("utf-8", errors="replace")
    values = [text]
    try:
        values.append(float(text))
        values.append(int(text))
    except (ValueError, OverflowError):
        pass
    for value in values:
        for parse in (normalise_imei, normalise_iccid, normalise_uk_mobile, normalise_uk_phone):
            try:
                result = parse(value)
            except ValidationError:
                continue
            assert isinstance(result, str)
            if result and parse in (normalise_uk_mobile, normalise_uk_phone):
                assert result.startswith("+44")
                format_uk_national(result)
        for parse in (parsers.imei, parsers.iccid, parsers.uk_mobile, parsers.uk_phone, parsers.date, parsers.integer, parsers.boolean, parsers.serial):
            try:
                parse(value)
            except parsers.ParseError:
                pass


def usage(data: bytes):
    """Raw bytes as an operator's usage file (dry run): a result or UsageFileError; never a write."""
    from connectivity.models import UsageReading
    from connectivity.usage import UsageFileError, import_usage, parse_period, parse_usage

    for operator in ("generic", "three"):
        try:
            import_usage(io.BytesIO(data), operator=operator, filename="usage.csv", dry_run=True)
        except UsageFileError:
            pass
    text = data[:64].decode("utf-8", errors="replace")
    for month_column in (True, False):
        try:
            parse_period(text, month_column)
        except ValueError:
            pass
    try:
        parse_usage(text, 1.0)
    except ValueError:
        pass
    assert not UsageReading.objects.exists()


TARGETS = {"readers": readers, "identifiers": identifiers, "usage": usage}
