"""Allocations import: children update-or-create, allocations, device checks, the command."""

import io

import pytest
from django.core.management import call_command

from accounts.tests.factories import SchoolFactory
from allocations.imports import SPEC
from allocations.models import Allocation, Child
from allocations.tests.factories import ChildFactory
from core.imports import engine
from core.imports.testing import csv_bytes, xlsx_bytes
from devices.models import DeviceEvent
from connectivity.tests.factories import SimFactory
from devices.tests.factories import DeviceFactory, RouterFactory, luhn_complete

HEADER = ["URN", "Child ref", "Forename", "Surname", "Year", "Laptop serial", "Dongle", "Parent/carer", "Phone", "Home language", "Needs laptop", "Needs internet", "Eligibility"]


@pytest.fixture
def setup(la, school):
    laptops = [DeviceFactory(serial=f"LAP-{i}", local_authority=la) for i in range(4)]
    router = RouterFactory(serial="RTR-1", local_authority=la)
    sim = SimFactory(iccid=luhn_complete("894411000000000077"), device=router, local_authority=la)
    return {"laptops": laptops, "router": router, "sim": sim, "school": school}


def rows_for(school, sim):
    return [
        HEADER,
        [school.urn, "C-1", "Ana", "Nowak", "Y7", "lap-0", None, "Maria Nowak", "07700 900123", "polski", "yes", "no", "FSM"],
        [str(school.urn), " C-2 ", "Abdi\u00a0", "Hassan", "Reception", "LAP-1", sim.iccid, "Hodan Hassan", "+44 20 7946 0001", "Somali", "y", "x", "social worker"],
        [school.urn, "C-3", "Sara", "Khan", "10", None, "rtr-1x", "Imran Khan", "447700900125", "ur", None, None, None],
    ]


def validate(data, la, name="a.xlsx"):
    return engine.validate(SPEC, io.BytesIO(data), local_authority=la, filename=name)


def test_dry_run_and_commit(la, officer, setup, django_assert_max_num_queries):
    school, sim = setup["school"], setup["sim"]
    rows = rows_for(school, sim)
    rows[3][6] = None
    ChildFactory(reference="C-3", school=school, first_name="Old", guardian_phone="+447700900999", preferred_language="en")
    ctx = validate(xlsx_bytes(rows, title_rows=[["Camden allocations, spring term"]]), la)
    assert ctx.errors == []
    assert ctx.counts["children_create"] == 2 and ctx.counts["children_update"] == 1 and ctx.counts["allocations_create"] == 3
    with django_assert_max_num_queries(40):
        engine.commit(SPEC, io.BytesIO(xlsx_bytes(rows)), local_authority=la, user=officer, filename="a.xlsx")
    ana = Child.objects.get(reference="C-1")
    assert (ana.first_name, ana.year_group, ana.preferred_language, ana.guardian_phone, ana.needs_laptop, ana.needs_connectivity, ana.eligibility) == (
        "Ana", "7", "pl", "+447700900123", True, False, "fsm"
    )
    abdi = Child.objects.get(reference="C-2")
    assert (abdi.first_name, abdi.year_group, abdi.preferred_language, abdi.guardian_phone, abdi.needs_connectivity, abdi.eligibility) == (
        "Abdi", "R", "so", "+442079460001", True, "social_worker"
    )
    sara = Child.objects.get(reference="C-3")
    assert (sara.first_name, sara.preferred_language, sara.guardian_phone, sara.year_group) == ("Sara", "ur", "+447700900125", "10")
    assert Allocation.objects.filter(status="planned").count() == 3
    assert sorted(Allocation.objects.values_list("child__reference", "device__serial")) == [("C-1", "LAP-0"), ("C-2", "LAP-1"), ("C-2", "RTR-1")]
    router = setup["router"]
    router.refresh_from_db()
    assert router.status == "allocated" and router.school_id == school.pk
    assert DeviceEvent.objects.filter(kind="allocated", actor=officer).count() == 3
    # Issue 15 #5: the event links the allocation; the note carries no child reference.
    events = DeviceEvent.objects.filter(kind="allocated")
    assert sorted(events.values_list("allocation__child__reference", flat=True)) == ["C-1", "C-2", "C-2"]
    assert not any("C-" in note for note in events.values_list("note", flat=True))


def test_reimport_is_idempotent_for_same_child(la, officer, setup):
    rows = rows_for(setup["school"], setup["sim"])[:2]
    engine.commit(SPEC, io.BytesIO(xlsx_bytes(rows)), local_authority=la, user=officer)
    ctx = validate(xlsx_bytes(rows), la)
    assert ctx.errors == [] and ctx.counts["children_update"] == 1 and ctx.counts["already_allocated"] == 1
    assert ctx.counts.get("allocations_create", 0) == 0


def test_row_errors(la, officer, setup, other_school, other_la):
    school = setup["school"]
    DeviceFactory(serial="THEIRS", local_authority=other_la)
    taken = DeviceFactory(serial="TAKEN", local_authority=la)
    other_child = ChildFactory(reference="OTHER", school=school)
    Allocation.objects.create(child=other_child, device=taken, status="planned")
    lost = DeviceFactory(serial="LOST-1", local_authority=la, status="lost")
    rows = [
        HEADER,
        [other_school.urn, "E-1", "A", "B", "7", None, None, None, None, None, None, None, None],  # 2: school of another LA
        [school.urn, "E-2", "A", "B", "Y14", "NOPE", None, None, "12345", "Klingon", "maybe", None, "rich"],  # 3: many
        [school.urn, "E-3", "A", "B", "7", "THEIRS", None, None, None, None, None, None, None],  # 4: another LA's device
        [school.urn, "E-4", "A", "B", "7", "taken", None, None, None, None, None, None, None],  # 5: allocated elsewhere
        [school.urn, "E-5", "A", "B", "7", "LAP-2", None, None, None, None, None, None, None],  # 6
        [school.urn, "E-5", "A", "B", "7", "LAP-2", None, None, None, None, None, None, None],  # 7: duplicate child and device
        [school.urn, "E-6", "A", "B", "7", lost.serial, "LAP-3", None, None, None, None, None, None],  # 8: lost; laptop as dongle
        [school.urn, None, "A", "B", "7", None, None, None, None, None, None, None, None],  # 9: no reference
    ]
    ctx = validate(xlsx_bytes(rows), la)
    lines = ctx.error_lines()
    assert f"row 2, URN: No school with URN {other_school.urn} belongs to your council." in lines
    for column in ("Year", "Phone", "Home language", "Needs laptop", "Eligibility"):
        assert any(line.startswith(f"row 3, {column}: ") for line in lines), column
    assert "row 4, Laptop serial: No device with this serial or ICCID is recorded for your council." in lines
    assert "row 5, Laptop serial: This device is already allocated to child OTHER." in lines
    assert "row 7, Child ref: This child is also on row 6." in lines
    assert "row 7, Laptop serial: This device is also on row 6." in lines
    assert any(line.startswith("row 8, Laptop serial: This device's status is") for line in lines)
    assert any(line.startswith("row 8, Dongle: This device is a laptop") for line in lines)
    assert "row 9, Child ref: This is missing." in lines
    assert ctx.counts["not_found"] == 1 and ctx.counts["allocated_elsewhere"] == 1 and ctx.counts["duplicates"] == 2
    with pytest.raises(engine.ImportRejected):
        engine.commit(SPEC, io.BytesIO(xlsx_bytes(rows)), local_authority=la, user=officer)
    assert Child.objects.count() == 1 and Allocation.objects.count() == 1


def test_commit_all_or_nothing_on_failure_mid_write(la, officer, setup, monkeypatch):
    def boom(*args, **kwargs):
        raise RuntimeError("connection lost")

    rows = rows_for(setup["school"], setup["sim"])
    rows[3][6] = None
    monkeypatch.setattr(DeviceEvent.objects, "bulk_create", boom)
    with pytest.raises(RuntimeError):
        engine.commit(SPEC, io.BytesIO(xlsx_bytes(rows)), local_authority=la, user=officer)
    assert Child.objects.count() == 0 and Allocation.objects.count() == 0
    assert not setup["laptops"][0].__class__.objects.filter(status="allocated").exists()


def test_command_dry_run_commit_and_errors(la, setup, tmp_path, capsys):
    school, sim = setup["school"], setup["sim"]
    good = tmp_path / "good.csv"
    rows = rows_for(school, sim)
    rows[3][6] = None
    good.write_bytes(csv_bytes(rows, encoding="cp1252"))
    call_command("import_allocations", str(good), "--la", la.code, "--dry-run")
    out = capsys.readouterr().out
    assert "Children to create: 3" in out and "Dry run: 3 rows checked" in out
    assert Child.objects.count() == 0
    call_command("import_allocations", str(good), "--la", la.code)
    assert "Imported 3 rows." in capsys.readouterr().out
    assert Child.objects.count() == 3 and Allocation.objects.count() == 3

    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(xlsx_bytes([HEADER, [school.urn, "N-1", "A", "B", "7", None, None, None, None, None, None, None, None], [school.urn, "N-2", "A", "B", "Year 99", None, None, None, None, None, None, None, None]]))
    with pytest.raises(SystemExit) as exc:
        call_command("import_allocations", str(bad), "--la", la.code)
    assert exc.value.code == 1
    captured = capsys.readouterr()
    assert [line for line in captured.out.splitlines() if line.startswith("row ")] == [
        "row 3, Year: “Year 99” is not a year group. Use Nursery, Reception or Year 1 to Year 13."
    ]
    assert "nothing was imported" in captured.err
    assert not Child.objects.filter(reference="N-1").exists()

    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a spreadsheet at all")
    with pytest.raises(SystemExit) as exc:
        call_command("import_allocations", str(junk), "--la", la.code, "--dry-run")
    assert exc.value.code == 1


def test_web_allocation_import(officer_client, la, setup):
    from core.imports.testing import upload
    from core.models import ImportJob

    rows = rows_for(setup["school"], setup["sim"])
    rows[3][6] = None
    officer_client.post("/imports/new/?kind=allocations", {"file": upload(xlsx_bytes(rows), "children.xlsx")})
    job = ImportJob.objects.get(kind="allocations")
    assert job.mapping["reference"] == "Child ref" and job.mapping["guardian_phone"] == "Phone"
    officer_client.post(f"/imports/{job.pk}/check/", {f"map_{k}": v for k, v in job.mapping.items()})
    job.refresh_from_db()
    assert job.status == "valid", job.errors
    page = officer_client.get(f"/imports/{job.pk}/")
    assert b"Children to create" in page.content
    officer_client.post(f"/imports/{job.pk}/import/")
    job.refresh_from_db()
    assert job.status == "done" and Child.objects.filter(local_authority=la).count() == 3


def test_school_from_another_la_and_unknown_urn(la, school):
    SchoolFactory(urn=654321)
    ctx = validate(csv_bytes([["URN", "Child ref"], ["654321", "X"], ["12", "Y"]]), la, "a.csv")
    assert [e["row"] for e in ctx.errors] == [2, 3]


def test_sample_fixtures_import_in_order(la, officer):
    """fixtures/delivery_manifest_sample.xlsx then fixtures/allocations_sample.xlsx import cleanly;
    the copy with errors reports each one."""
    from pathlib import Path

    from django.conf import settings

    from devices.imports import SPEC as DELIVERY

    from accounts.models import School

    for urn in (990000, 990050, 990053):
        School.objects.update_or_create(urn=urn, defaults={"local_authority": la, "name": f"School {urn}"})
    fixtures = Path(settings.BASE_DIR) / "fixtures"
    engine.commit(DELIVERY, fixtures / "delivery_manifest_sample.xlsx", local_authority=la, user=officer)
    assert engine.validate(DELIVERY, fixtures / "delivery_manifest_sample.csv", local_authority=la).counts["already_known"] == 12
    lines = engine.validate(SPEC, fixtures / "allocations_sample_with_errors.xlsx", local_authority=la).error_lines()
    assert [line.split(":")[0] for line in lines] == ["row 4, Year", "row 5, Phone", "row 6, Laptop serial", "row 7, Home language", "row 8, Laptop serial"]
    ctx = engine.commit(SPEC, fixtures / "allocations_sample.xlsx", local_authority=la, user=officer)
    assert ctx.counts["children_create"] == 6 and ctx.counts["allocations_create"] == 7
    assert Child.objects.get(reference="CAM-0003").preferred_language == "ur"
