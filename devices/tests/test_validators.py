import pytest
from django.core.exceptions import ValidationError

from devices.tests.factories import luhn_complete
from devices.validators import normalise_iccid, normalise_imei, normalise_uk_mobile


@pytest.mark.parametrize("typed", ["07700 900123", "+44 7700 900123", "447700900123", "07700-900-123", 7700900123.0])
def test_uk_mobile_any_format_to_e164(typed):
    assert normalise_uk_mobile(typed) == "+447700900123"


@pytest.mark.parametrize("bad", ["020 7946 0000", "12345", "+33 6 12 34 56 78", "not a phone"])
def test_not_a_uk_mobile(bad):
    with pytest.raises(ValidationError):
        normalise_uk_mobile(bad)


def test_imei_check_digit():
    good = luhn_complete("35345678901234")
    assert normalise_imei(good) == good
    bad = good[:-1] + str((int(good[-1]) + 1) % 10)
    with pytest.raises(ValidationError, match="check digit"):
        normalise_imei(bad)
    with pytest.raises(ValidationError, match="15 digits"):
        normalise_imei("1234")


def test_iccid_19_or_20_digits_with_luhn():
    good19 = luhn_complete("894410000000000001")
    good20 = luhn_complete("8944100000000000001")
    assert normalise_iccid(good19) == good19
    assert normalise_iccid(good20) == good20
    with pytest.raises(ValidationError):
        normalise_iccid(good19[:-1] + str((int(good19[-1]) + 1) % 10))


def test_fast_uk_phone_path_agrees_with_phonenumbers():
    """The fast path (devices.validators._fast_uk_phone) gives what libphonenumber gives."""
    import random

    from django.core.exceptions import ValidationError

    from devices.validators import _fast_uk_phone, _full_uk_phone

    rng = random.Random(5)
    samples = [f"0{rng.randrange(1_000_000_000, 9_999_999_999)}" for _ in range(3000)]
    samples += [f"+447{rng.randrange(0, 999_999_999):09d}" for _ in range(2000)]
    samples += ["07700900123", "02079460001", "07400000000", "07000000000", "07600000000", "05600000000", "08001111111", "09000000000"]
    agreed = 0
    for text in samples:
        fast = _fast_uk_phone(text)
        try:
            full = _full_uk_phone(text)
        except ValidationError:
            full = None
        if fast is not None:
            assert fast == full, text
            agreed += 1
    assert agreed > 1000
