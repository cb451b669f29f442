"""Bulk licence import (engine spec and command) feeding the horizon."""

import datetime
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from core.imports.engine import commit, validate
from devices.licence_imports import SPEC
from devices.models import Licence
from devices.tests.factories import DeviceFactory, LicenceFactory

D = datetime.date


def write(tmp_path, text, name="licences.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.fixture
def devices(la, other_la):
    return {
        "a": DeviceFactory(local_authority=la, serial="SNA1"),
        "b": DeviceFactory(local_authority=la, serial="SNB2"),
        "other": DeviceFactory(local_authority=other_la, serial="SNC3"),
    }


def test_import_creates_and_updates(devices, la, tmp_path):
    LicenceFactory(device=devices["b"], product="security", start=D(2026, 1, 1), end=D(2026, 6, 30), payer="dfe")
    path = write(
        tmp_path,
        "Serial,Product,Start,End,Payer,Annual cost\n"
        "sna1,Device management,01/02/2026,31/01/2029,Council,£24.00\n"
        "SNB2,Security,01/01/2026,31/12/2028,school,12\n",
    )
    ctx = validate(SPEC, path, local_authority=la)
    assert ctx.ok and ctx.counts == {"created": 1, "updated": 1}
    commit(SPEC, path, local_authority=la)
    a = Licence.objects.get(device=devices["a"])
    assert (a.product, a.start, a.end, a.payer, a.annual_cost) == ("os_management", D(2026, 2, 1), D(2029, 1, 31), "la", Decimal("24.00"))
    b = Licence.objects.get(device=devices["b"])
    assert (b.end, b.payer) == (D(2028, 12, 31), "school")
    commit(SPEC, path, local_authority=la)  # re-import: no duplicates
    assert Licence.objects.count() == 2


def test_errors_by_row_and_nothing_written(devices, la, tmp_path):
    path = write(
        tmp_path,
        "Serial,Product,Start,End,Payer,Annual cost\n"
        "SNA1,Device management,01/02/2026,31/01/2029,Council,24\n"
        "SNC3,Security,01/01/2026,31/12/2028,school,12\n"
        "SNB2,Dance lessons,01/01/2026,31/12/2028,school,12\n"
        "SNB2,Security,01/01/2027,31/12/2026,school,lots\n"
        "SNA1,Device management,01/02/2026,31/01/2029,Council,24\n",
    )
    ctx = validate(SPEC, path, local_authority=la)
    lines = ctx.error_lines()
    assert "row 3, Serial: No device with this serial number is recorded for this council." in lines
    assert any(line.startswith("row 4, Product: “Dance lessons” is not a product") for line in lines)
    assert "row 5, Annual cost: “lots” is not an amount of money." in lines
    assert "row 6, Serial: This device, product and start date are also on row 2." in lines
    with pytest.raises(Exception):
        commit(SPEC, path, local_authority=la)
    assert Licence.objects.count() == 0


def test_end_before_start(devices, la, tmp_path):
    path = write(tmp_path, "Serial,Product,Start,End\nSNA1,Security,01/01/2027,31/12/2026\n")
    assert validate(SPEC, path, local_authority=la).error_lines() == ["row 2, End: The end date is before the start date."]


def test_command(devices, la, tmp_path, capsys):
    good = write(tmp_path, "Serial,Product,Start,End\nSNA1,Security,01/01/2026,31/12/2028\n")
    call_command("import_licences", good, "--la", "202", "--dry-run")
    assert Licence.objects.count() == 0
    call_command("import_licences", good, "--la", "202")
    assert "1 licences were created" in capsys.readouterr().out
    bad = write(tmp_path, "Serial,Product,Start,End\nNOPE,Security,01/01/2026,31/12/2028\n", "bad.csv")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_licences", bad, "--la", "202")
    assert "row 2, Serial: No device" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import_licences", good, "--la", "999")
