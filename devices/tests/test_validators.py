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
