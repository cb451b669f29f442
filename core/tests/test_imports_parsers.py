"""Value parsers: cells as people type them."""

import datetime

import pytest

from core.imports import parsers
from core.imports.parsers import ParseError

D = datetime.date


@pytest.mark.parametrize(
    "value,expected",
    [
        ("03/06/2020", D(2020, 6, 3)),
        ("3/6/20", D(2020, 6, 3)),
        ("3.6.20", D(2020, 6, 3)),
        ("03-06-2020", D(2020, 6, 3)),
        ("2020-06-03", D(2020, 6, 3)),
        ("2020-06-03T10:00:00", D(2020, 6, 3)),
        ("3 June 2020", D(2020, 6, 3)),
        ("3-Jun-20", D(2020, 6, 3)),
        (43985, D(2020, 6, 3)),
        (43985.5, D(2020, 6, 3)),
        ("43985", D(2020, 6, 3)),
        (datetime.datetime(2020, 6, 3, 9, 30), D(2020, 6, 3)),
        (D(2020, 6, 3), D(2020, 6, 3)),
        ("\u00a013/01/2021 ", D(2021, 1, 13)),
        (None, None),
        ("", None),
    ],
)
def test_dates_are_read_day_first(value, expected):
    assert parsers.date(value) == expected


@pytest.mark.parametrize("value", ["13/13/2020", "31/02/2021", "next tuesday", "06/03", True])
def test_bad_dates(value):
    with pytest.raises(ParseError):
        parsers.date(value)


def test_ambiguous_date_is_never_month_first():
    assert parsers.date("01/02/2021") == D(2021, 2, 1)


@pytest.mark.parametrize(
    "value,expected",
    [("Polish", "pl"), ("polski", "pl"), ("pl", "pl"), ("PL", "pl"), ("pl-PL", "pl"), (" Polish (Polski) ", "pl"),
     ("English", "en"), ("Bengali", "bn"), ("বাংলা", "bn"), ("Urdu", "ur"), ("اردو", "ur"), ("Somali", "so"),
     ("Soomaali", "so"), ("Arabic", "ar"), ("العربية", "ar"), ("Turkish", "tr"), ("Türkçe", "tr"), ("turkce", "tr"),
     ("Romanian", "ro"), ("română", "ro"), ("Portuguese", "pt"), ("Português", "pt"), ("Spanish", "es"),
     ("Español", "es"), ("Gujarati", "gu"), ("ગુજરાતી", "gu"), ("Tamil", "ta"), ("தமிழ்", "ta"), ("Punjabi", "pa"),
     ("ਪੰਜਾਬੀ", "pa"), ("French", "fr"), ("français", "fr"), ("Italian", "it"), ("italiano", "it"),
     ("Lithuanian", "lt"), ("lietuvių", "lt"), ("lt", "lt"), (None, ""), ("", "")],
)
def test_languages(value, expected):
    assert parsers.language(value) == expected


def test_unknown_language():
    with pytest.raises(ParseError, match="not a language"):
        parsers.language("Klingon")


@pytest.mark.parametrize(
    "value,expected",
    [("Y7", "7"), ("Year 7", "7"), ("year7", "7"), ("7", "7"), (7, "7"), (7.0, "7"), ("Yr 10", "10"), ("R", "R"),
     ("Reception", "R"), ("reception", "R"), ("N", "N"), ("Nursery", "N"), ("Y13", "13"), ("", "")],
)
def test_year_groups(value, expected):
    assert parsers.year_group(value) == expected


@pytest.mark.parametrize("value", ["Y14", "0", "Year 0", "Sixth form"])
def test_bad_year_groups(value):
    with pytest.raises(ParseError):
        parsers.year_group(value)


@pytest.mark.parametrize(
    "value,expected",
    [("yes", True), ("Y", True), ("TRUE", True), ("1", True), (1, True), ("x", True), ("X", True), (True, True),
     ("no", False), ("n", False), ("false", False), ("0", False), (0, False), (None, None), ("", None)],
)
def test_booleans(value, expected):
    assert parsers.boolean(value) is expected


def test_bad_boolean():
    with pytest.raises(ParseError):
        parsers.boolean("perhaps")


@pytest.mark.parametrize(
    "value",
    ["07700 900123", "07700900123", "+44 7700 900123", "447700900123", "+44 (0)7700 900123", "(07700) 900-123", 7700900123.0, "\u00a007700\u00a0900123 "],
)
def test_uk_phone_formats(value):
    assert parsers.uk_phone(value) == "+447700900123"


def test_uk_landline_and_bad_phones():
    assert parsers.uk_phone("020 7946 0000") == "+442079460000"
    with pytest.raises(ParseError):
        parsers.uk_phone("12345")
    with pytest.raises(ParseError, match="not a UK mobile"):
        parsers.uk_mobile("020 7946 0000")


def test_identifiers():
    assert parsers.imei("35 209900 176148 1") == "352099001761481"
    assert parsers.imei(352099001761481.0) == "352099001761481"
    with pytest.raises(ParseError, match="check digit"):
        parsers.imei("352099001761482")
    with pytest.raises(ParseError, match="15 digits"):
        parsers.imei("12345")
    with pytest.raises(ParseError):
        parsers.iccid("8944100000000000001")


def test_serials_and_text():
    assert parsers.serial(" ab-12 c\u00a0") == "AB-12C"
    assert parsers.text("  two\u00a0\u00a0words ") == "two words"
    with pytest.raises(ParseError):
        parsers.text_max(3)("abcd")
    assert parsers.integer("1,200") == 1200
    with pytest.raises(ParseError):
        parsers.integer("12a")
    assert parsers.email(" a@b.org ") == "a@b.org"
    with pytest.raises(ParseError):
        parsers.email("not-an-email")


def test_quick_uk_phone_path_agrees_with_the_full_normaliser():
    import random

    from core.imports import parsers as p
    from devices.validators import normalise_uk_phone

    rng = random.Random(13)
    numbers = [f"{rng.choice(['7', '20', '1', '3', '8', '9', '5', '0'])}{rng.randrange(10**9):09d}"[:10] for _ in range(3000)]
    numbers += ["7400000001", "2079460001", "1632960001", "8001111111", "0000000000", "7000000000", "1134960000"]
    for nsn in numbers:
        for text in (f"0{nsn[:4]} {nsn[4:]}", f"+44 {nsn[:4]} {nsn[4:]}", f"44{nsn}", f"0{nsn}", f"+44{nsn}"):
            try:
                want = normalise_uk_phone(text)
            except Exception as exc:  # the full path's refusal must be the quick path's too
                with pytest.raises(p.ParseError) as caught:
                    p.uk_phone(text)
                assert caught.value.message == " ".join(exc.messages)
            else:
                assert p.uk_phone(text) == want, text
