"""An officer hands a laptop to a child: picks it from the devices in stock (no typed serial),
records the handover, the guardian reads the acceptance in Urdu beside English and signs on
screen; the readiness list is completed and ownership passes after the confirmation page.
axe-core and the page checks run on every page on the way."""

import shutil
import subprocess

import pytest

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations.models import HandoverAcceptance, ReadinessCheck
from allocations.tests.factories import ChildFactory
from devices.models import Device, DeviceStatus, Ownership
from devices.tests.factories import DeviceFactory
from tests.browser.journeys_helpers import Journey

pytestmark = pytest.mark.browser


def test_officer_hands_over_a_laptop_with_signed_urdu_acceptance_then_transfers_ownership(page, login, assert_accessible, transactional_db):
    la = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    school = SchoolFactory(local_authority=la, name="Regent High School")
    officer = UserFactory(username="olu", first_name="Olu", last_name="Ade", role="council_officer", local_authority=la)
    child = ChildFactory(school=school, first_name="Ayesha", last_name="Khan", reference="CAM-0042", preferred_language="ur",
                         guardian_name="Samina Khan")
    DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK, serial="PF3XK9", make="Lenovo", model="300e", kind="laptop")
    DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK, serial="HP0001", make="HP", model="Stream 11", kind="laptop")
    j = Journey(page, assert_accessible)
    login(page, officer)
    j.goto(child.get_absolute_url())

    # The device picker: search by model, choose from the radio buttons.
    page.get_by_label("Allocate a device: search for it").fill("300e")
    j.button("Find a device")
    assert "HP0001" not in page.locator("main").inner_text()
    page.get_by_label("PF3XK9", exact=False).check()
    j.button("Allocate device")
    assert page.locator("h1").inner_text().startswith("Laptop PF3XK9 for Ayesha Khan")

    # The handover, then the family's acceptance.
    page.get_by_label("Received by").fill("Samina Khan")
    j.button("Record handover")
    assert page.locator("h1").inner_text().startswith("The family's acceptance: Laptop PF3XK9 for Ayesha Khan")
    assert page.locator('section[lang="ur"][dir="rtl"]').count() == 1
    assert page.locator('section[lang="en"]').count() == 1
    assert page.get_by_label("Charger").is_checked()
    assert page.get_by_label("Name of the parent or carer signing").input_value() == "Samina Khan"
    pad = page.locator("[data-signature-pad]")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 25):
        page.mouse.move(box["x"] + 30 + step * 15, box["y"] + box["height"] * (0.3 if step % 2 else 0.7), steps=3)
    page.mouse.up()
    assert page.locator("input[name=signature]").input_value().startswith("data:image/png;base64,")
    j.button("Save the signed acceptance")
    assert "The signed acceptance is saved with the allocation." in page.locator("main").inner_text()
    acceptance = HandoverAcceptance.objects.get()
    assert acceptance.method == "drawn" and acceptance.pdf_languages == "ur,en"
    pdf = page.request.get(page.get_by_role("link", name="View or print the signed acceptance (PDF)").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf.body(), capture_output=True, check=True).stdout.decode()
        assert "Samina Khan" in text and "Your child's device" in text and "بچے" in text

    # Before ownership passes: the readiness list, then the confirmation page.
    j.link("Readiness list before ownership passes")
    for label in ("Factory reset done", "Removed from device management", "Content filter removed", "BIOS or admin password cleared"):
        page.locator("form").get_by_label(label).check()
    page.get_by_label("Note").fill("Intune job 4711")
    j.button("Record as done")
    assert ReadinessCheck.objects.count() == 4
    j.link("Transfer ownership to the family")
    j.button("Continue")
    assert "This cannot be undone." in page.locator("main").inner_text()
    assert Device.objects.get(serial="PF3XK9").ownership == Ownership.LA
    j.button("Yes, transfer ownership")
    assert "Ownership transferred to the family." in page.locator("main").inner_text()
    device = Device.objects.get(serial="PF3XK9")
    assert (device.ownership, device.status) == (Ownership.FAMILY, DeviceStatus.OWNERSHIP_TRANSFERRED)
