"""GIAS changes made safely: a school that holds children, devices or tickets does not move to
another LA unless confirmed; closed schools with a successor are listed and can be moved."""

import io

import pytest
from django.core.management import CommandError, call_command

from accounts.models import School
from accounts.tests.test_import_schools import SAMPLE, sample_rows, set_cell, write_csv
from allocations.models import Child
from allocations.tests.factories import ChildFactory
from devices.tests.factories import DeviceFactory

pytestmark = pytest.mark.django_db


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_schools", str(path), *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def loaded():
    run(SAMPLE)
    header, rows = sample_rows()
    school = School.objects.get(urn=int(rows[0][header.index("URN")]))
    others = [r for r in rows if r[header.index("LA (code)")] != rows[0][header.index("LA (code)")]]
    assert others, "the sample has schools in more than one LA"
    return header, rows, school, others[0]


def moved_file(tmp_path, header, rows, other):
    row = list(rows[0])
    for column in ("LA (code)", "LA (name)"):
        set_cell(header, row, column, other[header.index(column)])
    return write_csv(tmp_path / "moved.csv", header, [row, *rows[1:]])


def test_a_school_with_children_and_devices_is_not_moved_silently(loaded, tmp_path):
    header, rows, school, other = loaded
    old_la = school.local_authority
    child = ChildFactory(school=school)
    DeviceFactory(local_authority=old_la, school=school)
    path = moved_file(tmp_path, header, rows, other)

    with pytest.raises(CommandError, match="would move to another LA"):
        call_command("import_schools", str(path), stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert f"row 2, LA (code): school {school.urn}" in err.getvalue() and "1 children, 1 devices and 0 tickets" in err.getvalue()
    school.refresh_from_db()
    assert school.local_authority == old_la

    out, _err = run(path, "--dry-run")
    assert "would need --accept-la-changes" in out
    school.refresh_from_db()
    assert school.local_authority == old_la

    out, _err = run(path, "--accept-la-changes")
    assert "moved (accepted)" in out
    school.refresh_from_db()
    child.refresh_from_db()
    assert school.local_authority.code == other[header.index("LA (code)")]
    assert child.local_authority == school.local_authority


def test_an_empty_school_moves_as_before(loaded, tmp_path):
    header, rows, school, other = loaded
    out, _err = run(moved_file(tmp_path, header, rows, other))
    assert "updated 1" in out
    school.refresh_from_db()
    assert school.local_authority.code == other[header.index("LA (code)")]


def test_closed_school_with_successor_listed_and_moved_in_one_confirmed_step(loaded, tmp_path):
    header, rows, school, _other = loaded
    successor = School.objects.filter(local_authority=school.local_authority).exclude(pk=school.pk).first()
    school.status = School.Status.CLOSED
    school.save()
    child = ChildFactory(school=school)
    device = DeviceFactory(local_authority=school.local_authority, school=school)
    links = tmp_path / "links.csv"
    links.write_text(f'"URN","LinkURN","LinkName","LinkType","LinkEstablishedDate"\n"{school.urn}","{successor.urn}","x","Successor","01-09-2025"\n')
    out, _err = run(SAMPLE, "--dry-run", "--links", str(links))
    assert f"Closed: {school.urn}" in out and "1 children, 1 devices, 0 tickets" in out

    out = io.StringIO()
    call_command("move_to_successor", str(school.urn), str(successor.urn), stdout=out)
    child.refresh_from_db()
    assert child.school == school and "Nothing moved" in out.getvalue()
    call_command("move_to_successor", str(school.urn), str(successor.urn), "--confirm", stdout=out)
    child.refresh_from_db()
    device.refresh_from_db()
    assert child.school == successor and device.school == successor
    assert Child.history.filter(id=child.pk).count() >= 2
    with pytest.raises(CommandError, match="not closed"):
        call_command("move_to_successor", str(successor.urn), str(school.urn), "--confirm", stdout=io.StringIO())
