"""A care leaver who belongs to the council directly (no school) gets a laptop and a letter:
the officer adds the young person through the form with no school, picks a laptop from the
devices in stock, records the handover and prints the letter, which says the council gave the
device. School staff never see the record. axe-core and the page checks run on every page."""

import pytest

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations.models import Allocation, Child
from devices.models import DeviceStatus
from devices.tests.factories import DeviceFactory
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser


def test_a_care_leaver_without_a_school_gets_a_laptop_and_a_letter(page, login, assert_accessible, transactional_db):
    la = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    school = SchoolFactory(local_authority=la, name="Regent High School")
    officer = UserFactory(username="olu", first_name="Olu", last_name="Ade", role="council_officer", local_authority=la)
    DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK, serial="PF3CL1", make="Lenovo", model="300e", kind="laptop")
    DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK, serial="HP0001", make="HP", model="Stream 11", kind="laptop")
    j = Journey(page, assert_accessible)
    login(page, officer)
    j.check()

    # Add the care leaver with no school.
    j.nav("Children", section="Children")
    j.button("Add", exact=True)
    school_field = page.get_by_label("School")
    assert "Leave blank if the child belongs to the council directly" in page.locator("main").inner_text()
    assert school_field.locator("option:checked").inner_text() == "No school: belongs to the council directly"
    page.get_by_label("Child reference").fill("CAM-CL-7")
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Last name").fill("Mensah")
    page.get_by_label("Eligibility").select_option(label="Care leaver")
    j.button("Save", exact=True)
    child = Child.objects.get(reference="CAM-CL-7")
    assert child.school is None and child.local_authority == la
    assert "No school (council)" in page.locator("main").inner_text()

    # The device picker, then the handover.
    page.get_by_label("Allocate a device: search for it").fill("300e")
    j.button("Find a device")
    assert "HP0001" not in page.locator("main").inner_text()
    page.get_by_label("PF3CL1", exact=False).check()
    j.button("Allocate device")
    assert page.locator("h1").inner_text().startswith("Laptop PF3CL1 for Jordan Mensah")
    assert "No school (council)" in page.locator("main").inner_text()
    page.get_by_label("Received by").fill("Jordan Mensah")
    j.button("Record handover")
    assert Allocation.objects.get(device__serial="PF3CL1").status == "handed_over"

    # The letter says the council gave the device; it names no school.
    j.link("Print the handover letter")
    letter = page.locator("main").inner_text()
    assert "The council (Camden) has given Jordan this device to use for school work and learning at home." in letter
    assert "PF3CL1" in letter and school.name not in letter and "None" not in letter

    # School staff of the LA's school do not see the care leaver.
    staff = UserFactory(username="sam", role="school_staff", school=school, local_authority=la)
    page.context.clear_cookies()
    login(page, staff)
    j.goto("/children/")
    assert "CAM-CL-7" not in page.locator("main").inner_text()
    response = page.goto(child.get_absolute_url())
    assert response.status == 404
