"""Handover in person (the family's signed acceptance and its PDF), the readiness list before
ownership passes, and returns with each kit item's condition and a data-wipe confirmation."""

import base64
import io
import shutil
import subprocess

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw

from allocations import services
from allocations.models import HandoverAcceptance, ReadinessCheck, ReadinessItem, ReturnInspection
from allocations.services import AllocationError
from allocations.tests.factories import ChildFactory, complete_readiness, handed_over
from devices.models import DeviceEvent, DeviceStatus, Ownership


def signature(width=400, height=150, ink=True):
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if ink:
        ImageDraw.Draw(image).line([(20, 100), (80, 30), (150, 120), (260, 40), (380, 90)], fill=(11, 12, 12, 255), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def pdf_text(pdf):
    if not shutil.which("pdftotext"):
        pytest.skip("poppler's pdftotext is not installed")
    return subprocess.run(["pdftotext", "-", "-"], input=bytes(pdf), capture_output=True, check=True).stdout.decode()


@pytest.fixture
def urdu_allocation(school):
    child = ChildFactory(school=school, preferred_language="ur", first_name="Ayesha", last_name="Khan")
    return handed_over(child=child, serial="PF3XK9", make="Lenovo", model="300e")


def test_acceptance_in_urdu_and_english_with_drawn_signature(urdu_allocation, officer):
    acceptance = services.record_acceptance(
        allocation=urdu_allocation, kit_items=["device", "charger"], guardian_name="Samina Khan", signature=signature(), by=officer
    )
    acceptance.refresh_from_db()
    assert acceptance.method == "drawn"
    assert bytes(acceptance.signature_png).startswith(b"\x89PNG")
    assert acceptance.pdf_languages == "ur,en"
    assert acceptance.kit_items == ["device", "charger"]
    text = pdf_text(acceptance.pdf)
    assert "Your child's device" in text
    assert "PF3XK9" in text and "Samina Khan" in text
    # The Urdu letter's own words, extracted in logical order from the text layer.
    assert "آپ کے بچے کا آلہ" in text or "بچے" in text


def test_typed_name_is_accepted_without_a_signature(urdu_allocation, officer):
    acceptance = services.record_acceptance(
        allocation=urdu_allocation, kit_items=["device"], guardian_name="  Samina   Khan ", signature="", by=officer
    )
    assert (acceptance.method, acceptance.guardian_name, bytes(acceptance.signature_png)) == ("typed", "Samina Khan", b"")
    assert "Typed name" in pdf_text(acceptance.pdf)


@pytest.mark.parametrize(
    "sig, name, message",
    [
        ("", "", "Sign in the box, or type the name"),
        ("", "   ", "Sign in the box, or type the name"),
        (signature(ink=False), "Samina Khan", "signature box is empty"),
        ("data:image/png;base64,!!!!", "Samina Khan", "could not be read"),
        ("data:image/gif;base64,R0lGODlhAQABAAAAACw=", "Samina Khan", "could not be read"),
        ("data:image/png;base64," + base64.b64encode(b"not a png at all").decode(), "Samina Khan", "could not be read"),
        (signature(width=10, height=10), "Samina Khan", "wrong size"),
        ("data:image/png;base64," + "A" * 500_000, "Samina Khan", "too large"),
        (signature(), "", "Type the name"),
    ],
)
def test_signature_of_nothing_or_bad_image_is_refused(urdu_allocation, officer, sig, name, message):
    with pytest.raises(AllocationError, match=message):
        services.record_acceptance(allocation=urdu_allocation, kit_items=["device"], guardian_name=name, signature=sig, by=officer)
    assert not HandoverAcceptance.objects.exists()


def test_acceptance_kit_must_be_the_devices_kit(urdu_allocation, officer):
    with pytest.raises(AllocationError, match="only items"):
        services.record_acceptance(allocation=urdu_allocation, kit_items=["device", "sim"], guardian_name="A", signature="", by=officer)
    with pytest.raises(AllocationError, match="device itself"):
        services.record_acceptance(allocation=urdu_allocation, kit_items=["charger"], guardian_name="A", signature="", by=officer)


def test_signing_again_replaces_the_acceptance(urdu_allocation, officer):
    services.record_acceptance(allocation=urdu_allocation, kit_items=["device"], guardian_name="Samina Kahn", signature="", by=officer)
    services.record_acceptance(allocation=urdu_allocation, kit_items=["device"], guardian_name="Samina Khan", signature="", by=officer)
    assert list(HandoverAcceptance.objects.values_list("guardian_name", flat=True)) == ["Samina Khan"]


@pytest.mark.parametrize("language", ["ar", "fa", "ps", "bn", "gu", "ta", "pa", "hi", "ti", "pl"])
def test_acceptance_pdf_in_other_family_languages(school, officer, language):
    allocation = handed_over(child=ChildFactory(school=school, preferred_language=language))
    acceptance = services.record_acceptance(allocation=allocation, kit_items=["device"], guardian_name="A Parent", signature="", by=officer)
    assert acceptance.pdf_languages == f"{language},en"
    assert "Your child's device" in pdf_text(acceptance.pdf)


def test_anonymise_child_removes_signature_and_pdf(urdu_allocation, officer):
    services.record_acceptance(allocation=urdu_allocation, kit_items=["device"], guardian_name="Samina Khan", signature=signature(), by=officer)
    services.anonymise_child(child=urdu_allocation.child)
    acceptance = HandoverAcceptance.objects.get()
    assert (acceptance.guardian_name, bytes(acceptance.signature_png), bytes(acceptance.pdf)) == ("", b"", b"")
    assert acceptance.removed_at is not None


# Readiness before ownership passes -----------------------------------------------------------


def test_transfer_refused_until_every_readiness_item_is_done(school, officer):
    allocation = handed_over(child=ChildFactory(school=school))
    services.record_readiness(allocation=allocation, items=["factory_reset", "removed_from_mdm"], by=officer)
    with pytest.raises(AllocationError, match="content filter removed, bios or admin password cleared"):
        services.transfer_ownership(allocation=allocation, by=officer, on=timezone.localdate())
    allocation.device.refresh_from_db()
    assert allocation.device.ownership != Ownership.FAMILY
    services.record_readiness(allocation=allocation, items=["content_filter_removed", "password_cleared"], by=officer)
    services.transfer_ownership(allocation=allocation, by=officer, on=timezone.localdate())
    allocation.device.refresh_from_db()
    assert (allocation.device.ownership, allocation.device.status) == (Ownership.FAMILY, DeviceStatus.OWNERSHIP_TRANSFERRED)


def test_readiness_records_who_and_when_once(school, officer, users):
    allocation = handed_over(child=ChildFactory(school=school))
    services.record_readiness(allocation=allocation, items=["factory_reset"], by=officer)
    services.record_readiness(allocation=allocation, items=["factory_reset", "password_cleared"], by=users["school_staff"])
    checks = {c.item: c for c in ReadinessCheck.objects.all()}
    assert checks["factory_reset"].done_by == officer
    assert checks["password_cleared"].done_by == users["school_staff"]
    assert checks["factory_reset"].done_at is not None
    assert services.readiness_missing(allocation) == ["removed_from_mdm", "content_filter_removed"]


def test_readiness_refuses_unknown_items_and_empty(school, officer):
    allocation = handed_over(child=ChildFactory(school=school))
    with pytest.raises(AllocationError, match="not on the readiness list"):
        services.record_readiness(allocation=allocation, items=["reimaged"], by=officer)
    with pytest.raises(AllocationError, match="at least one"):
        services.record_readiness(allocation=allocation, items=[], by=officer)
    assert not ReadinessCheck.objects.exists()


def test_readiness_not_for_a_device_the_family_owns(school, officer):
    allocation = handed_over(child=ChildFactory(school=school))
    complete_readiness(allocation, officer)
    services.transfer_ownership(allocation=allocation, by=officer, on=timezone.localdate())
    with pytest.raises(AllocationError, match="still owns"):
        services.record_readiness(allocation=allocation, items=["factory_reset"], by=officer)


# Returns ---------------------------------------------------------------------------------------


def test_return_with_kit_and_wipe_puts_device_back_in_stock(school, officer):
    allocation = handed_over(child=ChildFactory(school=school))
    services.return_device(
        allocation=allocation, on=timezone.localdate(), by=officer, reason="Left the school",
        kit_conditions={"device": "good", "charger": "missing"}, wipe_method="factory_reset", wipe_reference="WIPE-0042",
    )
    allocation.device.refresh_from_db()
    assert allocation.device.status == DeviceStatus.IN_STOCK
    inspection = ReturnInspection.objects.get()
    assert inspection.kit_conditions == {"device": "good", "charger": "missing"}
    assert (inspection.wipe_reference, inspection.wiped_by) == ("WIPE-0042", officer)
    assert list(DeviceEvent.objects.filter(device=allocation.device).order_by("pk").values_list("to_status", flat=True))[-2:] == ["returned", "in_stock"]


def test_damaged_device_is_reported_faulty_not_stocked(school, officer):
    allocation = handed_over(child=ChildFactory(school=school))
    services.return_device(
        allocation=allocation, on=timezone.localdate(), by=officer, reason="Cracked screen",
        kit_conditions={"device": "damaged", "charger": "good"}, wipe_method="mdm_wipe", wipe_reference="INTUNE-1",
    )
    allocation.device.refresh_from_db()
    assert allocation.device.status == DeviceStatus.FAULT_REPORTED


@pytest.mark.parametrize(
    "conditions, method, reference, message",
    [
        ({"device": "good"}, "factory_reset", "W1", "condition the charger"),
        ({"device": "good", "charger": "lost"}, "factory_reset", "W1", "condition the charger"),
        ({"device": "good", "charger": "good", "sim": "good"}, "factory_reset", "W1", "not part of"),
        ({"device": "good", "charger": "good"}, "", "W1", "how the device's data was wiped"),
        ({"device": "good", "charger": "good"}, "factory_reset", "  ", "data-wipe reference"),
    ],
)
def test_return_refuses_incomplete_inspection(school, officer, conditions, method, reference, message):
    allocation = handed_over(child=ChildFactory(school=school))
    with pytest.raises(AllocationError, match=message):
        services.return_device(allocation=allocation, on=timezone.localdate(), by=officer, reason="x",
                               kit_conditions=conditions, wipe_method=method, wipe_reference=reference)
    allocation.refresh_from_db()
    assert allocation.status == "handed_over"
    assert not ReturnInspection.objects.exists()


def test_subject_access_lists_the_acceptance(urdu_allocation, officer):
    from allocations.data_protection import subject_access_data, subject_access_xlsx

    services.record_acceptance(allocation=urdu_allocation, kit_items=["device"], guardian_name="Samina Khan", signature=signature(), by=officer)
    data = subject_access_data(urdu_allocation.child)
    (row,) = data["handover_acceptances"]
    assert (row["signed_by"], row["method"], row["kit_items"], row["has_signature_image"]) == ("Samina Khan", "drawn", ["device"], True)
    assert subject_access_xlsx(data).startswith(b"PK")


def test_language_without_its_font_prints_english_and_says_so(urdu_allocation, officer, settings, tmp_path):
    from allocations import acceptance

    for name in (acceptance.LATIN_FONT, acceptance.LATIN_BOLD_FONT):
        found = acceptance.find_font(name)
        if found:
            (tmp_path / name).symlink_to(found)
    settings.ACCEPTANCE_FONT_DIRS = [str(tmp_path)]
    result = services.record_acceptance(allocation=urdu_allocation, kit_items=["device"], guardian_name="Samina Khan", signature="", by=officer)
    assert result.pdf_languages == "en"
    assert "This copy is in English only" in pdf_text(result.pdf)


def test_no_fonts_at_all_is_a_clear_refusal(urdu_allocation, officer, settings, tmp_path):
    settings.ACCEPTANCE_FONT_DIRS = [str(tmp_path)]
    with pytest.raises(AllocationError, match="fonts are not installed"):
        services.record_acceptance(allocation=urdu_allocation, kit_items=["device"], guardian_name="Samina Khan", signature="", by=officer)
    assert not HandoverAcceptance.objects.exists()


def test_a_chinese_familys_acceptance_is_in_chinese_and_english(school, officer):
    """Chinese needs the CJK Noto font (Debian's fonts-noto-cjk, installed by .ci/run): with it
    the PDF holds both languages, as for every other family language."""
    from allocations import acceptance as acceptance_pdf

    if not acceptance_pdf.find_font(acceptance_pdf.SCRIPT_FONTS["zh-hans"]):
        pytest.skip("the CJK font (fonts-noto-cjk) is not installed")
    child = ChildFactory(school=school, preferred_language="zh-hans", first_name="Wei", last_name="Chen")
    allocation = handed_over(child=child, serial="PF3ZH1", make="Lenovo", model="300e")
    acceptance = services.record_acceptance(allocation=allocation, kit_items=["device"], guardian_name="Li Chen", signature="", by=officer)
    acceptance.refresh_from_db()
    assert acceptance.pdf_languages == "zh-hans,en"
    text = pdf_text(acceptance.pdf)
    assert "Your child's device" in text and "PF3ZH1" in text
    assert "您孩子的设备" in text.replace(" ", "")
