"""A borough's own allocation sheet, as councils write it: title row, human headings, UK dates,
phones in every format, a handover date column. Maps with no help; every planted error is on
its own row, the page and the command line alike; the corrected sheet imports with its
handover dates."""

import datetime
import io
import json

import pytest
from django.core.management import call_command

from allocations.imports import SPEC
from allocations.models import Allocation
from core.imports import engine
from core.imports.headers import describe_columns, match_key
from core.imports.testing import upload, xlsx_bytes
from core.models import ColumnMapping, ImportJob
from devices.tests.factories import DeviceFactory, RouterFactory

HEADINGS = [
    "School URN No.", "Child Ref", "Pupil Forename", "Surname", "NC Yr", "Laptop S/N", "4G Dongle/Router",
    "Parent/Carer Name", "Parent/Carer Tel. No.", "Home Lang.", "Needs laptop?", "Needs Internet?",
    "Eligibility Reason", "Date handed over", "Handed over by", "Notes", "Handover date (actual)",
]
EXPECTED = {
    "school_urn": "School URN No.", "reference": "Child Ref", "first_name": "Pupil Forename", "last_name": "Surname",
    "year_group": "NC Yr", "laptop_serial": "Laptop S/N", "dongle": "4G Dongle/Router", "guardian_name": "Parent/Carer Name",
    "guardian_phone": "Parent/Carer Tel. No.", "language": "Home Lang.", "needs_laptop": "Needs laptop?",
    "needs_connectivity": "Needs Internet?", "eligibility": "Eligibility Reason", "handed_over_on": "Date handed over",
    "handed_over_by": "Handed over by",
}


@pytest.fixture
def world(la, school):
    delivered = datetime.date(2026, 1, 5)
    laptops = [DeviceFactory(serial=f"BOR-{i}", local_authority=la, delivered_on=delivered) for i in range(8)]
    router = RouterFactory(serial="RTR-9", local_authority=la, delivered_on=delivered)
    return {"school": school, "laptops": laptops, "router": router}


def sheet(urn, *, errors=True):
    rows = [
        [urn, "CAM-001", "Ana", "Nowak", "Y7", "bor-0", None, "Maria Nowak", "07700 900123", "Polish", "Yes", "No", "FSM", "03/02/2026", "J. Smith", "", None],
        [urn, "CAM-002", "Abdi", "Hassan", "Year 10", "BOR-1", "rtr-9", "Hodan Hassan", "+44 (0)20 7946 0001", "Somali", "Y", "Y", "Social worker", None, None, "call first", None],
        [urn, "CAM-003", "Sara", "Khan", "R", "BOR-2", None, "Imran Khan", "0044 7700 900125", "ur", "y", "n", "care leaver", "31/02/2026" if errors else "28/02/2026", None, "", None],
        [urn, "CAM-004", "Jo", "Lee", "7", "BOR-3", None, "Kim Lee", "0770 090" if errors else "07700900126", "en", "yes", "no", "fsm", None, None, "", None],
        [urn, "CAM-005", "Mo", "Ali", "Year 99" if errors else "Year 9", "BOR-4", None, "Aisha Ali", "07700 900127", "Arabic", "yes", "no", "fsm", "1 March 2026", None, "", None],
        [urn, "CAM-006", "Li", "Wu", "8", "BOR-5", None, "Mei Wu", "020 7946 0002", "Chinese", "yes", "no", "fsm", "01/01/2026" if errors else "06/01/2026", None, "", None],
        [urn, "CAM-007", "Ola", "Ade", "9", "BOR-6", None, "Tunde Ade", "07700-900-128", "Yoruba", "yes", "no", "fsm", "01/03/2099" if errors else None, None, "", None],
    ]
    return xlsx_bytes([HEADINGS, *rows], title_rows=[["London Borough of Camden – device allocations, spring 2026"], []])


PLANTED = [
    "row 6, Date handed over: There is no such date (day 31, month 2, year 2026).",
    "row 7, Parent/Carer Tel. No.:",
    "row 8, NC Yr: “Year 99” is not a year group.",
    "row 9, Date handed over: The handover date cannot be before the device was delivered (05/01/2026).",
    "row 10, Date handed over: The handover date must be today or in the past.",
]


def _matches(lines):
    assert len(lines) == len(PLANTED), lines
    for line, want in zip(lines, PLANTED):
        assert line.startswith(want), (line, want)


def test_real_world_headings_map_with_no_help(la):
    mapping = engine.guess_mapping(SPEC, HEADINGS)
    assert mapping == EXPECTED
    columns = describe_columns(SPEC, HEADINGS, mapping)
    assert len(columns) == len(HEADINGS)
    notes, actual = columns[15], columns[16]
    assert notes["field"] is None and not notes["warning"]
    # A second handover-date column: not read, and the officer is told which one is.
    assert actual["field"] is None and actual["warning"] and "Date handed over" in actual["reason"]


@pytest.mark.parametrize(
    "heading,field",
    [
        ("URN", "school_urn"), ("School URN", "school_urn"), ("DfE URN", "school_urn"), ("Establishment URN", "school_urn"), ("URN (school)", "school_urn"),
        ("Child Ref No.", "reference"), ("Child reference number", "reference"), ("UPN", "reference"), ("Pupil ID", "reference"), ("Ref.", "reference"), ("Mosaic ID", "reference"), ("Case No", "reference"),
        ("Forename", "first_name"), ("Child's first name", "first_name"), ("Legal Forename", "first_name"), ("FIRST NAME", "first_name"),
        ("Surname", "last_name"), ("Family Name", "last_name"), ("Child surname", "last_name"), ("Last Name", "last_name"),
        ("Year Group", "year_group"), ("Yr Grp", "year_group"), ("NCY", "year_group"), ("National Curriculum Year", "year_group"),
        ("Laptop serial no.", "laptop_serial"), ("Device S/N", "laptop_serial"), ("Serial No", "laptop_serial"), ("Laptop/Tablet Serial", "laptop_serial"), ("Serial number of laptop", "laptop_serial"),
        ("Dongle ICCID", "dongle"), ("Parent email", "guardian_email"), ("SIM No.", "dongle"), ("Router/Dongle serial", "dongle"), ("4G router", "dongle"), ("Dongle & router", "dongle"),
        ("Parent/Carer", "guardian_name"), ("Parent or carer's name", "guardian_name"), ("Parent & Carer Name", "guardian_name"), ("Name of parent/carer", "guardian_name"), ("Main contact", "guardian_name"),
        ("Tel", "guardian_phone"), ("Contact Tel. No.", "guardian_phone"), ("Parent/carer mobile", "guardian_phone"), ("Phone number (parent)", "guardian_phone"), ("Mobile No", "guardian_phone"), ("Telephone Number", "guardian_phone"),
        ("E-mail", "guardian_email"), ("Parent email address", "guardian_email"), ("Email Address", "guardian_email"),
        ("Home Language", "language"), ("Language spoken at home", "language"), ("First language (not English)", "language"), ("Lang", "language"),
        ("Needs a laptop?", "needs_laptop"), ("Laptop required?", "needs_laptop"), ("Device needed?", "needs_laptop"),
        ("Needs internet access?", "needs_connectivity"), ("Needs 4G?", "needs_connectivity"), ("Dongle required", "needs_connectivity"), ("Connectivity needed?", "needs_connectivity"),
        ("Eligibility criteria", "eligibility"), ("Reason for eligibility", "eligibility"), ("Reason", "eligibility"),
        ("Date handed over", "handed_over_on"), ("Handover Date", "handed_over_on"), ("Date issued", "handed_over_on"), ("Date of handover", "handed_over_on"), ("Issued on", "handed_over_on"), ("Handed over?", "handed_over_on"), ("Date given to family", "handed_over_on"),
        ("Handed over by", "handed_over_by"), ("Issued by", "handed_over_by"), ("Given by", "handed_over_by"),
    ],
)
def test_heading_as_written(heading, field):
    assert engine.guess_mapping(SPEC, [heading]) == {field: heading}


@pytest.mark.parametrize(
    "spec_path,heading,field",
    [
        ("devices.imports.SPEC", "Serial No.", "serial"), ("devices.imports.SPEC", "S/N", "serial"), ("devices.imports.SPEC", "IMEI No", "imei"),
        ("devices.imports.SPEC", "SIM Serial No.", "iccid"), ("devices.imports.SPEC", "Mobile No.", "msisdn"), ("devices.imports.SPEC", "Network operator", "network"),
        ("devices.imports.SPEC", "Date delivered", "delivered_on"), ("devices.imports.SPEC", "Delivery date", "delivered_on"), ("devices.imports.SPEC", "PO No.", "order_reference"),
        ("devices.imports.SPEC", "Order Ref", "order_reference"), ("devices.imports.SPEC", "Device type", "kind"), ("devices.imports.SPEC", "Manufacturer", "make"),
        ("devices.imports.SPEC", "Asset No.", "asset_tag"),
        ("devices.licence_imports.SPEC", "Device serial no.", "serial"), ("devices.licence_imports.SPEC", "Licence type", "product"),
        ("devices.licence_imports.SPEC", "Start date", "start"), ("devices.licence_imports.SPEC", "Expiry date", "end"), ("devices.licence_imports.SPEC", "Funded by", "payer"),
        ("devices.licence_imports.SPEC", "Annual cost (£)", "annual_cost"),
    ],
)
def test_other_importers_headings(spec_path, heading, field):
    from django.utils.module_loading import import_string

    assert engine.guess_mapping(import_string(spec_path), [heading]) == {field: heading}


def test_match_key_folds_abbreviations_punctuation_and_order():
    assert match_key("Parent/Carer Tel. No.") == match_key("phone number of parent or carer")
    assert match_key("Child Ref") == match_key("Reference (child)")
    assert match_key("Needs Internet?") == match_key("needs internet")
    assert match_key("Parent & Carer") == match_key("Parent/Carer") == match_key("parent and carer")


def test_page_and_command_report_the_same_errors_then_import_handover_dates(officer_client, la, world, tmp_path, capsys):
    urn = world["school"].urn
    data = sheet(urn)
    officer_client.post("/imports/new/?kind=allocations", {"file": upload(data, "camden.xlsx")})
    job = ImportJob.objects.get(kind="allocations")
    assert job.mapping == EXPECTED
    page = officer_client.get(f"/imports/{job.pk}/").content.decode()
    assert "Every column in your file" in page and "Handover date (actual)" in page and "Not used – check" in page
    officer_client.post(f"/imports/{job.pk}/check/", {f"map_{k}": v for k, v in job.mapping.items()})
    job.refresh_from_db()
    assert job.status == "invalid"
    page_lines = [engine.format_error(e) for e in job.errors]
    _matches(page_lines)

    path = tmp_path / "camden.xlsx"
    path.write_bytes(data)
    with pytest.raises(SystemExit) as exc:
        call_command("import_allocations", str(path), "--la", la.code)
    assert exc.value.code == 1
    out = capsys.readouterr().out
    assert "C 'Pupil Forename' -> first_name" in out and "WARNING Q 'Handover date (actual)'" in out
    assert [line for line in out.splitlines() if line.startswith("row ")] == page_lines
    assert Allocation.objects.count() == 0

    good = tmp_path / "camden-corrected.xlsx"
    good.write_bytes(sheet(urn, errors=False))
    call_command("import_allocations", str(good), "--la", la.code)
    assert "Handovers to record: 4" in capsys.readouterr().out
    got = dict(Allocation.objects.values_list("child__reference", "handed_over_on"))
    assert got["CAM-001"] == datetime.date(2026, 2, 3) and got["CAM-003"] == datetime.date(2026, 2, 28)
    assert got["CAM-002"] is None
    handed = Allocation.objects.get(child__reference="CAM-001")
    assert handed.status == "handed_over" and handed.handed_over_by == "J. Smith"
    handed.device.refresh_from_db()
    assert handed.device.status == "handed_over" and handed.device.handed_over_on == datetime.date(2026, 2, 3)
    assert set(Allocation.objects.filter(child__reference="CAM-002").values_list("status", flat=True)) == {"planned"}


def test_command_uses_remembered_mapping_and_map_options(la, world, tmp_path, capsys):
    urn = world["school"].urn
    path = tmp_path / "odd.xlsx"
    path.write_bytes(xlsx_bytes([["Establishment code", "Kid", "Gadget"], [urn, "K-1", "BOR-5"]]))
    with pytest.raises(SystemExit):
        call_command("import_allocations", str(path), "--la", la.code, "--dry-run", "--map", "school_urn=Establishment code")
    assert "There is no column for Child reference" in capsys.readouterr().out
    call_command("import_allocations", str(path), "--la", la.code, "--dry-run", "--map", "school_urn=Establishment code", "--map", "reference=Kid", "--map", "laptop_serial=Gadget")
    out = capsys.readouterr().out
    assert "B 'Kid' -> reference" in out and "Allocations to create: 1" in out
    mapping_file = tmp_path / "mapping.json"
    mapping_file.write_text(json.dumps({"school_urn": "Establishment code", "reference": "Kid"}))
    call_command("import_allocations", str(path), "--la", la.code, "--dry-run", "--mapping", str(mapping_file))
    assert "Allocations to create: 0" in capsys.readouterr().out
    ColumnMapping.objects.create(local_authority=la, kind="allocations", mapping={"school_urn": "Establishment code", "reference": "Kid", "laptop_serial": "Gadget"})
    call_command("import_allocations", str(path), "--la", la.code, "--dry-run")
    out = capsys.readouterr().out
    assert "your council chose this column last time" in out and "Allocations to create: 1" in out


def test_handover_date_without_device_and_handed_over_by_without_date(la, world):
    urn = world["school"].urn
    rows = [["URN", "Child ref", "Laptop serial", "Date handed over", "Handed over by"], [urn, "A", None, "01/02/2026", None], [urn, "B", "BOR-5", None, "Jo"], [urn, "C", "BOR-4", "01/01/1900", None]]
    ctx = engine.validate(SPEC, io.BytesIO(xlsx_bytes(rows)), local_authority=la)
    assert [(e["row"], e["column"]) for e in ctx.errors] == [(2, "Date handed over"), (3, "Handed over by"), (4, "Date handed over")]
    assert "between 01/01/1990 and 31/12/2100" in ctx.errors[2]["message"]
