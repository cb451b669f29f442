"""Children who belong to the LA directly (no school): care leavers, children missing
education, LA-funded places. The same form, import, allocation, letter and export paths as a
child on a school's roll; school staff never see them (issue 18)."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from allocations import services
from allocations.imports import SPEC
from allocations.models import Child
from allocations.tests.factories import ChildFactory
from core.imports import engine
from core.imports.testing import xlsx_bytes
from devices.models import DeviceStatus
from devices.tests.factories import DeviceFactory


@pytest.fixture
def care_leaver(la):
    return ChildFactory(school=None, local_authority=la, first_name="Jordan", last_name="Mensah", reference="CL-1", eligibility="care_leaver")


def handed_over(child, officer, serial="LT-CL-1"):
    device = DeviceFactory(local_authority=child.local_authority, status=DeviceStatus.IN_STOCK, serial=serial)
    allocation = services.allocate(child=child, device=device, by=officer)
    return services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="Leaving care team", received_by="Jordan", by=officer)


FORM = {
    "school": "", "reference": "CL-NEW", "first_name": "Jordan", "last_name": "Mensah", "year_group": "", "preferred_language": "en",
    "guardian_name": "", "guardian_phone": "", "guardian_email": "", "eligibility": "care_leaver", "needs_laptop": "on",
}


def test_officer_adds_a_child_with_no_school_through_the_form(officer_client, officer, la, school, other_school):
    page = officer_client.get(reverse("allocations:child_create")).content.decode()
    assert "Leave blank if the child belongs to the council directly" in page
    assert "No school: belongs to the council directly" in page
    # The school choices stay the officer's LA's.
    assert school.name in page and other_school.name not in page
    response = officer_client.post(reverse("allocations:child_create"), FORM)
    assert response.status_code == 302
    child = Child.objects.get(reference="CL-NEW")
    assert child.school is None and child.local_authority == la


def test_editing_keeps_the_council_and_can_move_a_child_off_a_school(officer_client, la, school):
    child = ChildFactory(school=school, reference="MOVE-1")
    response = officer_client.post(reverse("allocations:child_update", args=[child.pk]), {**FORM, "reference": "MOVE-1"})
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.school is None and child.local_authority == la


def test_a_school_from_another_council_is_refused(officer_client, other_school):
    response = officer_client.post(reverse("allocations:child_create"), {**FORM, "school": other_school.pk})
    assert response.status_code == 200
    assert not Child.objects.filter(reference="CL-NEW").exists()


def test_an_admin_with_no_council_must_choose_a_school(client, users):
    client.force_login(users["admin"])
    response = client.post(reverse("allocations:child_create"), FORM)
    assert response.status_code == 200
    assert "only a council officer can add a child who belongs to the council directly" in response.content.decode()
    assert not Child.objects.filter(reference="CL-NEW").exists()


def test_school_staff_always_record_a_child_at_their_school(users, school):
    staff = users["school_staff"]
    child = services.save_child(child=Child(reference="S-1", first_name="Kim"), by=staff)
    assert (child.school, child.local_authority) == (school, school.local_authority)


def test_school_staff_never_see_a_child_with_no_school(client, users, care_leaver, school):
    ChildFactory(school=school, reference="AT-SCHOOL")
    client.force_login(users["school_staff"])
    listing = client.get(reverse("allocations:child_list")).content.decode()
    assert "AT-SCHOOL" in listing and "CL-1" not in listing
    assert client.get(reverse("allocations:child_detail", args=[care_leaver.pk])).status_code == 404
    allocation = handed_over(care_leaver, users["council_officer"])
    assert client.get(reverse("allocations:allocation_detail", args=[allocation.pk])).status_code == 404
    assert client.get(reverse("allocations:allocation_letter", args=[allocation.pk])).status_code == 404


def test_the_list_says_no_school_and_filters_on_it(officer_client, care_leaver, school, django_assert_max_num_queries):
    ChildFactory(school=school, reference="AT-SCHOOL")
    with django_assert_max_num_queries(12):
        page = officer_client.get(reverse("allocations:child_list")).content.decode()
    assert "No school (council)" in page
    only = officer_client.get(reverse("allocations:child_list"), {"school": "null"}).content.decode()
    assert "CL-1" in only and "AT-SCHOOL" not in only
    assert "CL-1" not in officer_client.get(reverse("allocations:child_list"), {"school": school.pk}).content.decode()


def test_pages_of_a_child_with_no_school(officer_client, officer, care_leaver):
    detail = officer_client.get(reverse("allocations:child_detail", args=[care_leaver.pk]))
    assert detail.status_code == 200 and "No school (council)" in detail.content.decode()
    allocation = handed_over(care_leaver, officer)
    for name in ("allocation_detail", "allocation_acceptance", "allocation_readiness", "allocation_transfer"):
        response = officer_client.get(reverse(f"allocations:{name}", args=[allocation.pk]))
        assert response.status_code == 200, name
        assert "No school (council)" in response.content.decode(), name
    allocations = officer_client.get(reverse("allocations:allocation_list")).content.decode()
    assert "No school (council)" in allocations
    assert "LT-CL-1" in officer_client.get(reverse("allocations:allocation_list"), {"school": "null"}).content.decode()
    device = allocation.device
    device.refresh_from_db()
    assert device.school_id is None
    story = officer_client.get(device.get_absolute_url())
    assert story.status_code == 200 and "Allocated to Jordan Mensah (CL-1)" in story.content.decode()


def sections(html):
    return re.findall(r'<section class="app-letter__section" lang="([a-z]+)" dir="(rtl|ltr)"[^>]*>(.*?)</section>', html, re.S)


@pytest.mark.parametrize("language, council_words", [
    ("en", None),
    ("so", "Golaha degaanka (Camden) wuxuu Jordan siiyey qalabkan"),
    ("ur", "کونسل (Camden) نے Jordan کو یہ آلہ"),
])
def test_the_letter_says_the_council_gave_the_device(officer_client, officer, care_leaver, language, council_words):
    care_leaver.preferred_language = language
    care_leaver.save()
    allocation = handed_over(care_leaver, officer)
    response = officer_client.get(reverse("allocations:allocation_letter", args=[allocation.pk]))
    assert response.status_code == 200
    found = {lang: body for lang, _dir, body in sections(response.content.decode())}
    assert "The council (Camden) has given Jordan this device to use for school work and learning at home." in found["en"]
    if council_words:
        assert council_words in found[language]
    for body in found.values():
        assert "None" not in body


def test_letter_text_and_acceptance_for_a_child_with_no_school(officer, care_leaver):
    from allocations.letters import letter_text

    allocation = handed_over(care_leaver, officer)
    text, kind = letter_text(allocation, "handover")
    assert kind == "handover" and text.startswith("Camden\n")
    acceptance = services.record_acceptance(allocation=allocation, kit_items=["device", "charger"], guardian_name="Jordan Mensah", signature="", by=officer)
    assert bytes(acceptance.pdf).startswith(b"%PDF")


def test_import_a_row_with_no_school(la, officer, school, care_leaver):
    DeviceFactory(serial="LAP-CL", local_authority=la, status=DeviceStatus.IN_STOCK)
    rows = [
        ["URN", "Child ref", "Forename", "Surname", "Laptop serial"],
        [None, "CL-IMP", "Leyla", "Ahmed", "LAP-CL"],  # no school: the council's
        [school.urn, "AT-SCHOOL", "Sam", "Smith", None],
        [None, "CL-1", "Jordan", "Mensah", None],  # known, with no school: stays so
    ]
    ctx = engine.validate(SPEC, io.BytesIO(xlsx_bytes(rows)), local_authority=la, filename="a.xlsx")
    assert ctx.errors == []
    engine.commit(SPEC, io.BytesIO(xlsx_bytes(rows)), local_authority=la, user=officer, filename="a.xlsx")
    leyla = Child.objects.get(reference="CL-IMP")
    assert leyla.school is None and leyla.local_authority == la
    assert leyla.allocations.get().device.serial == "LAP-CL"
    assert Child.objects.get(reference="AT-SCHOOL").school == school
    assert Child.objects.get(reference="CL-1").school is None


def test_import_without_a_school_column_and_a_known_child_keeps_its_school(la, officer, school):
    ChildFactory(school=school, reference="KEEP-1")
    rows = [["Child ref", "Forename"], ["KEEP-1", "Kim"], ["NEW-1", "Ola"]]
    engine.commit(SPEC, io.BytesIO(xlsx_bytes(rows)), local_authority=la, user=officer, filename="a.xlsx")
    assert Child.objects.get(reference="KEEP-1").school == school
    assert Child.objects.get(reference="NEW-1").school is None


def test_import_an_unknown_school_is_still_an_error(la, officer):
    rows = [["URN", "Child ref"], [None, "OK-1"], ["999999", "BAD-1"]]
    ctx = engine.validate(SPEC, io.BytesIO(xlsx_bytes(rows)), local_authority=la, filename="a.xlsx")
    assert ctx.error_lines() == ["row 3, URN: No school with URN 999999 belongs to your council."]


def test_api_and_data_protection_export_show_no_school_as_null(officer_client, officer, care_leaver):
    from allocations.data_protection import subject_access_data, subject_access_xlsx

    handed_over(care_leaver, officer)
    data = officer_client.get("/api/allocations/").json()
    assert data["results"][0]["child"]["school_urn"] is None
    record = subject_access_data(care_leaver)
    assert record["child"]["school"] is None and record["child"]["local_authority"]["name"] == "Camden"
    assert subject_access_xlsx(record).startswith(b"PK")
    assert officer_client.get(reverse("allocations:child_export", args=[care_leaver.pk])).status_code == 200
