"""Property-based tests of the IMEI, ICCID and UK phone number parsers.

Any input gives a normalised string or ``ValidationError``, nothing else. Valid numbers are
accepted however they are typed (spaces, dashes, Excel's float), and phone numbers come out in
E.164.
"""

import pytest
import phonenumbers
from django.core.exceptions import ValidationError
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from devices.validators import luhn_ok, normalise_iccid, normalise_imei, normalise_uk_mobile, normalise_uk_phone

FUZZ = settings(max_examples=100, deadline=None)
PARSERS = [normalise_imei, normalise_iccid, normalise_uk_mobile, normalise_uk_phone]

anything = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.text(alphabet="0123456789 -+()\u00a0", max_size=30),
    st.integers(min_value=-(10**25), max_value=10**25),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
)


def luhn_complete(body):
    for check in "0123456789":
        if luhn_ok(body + check):
            return body + check
    raise AssertionError("no Luhn check digit")


def typed_like_a_person(digits, data):
    """The digits with spaces or dashes between random groups."""
    out = []
    for ch in digits:
        out.append(ch)
        out.append(data.draw(st.sampled_from(["", "", "", " ", "-", "\u00a0"])))
    return "".join(out).strip(" -\u00a0")


@FUZZ
@given(value=anything)
def test_parsers_return_text_or_validation_error(value):
    for parse in PARSERS:
        try:
            result = parse(value)
        except ValidationError as exc:
            assert exc.messages
        else:
            assert isinstance(result, str)
            if result and parse in (normalise_uk_mobile, normalise_uk_phone):
                assert result.startswith("+44"), (value, result)


@FUZZ
@given(body=st.text(alphabet="0123456789", min_size=14, max_size=14), data=st.data())
def test_valid_imei_accepted_however_typed(body, data):
    imei = luhn_complete(body)
    assert normalise_imei(imei) == imei
    assert normalise_imei(typed_like_a_person(imei, data)) == imei
    if imei[0] != "0":
        assert normalise_imei(int(imei)) == imei
        assert normalise_imei(float(int(imei))) == imei


@FUZZ
@given(body=st.text(alphabet="0123456789", min_size=14, max_size=14))
def test_imei_with_wrong_check_digit_refused(body):
    imei = luhn_complete(body)
    wrong = imei[:-1] + str((int(imei[-1]) + 1) % 10)
    try:
        normalise_imei(wrong)
    except ValidationError as exc:
        assert exc.code == "imei_check"
    else:
        raise AssertionError("a wrong check digit was accepted")


@FUZZ
@given(length=st.sampled_from([19, 20]), rest=st.text(alphabet="0123456789", min_size=19, max_size=19), data=st.data())
def test_valid_iccid_accepted_however_typed(length, rest, data):
    iccid = luhn_complete(("89" + rest)[: length - 1])
    assert len(iccid) == length
    assert normalise_iccid(iccid) == iccid
    assert normalise_iccid(typed_like_a_person(iccid, data)) == iccid


@FUZZ
@given(prefix=st.sampled_from(["74", "75", "77", "78", "79"]), rest=st.text(alphabet="0123456789", min_size=8, max_size=8), data=st.data())
def test_uk_mobile_in_any_format_normalises_to_e164(prefix, rest, data):
    national = prefix + rest
    number = phonenumbers.parse("0" + national, "GB")
    assume(phonenumbers.is_valid_number(number) and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE)
    e164 = "+44" + national
    spellings = [
        "0" + national,
        e164,
        "44" + national,
        national,
        f"0{national[:4]} {national[4:]}",
        f"+44 ({national[:4]}) {national[4:7]}-{national[7:]}",
        typed_like_a_person("0" + national, data),
    ]
    for spelling in spellings:
        assert normalise_uk_mobile(spelling) == e164, spelling
        assert normalise_uk_phone(spelling) == e164, spelling


@FUZZ
@given(rest=st.text(alphabet="0123456789", min_size=3, max_size=3))
def test_drama_numbers_accepted(rest):
    assert normalise_uk_mobile(f"07700 900{rest}") == f"+447700900{rest}"


def test_foreign_and_garbled_numbers_are_not_uk_phones():
    """Found by atheris: "+]4 (0)7700 99900-" was accepted as a Romanian number."""
    for typed in ["+]4 (0)7700 99900-", "+33 1 42 68 53 00", "+1 202 555 0199"]:
        try:
            result = normalise_uk_phone(typed)
        except ValidationError as exc:
            assert exc.code in ("phone_not_uk", "phone_parse", "phone_invalid")
        else:
            raise AssertionError(f"{typed!r} accepted as {result}")


@FUZZ
@given(value=anything)
def test_import_cell_parsers_return_a_value_or_parse_error(value):
    from core.imports import parsers

    for parse in (parsers.date, parsers.integer, parsers.boolean, parsers.serial, parsers.imei, parsers.iccid, parsers.uk_mobile, parsers.uk_phone, parsers.email, parsers.language, parsers.year_group):
        try:
            parse(value)
        except parsers.ParseError as exc:
            assert exc.message


def test_excel_serial_date_with_control_characters_is_a_parse_error():
    """Found by atheris: '00049' followed by record separators (which str.strip removes but
    float() does not) escaped the date parser as a bare ValueError."""
    from core.imports import parsers

    # 00049 is 17/02/1900, outside the dates we accept (1990-2100): a ParseError either way.
    for value in ("00049" + "\x1e" * 24, "00049"):
        with pytest.raises(parsers.ParseError):
            parsers.date(value)
    assert parsers.date("43985" + "\x1e" * 24) == parsers.date("43985")
    assert parsers.date(" 43985\x1e") == parsers.date("43985")
