"""The DfE return workbook: sheets, frozen headers, charts, numbers, neutralised text, suppression."""

import shutil
import subprocess

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from accounts.tests.factories import SchoolFactory

SHEETS = ["Summary", "Devices by school", "Connectivity", "Licence and data horizon", "Data gap and plans", "Allowance evidence", "Support demand by language"]


@pytest.fixture
def workbook_path(small_la, tmp_path):
    SchoolFactory(local_authority=small_la["la"], name="=HYPERLINK(\"http://x\")")
    path = tmp_path / "return.xlsx"
    call_command("dfe_return", "--la", small_la["la"].code, "--out", str(path))
    return path


def test_workbook_structure(workbook_path):
    wb = load_workbook(workbook_path)
    assert wb.sheetnames == SHEETS
    for name in SHEETS:
        assert wb[name].freeze_panes is not None, name
    charts = {name: len(wb[name]._charts) for name in SHEETS}
    assert charts["Summary"] == 1 and charts["Licence and data horizon"] == 1
    assert sum(charts.values()) >= 4
    horizon = wb["Licence and data horizon"]
    months = [horizon.cell(row=3, column=c).value for c in range(2, 38)]
    assert all(months) and len(months) == 36


def test_numbers_are_numbers_and_text_is_neutralised(workbook_path):
    wb = load_workbook(workbook_path)
    ws = wb["Devices by school"]
    names = [ws.cell(row=r, column=2).value for r in range(4, ws.max_row + 1)]
    formula = [n for n in names if n and "HYPERLINK" in n]
    assert formula and all(n.startswith("'") for n in formula)
    for row in ws.iter_rows(min_row=4, min_col=3, max_col=11):
        for cell in row:
            assert cell.data_type in ("n", "s"), cell.coordinate
            assert cell.data_type == "n", (cell.coordinate, cell.value)
    for row in wb["Licence and data horizon"].iter_rows(min_row=4, max_row=4, min_col=2, max_col=38):
        for cell in row:
            assert isinstance(cell.value, int)


def test_the_councils_own_return_is_in_full(workbook_path):
    """The return is the council's own: its small figures are shown, never [c]."""
    wb = load_workbook(workbook_path)
    small = []
    for name in ("Summary", "Devices by school", "Connectivity", "Support demand by language"):
        for row in wb[name].iter_rows(min_row=4):
            for cell in row:
                assert cell.value != "[c]", (name, cell.coordinate)
                if isinstance(cell.value, int) and 1 <= cell.value <= 4:
                    small.append(cell.coordinate)
    assert small, "the small LA has small figures, shown in full"


def test_return_for_a_viewer_outside_the_council_is_suppressed(small_la, users, tmp_path):
    """The one policy: someone outside the council (the London lead) gets small numbers hidden."""
    from reports.dfe_return import write_return

    path = write_return(small_la["la"], tmp_path / "outside.xlsx", viewer=users["london_lead"])
    wb = load_workbook(path)
    hidden = 0
    for name in ("Devices by school", "Connectivity", "Support demand by language"):
        for row in wb[name].iter_rows(min_row=4, min_col=3):
            for cell in row:
                hidden += cell.value == "[c]"
                if isinstance(cell.value, int):
                    assert not 1 <= cell.value <= 4, (name, cell.coordinate)
    assert hidden


def test_command_rejects_unknown_la(db, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("dfe_return", "--la", "999", "--out", str(tmp_path / "x.xlsx"))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_opens_cleanly_in_libreoffice(workbook_path, tmp_path):
    out = tmp_path / "pdf"
    result = subprocess.run(
        ["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo", "--convert-to", "pdf", "--outdir", str(out), str(workbook_path)],
        capture_output=True, timeout=180,
    )
    assert result.returncode == 0, result.stderr
    pdf = out / "return.pdf"
    assert pdf.exists() and pdf.stat().st_size > 5000
