"""The council officer moves a closed school's children and devices to its GIAS successor:
Closed schools -> check what will move -> confirm -> the confirmation panel. axe-core checks
every page on the way; a second attempt moves nothing."""

import pytest

from accounts.models import School
from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations.models import Child
from allocations.tests.factories import AllocationFactory, ChildFactory
from devices.models import Device
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser


def test_officer_moves_a_closed_schools_children_to_its_successor(page, login, assert_accessible, transactional_db):
    la = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    successor = SchoolFactory(local_authority=la, urn=990000, name="Argyle Primary School")
    closed = SchoolFactory(local_authority=la, urn=990061, name="Kentish Town Church Primary School", status=School.Status.CLOSED, successor=successor)
    AllocationFactory(child=ChildFactory(school=closed, reference="202-KT-001"))
    ChildFactory(school=closed, reference="202-KT-002")
    officer = UserFactory(username="olu", first_name="Olu", role="council_officer", local_authority=la)
    j = Journey(page, assert_accessible)
    login(page, officer)
    j.check()

    j.nav("Closed schools", section="Schools")
    row = page.locator("tr", has_text="Kentish Town Church Primary School")
    assert "Argyle Primary School" in row.inner_text() and "990000" in row.inner_text()
    j.follow(row.get_by_role("link", name="Move to successor"))

    assert page.get_by_role("heading", name="What will move").is_visible()
    text = page.locator("main").inner_text()
    assert "2 children move to the successor" in text and "1 device moves to the successor" in text
    assert "recorded in each child" in text
    assert Child.objects.filter(school=closed).count() == 2  # looking moves nothing

    j.button("Confirm and move")
    panel = page.locator(".govuk-panel--confirmation")
    assert panel.is_visible() and "2 children are now at Argyle Primary School, with 1 device" in " ".join(panel.inner_text().split())
    assert Child.objects.filter(school=successor).count() == 2 and Device.objects.filter(school=successor).count() == 1

    j.link("Back to closed schools")
    row = page.locator("tr", has_text="Kentish Town Church Primary School")
    assert "Nothing to move" in row.inner_text()
    assert Child.objects.filter(school=closed).count() == 0


def test_admin_confirms_the_la_changes_of_a_gias_extract(page, login, assert_accessible, transactional_db, tmp_path):
    import io

    from django.core.management import call_command

    from accounts.tests.test_import_schools import SAMPLE, sample_rows, set_cell, write_csv

    call_command("import_schools", str(SAMPLE), stdout=io.StringIO())
    header, rows = sample_rows()
    school = School.objects.get(urn=int(rows[0][header.index("URN")]))
    old_la = school.local_authority
    ChildFactory(school=school)
    other = next(r for r in rows if r[header.index("LA (code)")] != rows[0][header.index("LA (code)")])
    moved = list(rows[0])
    for column in ("LA (code)", "LA (name)"):
        set_cell(header, moved, column, other[header.index(column)])
    extract = write_csv(tmp_path / "extract.csv", header, [moved, *rows[1:]])
    admin = UserFactory(username="ada", role="admin", is_staff=True, is_superuser=True)
    j = Journey(page, assert_accessible)
    login(page, admin)
    j.check()

    j.nav("GIAS register", section="Schools")
    j.upload("GIAS establishments extract", extract)
    j.button("Check the extract")
    table = page.locator("table", has_text="Local authority changes to confirm")
    assert school.name in table.inner_text() and old_la.name in table.inner_text()
    school.refresh_from_db()
    assert school.local_authority == old_la  # the check wrote nothing

    j.button("Confirm these local authority changes and import")
    assert page.locator(".govuk-panel--confirmation").is_visible()
    school.refresh_from_db()
    assert school.local_authority.code == other[header.index("LA (code)")]
