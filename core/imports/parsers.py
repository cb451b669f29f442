"""Value parsers for cells as people type them.

Each parser takes a cell value (``None``, text, a number, a ``datetime``) that the reader has
already trimmed, and returns a clean Python value or raises ``ParseError`` with a message the
user can act on. ``None`` comes back as the parser's "empty" value (``None`` or ``""``); whether a
value is required is the spec's business, not the parser's.

Identifier checks (IMEI, ICCID, UK phone numbers) are the ones in ``devices.validators``;
these parsers only adapt them.
"""

from __future__ import annotations

import datetime
import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ParseError(ValueError):
    """A cell we could not read; ``message`` is user-facing."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _text(value):
    if value.__class__ is str and value.isascii() and value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
        return value  # already clean: the common case, a million times in a big file
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).replace("\u00a0", " ").replace("\u202f", " ").replace("\u2007", " ")
    return " ".join(text.split())


def text(value):
    """Any text, with runs of spaces (including non-breaking ones) collapsed."""
    return _text(value)


def text_max(length):
    def parse(value):
        result = _text(value)
        if len(result) > length:
            raise ParseError(_("This is %(n)s characters long; the most allowed is %(max)s.") % {"n": len(result), "max": length})
        return result

    parse.__name__ = f"text_max_{length}"
    return parse


def serial(value):
    """A serial number, upper-cased so matching is case-insensitive; inner spaces removed."""
    result = _text(value).replace(" ", "").upper()
    if len(result) > 60:
        raise ParseError(_("A serial number has at most 60 characters."))
    return result


# --------------------------------------------------------------------------- dates

EXCEL_EPOCH = datetime.date(1899, 12, 30)
_DATE_DMY = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
            ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ]
    )
    for m in names
}
_DATE_WORDS = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/]+([A-Za-z]+)\.?[\s\-/,]+(\d{2}|\d{4})$")


def _year(y: str) -> int:
    n = int(y)
    if len(y) == 2:
        return 2000 + n if n < 70 else 1900 + n
    return n


def _make_date(y, m, d):
    try:
        return datetime.date(y, m, d)
    except ValueError:
        raise ParseError(_("There is no such date (day %(d)s, month %(m)s, year %(y)s).") % {"d": d, "m": m, "y": y}) from None


#: The dates this service accepts anywhere (imports, API, forms): the scheme began in 2020, a
#: device lasts years, not centuries; outside this a date is a typing mistake (and year 1 or
#: 9999 would overflow date arithmetic such as the three-year horizon).
MIN_DATE = datetime.date(1990, 1, 1)
MAX_DATE = datetime.date(2100, 12, 31)


def date_range_problem(value):
    """The message for a date outside ``MIN_DATE``..``MAX_DATE``, else ``None``."""
    if value is not None and not (MIN_DATE <= value <= MAX_DATE):
        return _("%(date)s is not a date we accept: use a date between %(min)s and %(max)s.") % {
            "date": value.strftime("%d/%m/%Y") if value.year >= 1000 else f"{value.day:02d}/{value.month:02d}/{value.year}",
            "min": MIN_DATE.strftime("%d/%m/%Y"),
            "max": MAX_DATE.strftime("%d/%m/%Y"),
        }
    return None


def date(value):
    """A date typed the UK way (day first): 03/06/2020, 3.6.20, 3-Jun-2020, 2020-06-03,
    or an Excel serial number (43985). Never read month-first. Dates outside 1990-2100
    are refused (``MIN_DATE``/``MAX_DATE``)."""
    result = _date(value)
    problem = date_range_problem(result)
    if problem:
        raise ParseError(problem)
    return result


def _date(value):
    if value is None or value == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ParseError(_("This is not a date. Type dates like 31/01/2026."))
    if isinstance(value, (int, float)) or (isinstance(value, str) and re.fullmatch(r"\d{5}(\.\d+)?", value.strip())):
        try:
            serial_number = float(value.strip() if isinstance(value, str) else value)
        except (ValueError, OverflowError):  # control characters around the digits; a huge int
            raise ParseError(_("This is not a date. Type dates like 31/01/2026.")) from None
        if 1 <= serial_number < 2958466:  # Excel's range: 1900-01-01 .. 9999-12-31
            return EXCEL_EPOCH + datetime.timedelta(days=int(serial_number))
        raise ParseError(_("This is not a date. Type dates like 31/01/2026."))
    raw = _text(value)
    m = _DATE_DMY.match(raw)
    if m:
        return _make_date(_year(m.group(3)), int(m.group(2)), int(m.group(1)))
    m = _DATE_ISO.match(raw)
    if m:
        return _make_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    m = _DATE_WORDS.match(raw)
    if m and m.group(2).lower() in _MONTHS:
        return _make_date(_year(m.group(3)), _MONTHS[m.group(2).lower()], int(m.group(1)))
    raise ParseError(_("“%(value)s” is not a date we can read. Type dates day first, like 31/01/2026.") % {"value": raw[:40]})


# --------------------------------------------------------------------------- booleans

_TRUE = {"yes", "y", "true", "t", "1", "x", "✓", "✔", "needed", "needs"}
_FALSE = {"no", "n", "false", "f", "0", "-", "none", "not needed"}


def boolean(value):
    """yes/no, y/n, true/false, 1/0, x (ticked) -> True/False; empty -> None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    key = _text(value).lower()
    if key in _TRUE:
        return True
    if key in _FALSE:
        return False
    raise ParseError(_("“%(value)s” is not yes or no.") % {"value": _text(value)[:40]})


# --------------------------------------------------------------------------- integers


def integer_max(maximum, minimum=0):
    """A whole number between ``minimum`` and ``maximum``."""

    def parse(value):
        n = integer(value)
        if n is not None and not minimum <= n <= maximum:
            raise ParseError(_("Give a whole number between %(min)s and %(max)s.") % {"min": f"{minimum:,}", "max": f"{maximum:,}"})
        return n

    parse.__name__ = f"integer_max_{maximum}"
    return parse


def integer(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ParseError(_("This is not a whole number."))
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raw = _text(value).replace(",", "").replace(" ", "")
    if re.fullmatch(r"[+-]?\d{1,18}(\.0+)?", raw):
        return int(raw.split(".")[0])
    if re.fullmatch(r"[+-]?\d+(\.0+)?", raw):
        raise ParseError(_("This number is too big."))
    raise ParseError(_("“%(value)s” is not a whole number.") % {"value": _text(value)[:40]})


# --------------------------------------------------------------------------- languages


def _fold(text_value: str) -> str:
    """Lower-case, accents removed: 'Türkçe' -> 'turkce', 'Română' -> 'romana'."""
    decomposed = unicodedata.normalize("NFKD", text_value.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


#: ISO 639-1 code -> names people type: English name(s), native name(s), ISO 639-2/3 codes.
LANGUAGE_NAMES = {
    "en": ["English", "eng", "Inglés"],
    "pl": ["Polish", "polski", "polska", "pol"],
    "bn": ["Bengali", "Bangla", "বাংলা", "ben", "Sylheti"],
    "ur": ["Urdu", "اردو", "urd"],
    "so": ["Somali", "Soomaali", "af-soomaali", "Af Soomaali", "som"],
    "ar": ["Arabic", "العربية", "عربي", "ara"],
    "tr": ["Turkish", "Türkçe", "turkce", "tur"],
    "ro": ["Romanian", "Română", "romana", "ron", "rum"],
    "pt": ["Portuguese", "Português", "portugues", "por"],
    "es": ["Spanish", "Español", "espanol", "Castellano", "spa"],
    "gu": ["Gujarati", "ગુજરાતી", "guj"],
    "ta": ["Tamil", "தமிழ்", "tam"],
    "pa": ["Punjabi", "Panjabi", "ਪੰਜਾਬੀ", "پنجابی", "pan"],
    "fr": ["French", "Français", "francais", "fra", "fre"],
    "it": ["Italian", "Italiano", "ita"],
    "lt": ["Lithuanian", "Lietuvių", "lietuviu", "lit"],
    "de": ["German", "Deutsch", "deu", "ger"],
    "ru": ["Russian", "Русский", "rus"],
    "uk": ["Ukrainian", "Українська", "ukr"],
    "fa": ["Persian", "Farsi", "فارسی", "fas", "per"],
    "ps": ["Pashto", "پښتو", "pus"],
    "ti": ["Tigrinya", "ትግርኛ", "tir"],
    "am": ["Amharic", "አማርኛ", "amh"],
    "yo": ["Yoruba", "Yorùbá", "yor"],
    "zh": ["Chinese", "Mandarin", "中文", "zho", "chi"],
    "ku": ["Kurdish", "Kurdî", "kur"],
    "sq": ["Albanian", "Shqip", "sqi", "alb"],
    "bg": ["Bulgarian", "Български", "bul"],
    "hi": ["Hindi", "हिन्दी", "hin"],
    "vi": ["Vietnamese", "Tiếng Việt", "vie"],
}
_LANGUAGE_LOOKUP = {}
for _code, _names in LANGUAGE_NAMES.items():
    _LANGUAGE_LOOKUP[_code] = _code
    for _name in _names:
        _LANGUAGE_LOOKUP[_fold(_name)] = _code


def language(value):
    """'Polish', 'polski', 'pl', 'PL', 'pl-PL', 'Polish (Polski)' -> 'pl'. Empty -> ''."""
    raw = _text(value)
    if not raw:
        return ""
    key = _fold(raw)
    if key in _LANGUAGE_LOOKUP:
        return _LANGUAGE_LOOKUP[key]
    for part in re.split(r"[\s/(),;]+|[-_](?=[a-z]{2}$)", key):
        if part in _LANGUAGE_LOOKUP:
            return _LANGUAGE_LOOKUP[part]
    raise ParseError(
        _("“%(value)s” is not a language we recognise. Use its English name (Polish), its own name (polski) or its code (pl).")
        % {"value": raw[:40]}
    )


# --------------------------------------------------------------------------- year groups

_YEAR_GROUP = re.compile(r"^(?:y|yr|year|year group|grade)?\s*(\d{1,2})$")


def year_group(value):
    """'Y7', 'Year 7', 'yr7', '7' -> '7'; 'R' / 'Reception' -> 'R'; 'N' / 'Nursery' -> 'N'."""
    raw = _text(value).lower().replace(".", "")
    if not raw:
        return ""
    if raw in ("r", "rec", "reception", "yr r", "year r", "fs2", "f2"):
        return "R"
    if raw in ("n", "nur", "nursery", "fs1", "f1", "n1", "n2"):
        return "N"
    m = _YEAR_GROUP.match(raw)
    if m and 1 <= int(m.group(1)) <= 13:
        return str(int(m.group(1)))
    raise ParseError(_("“%(value)s” is not a year group. Use Nursery, Reception or Year 1 to Year 13.") % {"value": _text(value)[:40]})


# --------------------------------------------------------------------------- identifiers


def _adapt(validator):
    def parse(value):
        try:
            return validator(value)
        except ValidationError as exc:
            raise ParseError(" ".join(exc.messages)) from None

    parse.__name__ = validator.__name__
    return parse


_ADAPTED = {}


def _validator(name):
    """``devices.validators.<name>`` adapted to raise ``ParseError``, made once (it was made
    again for every cell: a closure and an import per phone number)."""
    parse = _ADAPTED.get(name)
    if parse is None:
        from devices import validators

        parse = _ADAPTED[name] = _adapt(getattr(validators, name))
    return parse


def imei(value):
    return _validator("normalise_imei")(value)


def iccid(value):
    return _validator("normalise_iccid")(value)


def uk_mobile(value):
    return _validator("normalise_uk_mobile")(value)


#: The forms most sheets use ("07400 123456", "+44 7400 123456", "447400123456", "07400123456"):
#: for these ``normalise_uk_phone`` would only drop the spaces and apply its fast check, so
#: that check is applied directly; anything else, or a number it does not pass, takes the
#: full path (same answers: tested on the benchmark's 100,000 numbers and the parser tests).
_QUICK_UK_PHONE = re.compile(r"(?:\+44 ?|44|0)(\d{4}) ?(\d{6})")


_fast_uk_phone = None


def uk_phone(value):
    global _fast_uk_phone
    if value.__class__ is str:
        m = _QUICK_UK_PHONE.fullmatch(value)
        if m is not None:
            if _fast_uk_phone is None:
                from devices.validators import _fast_uk_phone
            fast = _fast_uk_phone("0" + m.group(1) + m.group(2))
            if fast is not None:
                return fast
    return _validator("normalise_uk_phone")(value)


def email(value):
    from django.core.validators import validate_email

    raw = _text(value)
    if not raw:
        return ""
    try:
        validate_email(raw)
    except ValidationError:
        raise ParseError(_("“%(value)s” is not an email address.") % {"value": raw[:60]}) from None
    return raw


def choice(options: dict, message):
    """Map typed text to a stored value: ``options`` maps folded text -> value."""
    folded = {_fold(k): v for k, v in options.items()}

    def parse(value):
        raw = _text(value)
        if not raw:
            return ""
        key = _fold(raw)
        if key in folded:
            return folded[key]
        raise ParseError(message % {"value": raw[:40]})

    return parse
