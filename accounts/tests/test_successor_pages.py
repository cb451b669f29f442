"""GIAS changes made safely, on pages (issue 13): closed schools with a successor listed with
what they hold, a check-your-answers page and one confirmed move; refusals move nothing; the
admins' GIAS upload shows the LA changes and makes them only when confirmed."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from accounts.models import School
from accounts.tests.factories import SchoolFactory
from accounts.tests.test_import_schools import SAMPLE, sample_rows, set_cell, write_csv
from allocations.models import Allocation, Child
from allocations.tests.factories import AllocationFactory, ChildFactory
from devices.models import Device
from devices.tests.factories import DeviceFactory
from support.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def closed(la, other_la, school):
    """A closed Camden school (successor ``school``) holding 2 children (one allocated), a spare
    device, an open ticket and a safeguarding one; a closed Hackney school; an empty closed
    Camden school."""
    old = SchoolFactory(local_authority=la, status=School.Status.CLOSED, name="Old Camden Primary", successor=school)
    allocation = AllocationFactory(child=ChildFactory(school=old))
    ChildFactory(school=old)
    DeviceFactory(local_authority=la, school=old, serial="SPARE-1")
    TicketFactory(school=old)
    TicketFactory(school=old, is_safeguarding=True)  # hidden from the officer: not counted for them either
    hackney_new = SchoolFactory(local_authority=other_la, name="New Hackney Academy")
    theirs = SchoolFactory(local_authority=other_la, status=School.Status.CLOSED, name="Old Hackney Primary", successor=hackney_new)
    ChildFactory(school=theirs)
    empty = SchoolFactory(local_authority=la, status=School.Status.CLOSED, name="Empty Camden Infants", successor=school)
    return {"old": old, "new": school, "allocation": allocation, "theirs": theirs, "empty": empty}


def test_list_shows_closed_schools_in_scope_with_what_they_hold(client, users, closed, django_assert_max_num_queries):
    client.force_login(users["council_officer"])
    with django_assert_max_num_queries(8):
        response = client.get(reverse("accounts:successor_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Old Camden Primary" in body and "Empty Camden Infants" in body and closed["new"].name in body
    assert "Old Hackney Primary" not in body and "New Hackney Academy" not in body
    row = body[body.index("Old Camden Primary") :].split("</tr>")[0]
    cells = [c.split(">")[-1] for c in row.split("</td>")[:-1]]
    assert cells[2:6] == ["2", "1", "2", "1"]  # children, active allocations, devices (the allocated one + a spare), open tickets
    assert reverse("accounts:successor_move", args=[closed["old"].pk]) in body
    assert reverse("accounts:successor_move", args=[closed["empty"].pk]) not in body and "Nothing to move" in body
    export = b"".join(client.get(reverse("accounts:successor_list") + "?_export=csv").streaming_content).decode()
    assert "Old Camden Primary" in export and "Old Hackney Primary" not in export
    assert "Closed schools" in client.get(reverse("accounts:school_list")).content.decode()  # in the Schools section's pages

    detail = client.get(closed["old"].get_absolute_url()).content.decode()
    assert closed["new"].name in detail and reverse("accounts:successor_move", args=[closed["old"].pk]) in detail

    client.force_login(users["admin"])
    body = client.get(reverse("accounts:successor_list")).content.decode()
    assert "Old Camden Primary" in body and "Old Hackney Primary" in body
    for role in ("school_staff", "cio", "support_agent", "london_lead"):
        client.force_login(users[role])
        assert client.get(reverse("accounts:successor_list")).status_code == 403, role


def test_confirm_then_move_in_one_step_then_a_second_post_moves_nothing(client, users, closed, django_assert_max_num_queries):
    old, new = closed["old"], closed["new"]
    client.force_login(users["council_officer"])
    url = reverse("accounts:successor_move", args=[old.pk])
    with django_assert_max_num_queries(10):
        page = client.get(url).content.decode()
    assert "2 children move to the successor" in page and "1 active allocation follows its child" in page
    assert "2 devices move to the successor" in page and "1 open ticket stays with the closed school" in page
    assert "recorded in each child" in page and "Confirm and move" in page and str(new.urn) in page
    assert Child.objects.filter(school=old).count() == 2  # the GET moved nothing

    response = client.post(url)
    assert response.status_code == 302 and response.url == reverse("accounts:successor_moved", args=[old.pk])
    assert Child.objects.filter(school=old).count() == 0 and Child.objects.filter(school=new).count() == 2
    assert Device.objects.filter(school=old).count() == 0 and Device.objects.filter(school=new).count() == 2
    allocation = Allocation.objects.get(pk=closed["allocation"].pk)
    assert allocation.child.school == new and allocation.status == closed["allocation"].status
    latest = Child.history.filter(id=allocation.child_id).latest("history_date")
    assert latest.history_user == users["council_officer"] and f"{old.urn}" in latest.history_change_reason
    assert Device.history.filter(serial="SPARE-1").latest("history_date").history_user == users["council_officer"]
    assert old.tickets.count() == 2  # tickets stay where they were raised
    done = client.get(response.url).content.decode()
    assert "govuk-panel--confirmation" in done and "2 children are now at" in done and "with 2 devices" in done

    again = client.post(url)
    assert again.status_code == 409 and "Nothing was moved" in again.content.decode()
    assert "nothing is left to move" in again.content.decode()
    assert Child.objects.filter(school=new).count() == 2 and Device.objects.filter(school=new).count() == 2
    # Without a move in this session the confirmation page sends the officer back to the list.
    client.force_login(users["admin"])
    assert client.get(reverse("accounts:successor_moved", args=[old.pk])).url == reverse("accounts:successor_list")


def test_refusals_move_nothing(client, users, la, other_la, closed):
    client.force_login(users["council_officer"])
    # Not closed: its own page warns and offers no button; a POST is refused.
    open_school = closed["new"]
    ChildFactory(school=open_school)
    page = client.get(reverse("accounts:successor_move", args=[open_school.pk])).content.decode()
    assert "is not closed" in page and "Confirm and move" not in page
    assert client.post(reverse("accounts:successor_move", args=[open_school.pk])).status_code == 409
    # Closed but no successor recorded.
    orphan = SchoolFactory(local_authority=la, status=School.Status.CLOSED)
    ChildFactory(school=orphan)
    response = client.post(reverse("accounts:successor_move", args=[orphan.pk]))
    assert response.status_code == 409 and "GIAS names no successor" in response.content.decode()
    assert Child.objects.filter(school=orphan).count() == 1
    # A successor in another council: a warning, and it needs the councils and an administrator.
    across = SchoolFactory(local_authority=la, status=School.Status.CLOSED, successor=SchoolFactory(local_authority=other_la))
    ChildFactory(school=across)
    page = client.get(reverse("accounts:successor_move", args=[across.pk])).content.decode()
    assert "another council" in page and "administrator" in page and "Confirm and move" not in page
    assert client.post(reverse("accounts:successor_move", args=[across.pk])).status_code == 409
    assert Child.objects.filter(school=across).count() == 1
    # Outside the officer's scope: not found, and nothing moves.
    theirs = closed["theirs"]
    assert client.get(reverse("accounts:successor_move", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("accounts:successor_move", args=[theirs.pk])).status_code == 404
    assert Child.objects.filter(school=theirs).count() == 1
    # Other roles may not move anything.
    for role in ("school_staff", "cio", "support_agent"):
        client.force_login(users[role])
        assert client.post(reverse("accounts:successor_move", args=[closed["old"].pk])).status_code == 403
    assert Child.objects.filter(school=closed["old"]).count() == 2
    # Anonymous: to sign in.
    client.logout()
    assert client.post(reverse("accounts:successor_move", args=[closed["old"].pk])).status_code == 302
    assert Child.objects.filter(school=closed["old"]).count() == 2


# --------------------------------------------------------------------------- the admins' GIAS page


def gias_file(tmp_path, move_first_to_other_la=False):
    header, rows = sample_rows()
    if move_first_to_other_la:
        other = next(r for r in rows if r[header.index("LA (code)")] != rows[0][header.index("LA (code)")])
        row = list(rows[0])
        for column in ("LA (code)", "LA (name)"):
            set_cell(header, row, column, other[header.index(column)])
        rows = [row, *rows[1:]]
    return write_csv(tmp_path / "extract.csv", header, rows).read_bytes(), header, rows


def upload(client, data, links=None):
    payload = {"file": SimpleUploadedFile("extract.csv", data)}
    if links is not None:
        payload["links"] = SimpleUploadedFile("links.csv", links)
    return client.post(reverse("accounts:gias_import"), payload)


def test_gias_page_shows_la_changes_and_makes_them_only_when_confirmed(client, users, tmp_path):
    call_command("import_schools", str(SAMPLE), stdout=io.StringIO())
    header, rows = sample_rows()
    school = School.objects.get(urn=int(rows[0][header.index("URN")]))
    old_la = school.local_authority
    ChildFactory(school=school)
    DeviceFactory(local_authority=old_la, school=school)
    data, header, rows = gias_file(tmp_path, move_first_to_other_la=True)
    client.force_login(users["admin"])

    response = upload(client, data)
    body = response.content.decode()
    assert response.status_code == 200 and "Schools that would move to another local authority" in body
    assert f"{school.name} ({school.urn})" in body and f"{old_la.name} ({old_la.code})" in body
    assert rows[0][header.index("LA (name)")] in body
    assert "Confirm these local authority changes and import" in body
    school.refresh_from_db()
    assert school.local_authority == old_la  # the check wrote nothing

    token = client.session["accounts.gias_check"]["token"]
    assert client.post(reverse("accounts:gias_confirm"), {"check": "stale"}).status_code == 302
    school.refresh_from_db()
    assert school.local_authority == old_la
    response = client.post(reverse("accounts:gias_confirm"), {"check": token})
    assert response.status_code == 302 and response.url == reverse("accounts:gias_done")
    school.refresh_from_db()
    assert school.local_authority.code == rows[0][header.index("LA (code)")]
    assert Child.objects.get(school=school).local_authority == school.local_authority
    done = client.get(response.url).content.decode()
    assert "govuk-panel--confirmation" in done and "0 new, 1 changed" in done
    # The check is spent: confirming again does nothing.
    assert client.post(reverse("accounts:gias_confirm"), {"check": token}).url == reverse("accounts:gias_import")


def test_gias_confirm_refuses_a_change_that_appeared_after_the_check(client, users, tmp_path):
    call_command("import_schools", str(SAMPLE), stdout=io.StringIO())
    header, rows = sample_rows()
    school = School.objects.get(urn=int(rows[0][header.index("URN")]))
    old_la = school.local_authority
    data, header, rows = gias_file(tmp_path, move_first_to_other_la=True)
    client.force_login(users["admin"])
    body = upload(client, data).content.decode()
    assert "Schools that would move to another local authority" not in body  # empty: moves freely
    token = client.session["accounts.gias_check"]["token"]
    ChildFactory(school=school)  # meanwhile the school gets a child
    response = client.post(reverse("accounts:gias_confirm"), {"check": token}, follow=True)
    assert "Nothing was imported" in response.content.decode()
    school.refresh_from_db()
    assert school.local_authority == old_la


def test_gias_page_errors_links_and_roles(client, users, tmp_path, la, school):
    client.force_login(users["admin"])
    response = upload(client, b"not,a,gias,file\n1,2,3,4\n")
    assert response.status_code == 200 and "This is not a GIAS establishments extract" in response.content.decode()
    # With the links file, the closed school's successor is recorded on import.
    call_command("import_schools", str(SAMPLE), stdout=io.StringIO())
    header, rows = sample_rows()
    first, second = (int(r[header.index("URN")]) for r in rows[:2])
    links = f'"URN","LinkURN","LinkName","LinkType","LinkEstablishedDate"\n"{first}","{second}","x","Successor","01-09-2025"\n'.encode()
    body = upload(client, SAMPLE.read_bytes(), links).content.decode()
    assert "Successor links in the links file" in body
    assert School.objects.get(urn=first).successor is None
    client.post(reverse("accounts:gias_confirm"), {"check": client.session["accounts.gias_check"]["token"]})
    assert School.objects.get(urn=first).successor.urn == second
    for role in ("council_officer", "cio", "school_staff", "support_agent", "london_lead"):
        client.force_login(users[role])
        assert client.get(reverse("accounts:gias_import")).status_code == 403, role
        assert client.post(reverse("accounts:gias_confirm"), {"check": "x"}).status_code == 403, role


def test_import_schools_links_records_successors(tmp_path):
    call_command("import_schools", str(SAMPLE), stdout=io.StringIO())
    header, rows = sample_rows()
    first, second = (int(r[header.index("URN")]) for r in rows[:2])
    links = tmp_path / "links.csv"
    links.write_text(f'"URN","LinkURN","LinkName","LinkType","LinkEstablishedDate"\n"{first}","{second}","x","Successor","01-09-2025"\n"1","{second}","x","Successor",""\n')
    out = io.StringIO()
    call_command("import_schools", str(SAMPLE), "--dry-run", "--links", str(links), stdout=out)
    assert School.objects.get(urn=first).successor is None
    call_command("import_schools", str(SAMPLE), "--links", str(links), stdout=(out := io.StringIO()))
    assert "Successors recorded: 1 new or changed, 0 unchanged, 1 naming schools not held." in out.getvalue()
    assert School.objects.get(urn=first).successor.urn == second
