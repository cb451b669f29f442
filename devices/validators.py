"""Identifier checks used by model fields, forms, imports and the API alike."""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def clean_digits(value) -> str:
    """Digits of an identifier typed with spaces or dashes, or read by Excel as a number."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"[\s\-]", "", str(value).replace("\u00a0", ""))


def normalise_imei(value) -> str:
    digits = clean_digits(value)
    if not digits:
        return ""
    if not digits.isdigit() or len(digits) != 15:
        raise ValidationError(_("An IMEI has 15 digits; this has %(n)s characters.") % {"n": len(digits)}, code="imei_length")
    if not luhn_ok(digits):
        raise ValidationError(_("This IMEI's check digit is wrong: check for a mistyped digit."), code="imei_check")
    return digits


def normalise_iccid(value) -> str:
    digits = clean_digits(value)
    if not digits:
        return ""
    if not digits.isdigit() or not 19 <= len(digits) <= 20:
        raise ValidationError(_("An ICCID has 19 or 20 digits; this has %(n)s characters.") % {"n": len(digits)}, code="iccid_length")
    if not luhn_ok(digits):
        raise ValidationError(_("This ICCID's check digit is wrong: check for a mistyped digit."), code="iccid_check")
    return digits


def _is_drama_number(number) -> bool:
    # Ofcom reserves 07700 900000-900999 for fiction and testing; phonenumbers calls them
    # invalid, but they are the numbers demo data and training material use.
    return number.country_code == 44 and 7700900000 <= number.national_number <= 7700900999


def normalise_uk_mobile(value) -> str:
    """A UK mobile number in E.164 (+447700900123), from any format people type."""
    text = clean_digits(value).replace("(", "").replace(")", "")
    if not text:
        return ""
    if text.startswith("44") and not text.startswith("+"):
        text = "+" + text
    if text.startswith("7") and len(text) == 10:
        text = "0" + text
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("This is not a phone number."), code="phone_parse") from None
    if number.country_code != 44:
        raise ValidationError(_("This is not a UK phone number."), code="phone_not_uk")
    if _is_drama_number(number):
        return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(_("This is not a valid UK phone number."), code="phone_invalid")
    if phonenumbers.number_type(number) not in (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise ValidationError(_("This is not a UK mobile number (they start 07)."), code="phone_not_mobile")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


_UK_NSN = re.compile(r"(?:\+44|0)([1-9]\d{9})")


def _uk_patterns():
    """GB mobile and fixed-line rules from libphonenumber's own metadata: (pattern, lengths)."""
    meta = phonenumbers.PhoneMetadata.metadata_for_region("GB")
    return [(re.compile(desc.national_number_pattern), set(desc.possible_length or ())) for desc in (meta.mobile, meta.fixed_line) if desc and desc.national_number_pattern]


_UK_PATTERNS = None


def _fast_uk_phone(text):
    """E.164 for a ten-digit UK mobile or landline typed +44… or 0…, by the same metadata rules
    ``phonenumbers.is_valid_number`` applies (tested against it); ``None``: use the full path.
    A 100,000-row import checks each phone twice, and the full path was most of its time."""
    global _UK_PATTERNS
    m = _UK_NSN.fullmatch(text)
    if m is None:
        return None
    if _UK_PATTERNS is None:
        _UK_PATTERNS = _uk_patterns()
    nsn = m.group(1)
    for pattern, lengths in _UK_PATTERNS:
        if (not lengths or len(nsn) in lengths) and pattern.fullmatch(nsn):
            return "+44" + nsn
    return None


def normalise_uk_phone(value) -> str:
    """Any valid UK phone number (landline or mobile) in E.164."""
    text = clean_digits(value).replace("(", "").replace(")", "")
    if not text:
        return ""
    if text.startswith("44"):
        text = "+" + text
    fast = _fast_uk_phone(text)
    if fast is not None:
        return fast
    return _full_uk_phone(text)


def _full_uk_phone(text):
    try:
        number = phonenumbers.parse(text, "GB")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("This is not a phone number."), code="phone_parse") from None
    if number.country_code != 44:
        raise ValidationError(_("This is not a UK phone number."), code="phone_not_uk")
    if not (phonenumbers.is_valid_number(number) or _is_drama_number(number)):
        raise ValidationError(_("This is not a valid phone number."), code="phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_imei(value):
    normalise_imei(value)


def validate_iccid(value):
    normalise_iccid(value)


def validate_msisdn(value):
    if normalise_uk_mobile(value) != value:
        raise ValidationError(_("Store mobile numbers in international format, like +447700900123."), code="phone_format")


def format_uk_national(e164: str) -> str:
    """+447700900123 -> 07700 900123, for display."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, "GB")
    except phonenumbers.NumberParseException:
        return e164
    if _is_drama_number(number):
        n = str(number.national_number)
        return f"0{n[:4]} {n[4:]}"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
