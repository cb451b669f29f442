"""Usage files: aliases, units, periods, upsert without double counting, unknown SIMs, errors."""

import datetime

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from connectivity.models import UsageReading
from connectivity.tests.factories import SimFactory
from connectivity.usage import UsageFileError, import_usage, parse_period, parse_usage

D = datetime.date


@pytest.fixture
def sims(la, other_la):
    return {
        "a": SimFactory(local_authority=la, iccid="89441000000000000018", msisdn="+447700900001"),
        "b": SimFactory(local_authority=la, iccid="89441000000000000026", msisdn="+447700900002"),
        "other": SimFactory(local_authority=other_la, iccid="89441000000000000034", msisdn="+447700900003"),
    }


def write(tmp_path, text, name="usage.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize(
    "value,expected",
    [
        ("2026-03", (D(2026, 3, 1), "month")),
        ("Mar 2026", (D(2026, 3, 1), "month")),
        ("March 2026", (D(2026, 3, 1), "month")),
        ("03/2026", (D(2026, 3, 1), "month")),
        ("14/03/2026", (D(2026, 3, 14), "day")),
        ("2026-03-14", (D(2026, 3, 14), "day")),
        (datetime.datetime(2026, 3, 14), (D(2026, 3, 14), "day")),
    ],
)
def test_parse_period(value, expected):
    assert parse_period(value, month_column=False) == expected


def test_month_column_dates_mean_the_month():
    assert parse_period(datetime.datetime(2026, 3, 1), month_column=True) == (D(2026, 3, 1), "month")
    assert parse_period("14/03/2026", month_column=True) == (D(2026, 3, 1), "month")
    with pytest.raises(ValueError):
        parse_period("13/2026", month_column=True)
    with pytest.raises(ValueError):
        parse_period("soon", month_column=False)


def test_unit_conversion():
    assert parse_usage("1.5", 1024.0) == 1536.0
    assert parse_usage(1048576, 1 / (1024 * 1024)) == 1.0
    assert parse_usage("2,048", 1.0) == 2048.0
    with pytest.raises(ValueError):
        parse_usage("-1", 1.0)
    with pytest.raises(ValueError):
        parse_usage("lots", 1.0)


def test_ee_layout_gb_and_bill_period(sims, tmp_path):
    path = write(tmp_path, "SIM Number,Mobile Number,Data Used (GB),Bill Period\n8944 1000 0000 0000 0018,,2.5,Mar 2026\n,07700 900002,0.5,03/2026\n")
    result = import_usage(path, operator="EE")
    assert result.ok and result.written == 2
    assert UsageReading.objects.get(sim=sims["a"]).mb_used == 2560.0
    b = UsageReading.objects.get(sim=sims["b"])
    assert (b.period, b.granularity, b.mb_used) == (D(2026, 3, 1), "month", 512.0)


def test_three_layout_bytes_and_daily_dates(sims, tmp_path):
    path = write(tmp_path, "ICCID,MSISDN,Bytes,Date\n89441000000000000018,,104857600,14/03/2026\n89441000000000000018,,52428800,15/03/2026\n")
    result = import_usage(path, operator="three")
    assert result.ok and result.written == 2
    readings = list(UsageReading.objects.filter(sim=sims["a"]).order_by("period").values_list("period", "granularity", "mb_used"))
    assert readings == [(D(2026, 3, 14), "day", 100.0), (D(2026, 3, 15), "day", 50.0)]


def test_reimport_replaces_not_adds(sims, tmp_path):
    path = write(tmp_path, "ICCID,Usage (MB),Month\n89441000000000000018,1000,2026-03\n")
    import_usage(path, operator="vodafone")
    first_import = UsageReading.objects.get().imported_at
    import_usage(path, operator="vodafone")
    assert UsageReading.objects.filter(sim=sims["a"]).count() == 1
    # sent again unchanged: left as it was
    assert UsageReading.objects.get().imported_at == first_import
    corrected = write(tmp_path, "ICCID,Usage (MB),Month\n89441000000000000018,1200,2026-03\n", "corrected.csv")
    import_usage(corrected, operator="vodafone")
    assert list(UsageReading.objects.values_list("mb_used", flat=True)) == [1200.0]
    assert UsageReading.objects.get().imported_at > first_import


def test_unknown_sims_listed_not_written(sims, tmp_path):
    path = write(tmp_path, "ICCID,Usage (MB),Month\n89441000000000000018,10,2026-03\n89441000000000000042,20,2026-03\n")
    result = import_usage(path, operator="vodafone")
    assert result.written == 1
    assert result.unknown == [(3, "89441000000000000042")]


def test_scoped_import_treats_other_la_sims_as_unknown(sims, tmp_path, la):
    from connectivity.models import Sim

    path = write(tmp_path, "ICCID,Usage (MB),Month\n89441000000000000018,10,2026-03\n89441000000000000034,20,2026-03\n")
    result = import_usage(path, operator="vodafone", sims=Sim.objects.filter(local_authority=la))
    assert result.written == 1 and result.unknown == [(3, "89441000000000000034")]
    assert not UsageReading.objects.filter(sim=sims["other"]).exists()


def test_errors_reported_by_row_and_column_and_nothing_written(sims, tmp_path):
    path = write(
        tmp_path,
        "Monthly usage report\nICCID,Usage (MB),Month\n89441000000000000018,10,2026-03\n89441000000000000017,10,2026-03\n89441000000000000026,lots,2026-03\n89441000000000000026,5,next month\n",
    )
    result = import_usage(path, operator="vodafone")
    assert not result.ok
    assert result.errors[0].startswith("row 4, ICCID: ")
    assert result.errors[1] == "row 5, Usage (MB): “lots” is not a number."
    assert result.errors[2].startswith("row 6, Month: ")
    assert UsageReading.objects.count() == 0


def test_duplicate_sim_period_in_one_file_is_an_error(sims, tmp_path):
    path = write(tmp_path, "ICCID,Usage (MB),Month\n89441000000000000018,10,2026-03\n89441000000000000018,10,Mar 2026\n")
    result = import_usage(path, operator="vodafone")
    assert result.errors == [
        "row 3, SIM: this SIM and period are already on row 2; give each SIM one reading per period."
    ]
    assert UsageReading.objects.count() == 0


def test_missing_columns_and_bad_files(sims, tmp_path):
    with pytest.raises(UsageFileError, match="missing a usage column"):
        import_usage(write(tmp_path, "ICCID,Month\n89441000000000000018,2026-03\n"), operator="ee")
    with pytest.raises(UsageFileError):
        import_usage(write(tmp_path, "", "empty.csv"), operator="ee")
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    with pytest.raises(UsageFileError):
        import_usage(str(binary), operator="ee")
    with pytest.raises(UsageFileError, match="no rows"):
        import_usage(write(tmp_path, "ICCID,Usage (MB),Month\n", "header.csv"), operator="ee")
    with pytest.raises(UsageFileError, match="do not know the operator"):
        import_usage(write(tmp_path, "ICCID,Usage (MB),Month\n"), operator="acme")


def test_xlsx_with_month_cells(sims, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["SIM Number", "Data Used (GB)", "Bill Period"])
    ws.append(["89441000000000000018", 1, datetime.datetime(2026, 4, 1)])
    ws.append([8.9441000000000000026e19, 1, datetime.datetime(2026, 4, 1)])
    path = tmp_path / "ee.xlsx"
    wb.save(path)
    result = import_usage(str(path), operator="ee")
    assert len(result.errors) == 1 and result.errors[0].startswith("row 3, SIM Number: This ICCID was saved as a number")
    ws.delete_rows(3)
    wb.save(path)
    result = import_usage(str(path), operator="ee")
    assert result.ok, result.errors
    reading = UsageReading.objects.get()
    assert (reading.period, reading.granularity, reading.mb_used) == (D(2026, 4, 1), "month", 1024.0)


def test_command_prints_unknown_and_errors(sims, tmp_path, capsys):
    good = write(tmp_path, "ICCID,Usage (MB),Month\n89441000000000000018,10,2026-03\n89441000000000000042,20,2026-03\n")
    call_command("import_usage", good, "--operator", "vodafone")
    out = capsys.readouterr().out
    assert "row 3: unknown SIM 89441000000000000042" in out
    assert "1 readings written" in out
    bad = write(tmp_path, "ICCID,Usage (MB),Month\n89441000000000000018,x,2026-03\n", "bad.csv")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_usage", bad, "--operator", "vodafone")
    assert "row 2, Usage (MB): “x” is not a number." in capsys.readouterr().out


def test_check_digit_errors_are_reported_with_every_other_error_in_row_order(sims, tmp_path):
    # 89441000000000000017 has a wrong check digit (…18 is valid). The check is deferred until
    # after the SIM lookup when nothing else is wrong, and made at once when something is.
    only = write(tmp_path, "ICCID,Usage (MB),Month\n89441000000000000018,10,2026-03\n89441000000000000017,10,2026-03\n")
    result = import_usage(only, operator="vodafone")
    assert [e.split(":")[0] for e in result.errors] == ["row 3, ICCID"] and result.unknown == []
    mixed = write(
        tmp_path,
        "ICCID,Usage (MB),Month\n89441000000000000017,10,2026-03\n89441000000000000018,lots,2026-03\n"
        "89441000000000000017,-1,2026-03\n89441000000000000018,5,never\n",
    )
    result = import_usage(mixed, operator="vodafone")
    assert [e.split(":")[0] for e in result.errors] == [
        "row 2, ICCID", "row 3, Usage (MB)", "row 4, ICCID", "row 4, Usage (MB)", "row 5, Month",
    ]
    assert UsageReading.objects.count() == 0


def test_a_sim_deleted_during_the_import_means_nothing_is_written(sims, tmp_path, monkeypatch):
    # Readings have no foreign key in the database (see UsageReading.sim): the upsert locks
    # the SIMs it writes for and refuses if one has gone since the lookup.
    from connectivity import usage
    from connectivity.usage import UsageFileError

    lookup = usage._lookup

    def lookup_then_delete(*args, **kwargs):
        found = lookup(*args, **kwargs)
        sims["b"].delete()
        return found

    monkeypatch.setattr(usage, "_lookup", lookup_then_delete)
    path = write(tmp_path, "ICCID,Usage (MB),Month\n89441000000000000018,10,2026-03\n89441000000000000026,20,2026-03\n")
    with pytest.raises(UsageFileError, match="deleted while the file was being imported"):
        import_usage(path, operator="vodafone")
    assert UsageReading.objects.count() == 0


def test_deleting_a_sim_deletes_its_readings(sims, tmp_path):
    import_usage(write(tmp_path, "ICCID,Usage (MB),Month\n89441000000000000018,10,2026-03\n"), operator="vodafone")
    assert UsageReading.objects.filter(sim=sims["a"]).count() == 1
    sims["a"].delete()
    assert UsageReading.objects.count() == 0
