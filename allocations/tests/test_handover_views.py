"""The handover pages through HTTP: the device picker, the family's acceptance, its PDF and
posting it, the readiness list, the transfer confirmation, returns; bad input and scope."""

import pytest
from django.urls import reverse
from django.utils import timezone

from allocations import services
from allocations.models import Allocation, HandoverAcceptance, ReadinessCheck, ReturnInspection
from allocations.tests.factories import ChildFactory, complete_readiness, handed_over
from allocations.tests.test_handover import pdf_text, signature
from devices.models import DeviceStatus, Ownership
from devices.tests.factories import DeviceFactory
from messaging.models import OutboundMessage


@pytest.fixture
def child(school):
    return ChildFactory(school=school, first_name="Ayesha", last_name="Khan", reference="CAM-UR", preferred_language="ur")


@pytest.fixture
def allocation(child):
    return handed_over(child=child, serial="PF3XK9", make="Lenovo", model="300e")


def today():
    return timezone.localdate().strftime("%d/%m/%Y")


# Device picker ------------------------------------------------------------------------------


def test_picker_lists_only_allocatable_devices_in_scope(officer_client, child, la, other_la, django_assert_max_num_queries):
    wanted = DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK, serial="DELL-0001", make="Dell", model="Latitude 3190", asset_tag="CAM-77")
    DeviceFactory(local_authority=la, status=DeviceStatus.IN_REPAIR, serial="DELL-0002", make="Dell")
    DeviceFactory(local_authority=other_la, status=DeviceStatus.IN_STOCK, serial="DELL-0003", make="Dell")
    handed_over(child=ChildFactory(school=child.school), serial="DELL-0004", make="Dell")
    url = reverse("allocations:child_allocate", args=[child.pk])
    with django_assert_max_num_queries(14):
        content = officer_client.get(url, {"q": "dell"}).content.decode()
    assert "DELL-0001" in content and f'value="{wanted.pk}"' in content
    assert "DELL-0002" not in content and "DELL-0003" not in content and "DELL-0004" not in content
    for q in ("cam-77", "latitude 3190", "0001"):
        assert "DELL-0001" in officer_client.get(url, {"q": q}).content.decode(), q
    assert "No device that can be allocated matches" in officer_client.get(url, {"q": "nothing-like-this"}).content.decode()
    # Bad input is a message, never a 500.
    for q in ("x" * 5000, "%", "'; drop table", "\x00"):
        assert officer_client.get(url, {"q": q}).status_code == 200


def test_page_titles_name_the_child_and_device(officer_client, allocation):
    for name in ("allocation_detail", "allocation_acceptance", "allocation_readiness", "allocation_transfer", "allocation_return",
                 "acceptance_send"):
        content = officer_client.get(reverse(f"allocations:{name}", args=[allocation.pk])).content.decode()
        title = content.split("<title>")[1].split("</title>")[0]
        assert "PF3XK9" in title and "Ayesha" in title, (name, title)
        assert "Allocation " + str(allocation.pk) not in title


# Acceptance -----------------------------------------------------------------------------------


def test_handover_screen_shows_kit_and_both_languages(officer_client, allocation, django_assert_max_num_queries):
    with django_assert_max_num_queries(14):
        response = officer_client.get(reverse("allocations:allocation_acceptance", args=[allocation.pk]))
    content = response.content.decode()
    assert 'lang="ur" dir="rtl"' in content and 'lang="en" dir="ltr"' in content
    assert 'name="kit_items" type="checkbox" value="charger"' in content
    assert "data-signature-pad" in content and 'name="guardian_name"' in content


def test_sign_view_and_post_acceptance(officer_client, allocation):
    url = reverse("allocations:allocation_acceptance", args=[allocation.pk])
    response = officer_client.post(url, {"kit_items": ["device", "charger"], "guardian_name": "Samina Khan", "signature": signature()})
    assert response.status_code == 302
    acceptance = HandoverAcceptance.objects.get(allocation=allocation)
    assert acceptance.method == "drawn"
    pdf = officer_client.get(reverse("allocations:acceptance_pdf", args=[allocation.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert "Samina Khan" in pdf_text(pdf.content)
    detail = officer_client.get(allocation.get_absolute_url()).content.decode()
    assert "Samina Khan" in detail and reverse("allocations:acceptance_pdf", args=[allocation.pk]) in detail
    response = officer_client.post(reverse("allocations:acceptance_send", args=[allocation.pk]),
                                   {"address": "Samina Khan\n1 High Street\nLondon\nNW1 1AA"})
    assert response.status_code == 302
    message = OutboundMessage.objects.get()
    assert message.channel == "letter" and "Samina Khan" in message.body
    officer_client.post(reverse("allocations:acceptance_send", args=[allocation.pk]), {"address": "Samina Khan\n1 High Street\nLondon\nNW1 1AA"})
    assert OutboundMessage.objects.count() == 1


def test_empty_signature_is_refused_with_a_clear_error(officer_client, allocation):
    url = reverse("allocations:allocation_acceptance", args=[allocation.pk])
    for data in ({"kit_items": ["device"], "guardian_name": "", "signature": ""},
                 {"kit_items": ["device"], "guardian_name": "Samina", "signature": signature(ink=False)},
                 {"kit_items": ["device"], "guardian_name": "Samina", "signature": "data:image/png;base64,AAAA"},
                 {"kit_items": ["bogus"], "guardian_name": "Samina", "signature": ""},
                 {"guardian_name": "Samina", "signature": ""}):
        response = officer_client.post(url, data)
        assert response.status_code == 200, data
        assert "govuk-error-summary" in response.content.decode()
    assert not HandoverAcceptance.objects.exists()
    assert officer_client.get(reverse("allocations:acceptance_pdf", args=[allocation.pk])).status_code == 404


def test_acceptance_of_planned_allocation_is_refused(officer_client, child, officer):
    device = DeviceFactory(local_authority=child.local_authority, status=DeviceStatus.IN_STOCK)
    planned = services.allocate(child=child, device=device, by=officer)
    url = reverse("allocations:allocation_acceptance", args=[planned.pk])
    assert "Record the handover before" in officer_client.get(url).content.decode()
    response = officer_client.post(url, {"kit_items": ["device"], "guardian_name": "Samina", "signature": ""})
    assert response.status_code == 200 and "Record the handover before" in response.content.decode()


def test_school_staff_take_the_signature_but_out_of_scope_is_404(client, users, allocation, other_school, officer):
    client.force_login(users["school_staff"])
    url = reverse("allocations:allocation_acceptance", args=[allocation.pk])
    assert client.post(url, {"kit_items": ["device"], "guardian_name": "Samina Khan", "signature": ""}).status_code == 302
    foreign = handed_over(child=ChildFactory(school=other_school))
    services.record_acceptance(allocation=foreign, kit_items=["device"], guardian_name="Hidden Parent", signature="", by=officer)
    for name in ("allocation_acceptance", "acceptance_pdf", "acceptance_send"):
        assert client.get(reverse(f"allocations:{name}", args=[foreign.pk])).status_code == 404, name


def test_read_only_roles_cannot_sign_or_tick(client, users, allocation):
    client.force_login(users["cio"])
    assert client.post(reverse("allocations:allocation_acceptance", args=[allocation.pk]), {"guardian_name": "x"}).status_code == 403
    assert client.post(reverse("allocations:allocation_readiness", args=[allocation.pk]), {"items": ["factory_reset"]}).status_code == 403
    client.force_login(users["school_staff"])
    assert client.post(reverse("allocations:allocation_readiness", args=[allocation.pk]), {"items": ["factory_reset"]}).status_code == 403
    assert not ReadinessCheck.objects.exists()


# Readiness and transfer ----------------------------------------------------------------------


def test_readiness_then_confirmation_then_transfer(officer_client, allocation, django_assert_max_num_queries):
    transfer = reverse("allocations:allocation_transfer", args=[allocation.pk])
    page = officer_client.get(transfer).content.decode()
    assert "Ownership cannot pass until every item is done." in page
    # Posting the date without the readiness list: the service refuses.
    response = officer_client.post(transfer, {"on": today(), "confirmed": "True"})
    assert "readiness list is complete" in response.content.decode()
    readiness = reverse("allocations:allocation_readiness", args=[allocation.pk])
    assert "govuk-error-summary" in officer_client.post(readiness, {}).content.decode()
    assert "govuk-error-summary" in officer_client.post(readiness, {"items": ["not-an-item"]}).content.decode()
    officer_client.post(readiness, {"items": ["factory_reset", "removed_from_mdm"], "note": "Intune job 42"})
    officer_client.post(readiness, {"items": ["content_filter_removed", "password_cleared"]})
    with django_assert_max_num_queries(12):
        page = officer_client.get(readiness).content.decode()
    assert page.count("govuk-tag--green") == 4 and "Intune job 42" in page
    confirm = officer_client.post(transfer, {"on": today()})
    content = confirm.content.decode()
    assert "This cannot be undone." in content and "Yes, transfer ownership" in content
    allocation.device.refresh_from_db()
    assert allocation.device.ownership == Ownership.LA  # not yet
    assert officer_client.post(transfer, {"on": "31/02/2026", "confirmed": "True"}).status_code == 200
    response = officer_client.post(transfer, {"on": today(), "confirmed": "True"})
    assert response.status_code == 302
    allocation.device.refresh_from_db()
    assert allocation.device.ownership == Ownership.FAMILY


# Returns ---------------------------------------------------------------------------------------


def test_return_page_records_conditions_and_wipe(officer_client, allocation):
    url = reverse("allocations:allocation_return", args=[allocation.pk])
    page = officer_client.get(url).content.decode()
    assert 'name="kit_device"' in page and 'name="kit_charger"' in page and 'name="wipe_method"' in page
    response = officer_client.post(url, {"on": today(), "reason": "Moved away", "kit_device": "good"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert not ReturnInspection.objects.exists()
    response = officer_client.post(url, {"on": today(), "reason": "Moved away", "kit_device": "good", "kit_charger": "damaged",
                                         "wipe_method": "factory_reset", "wipe_reference": "WIPE-9"})
    assert response.status_code == 302
    allocation.refresh_from_db()
    allocation.device.refresh_from_db()
    assert allocation.status == "returned" and allocation.device.status == DeviceStatus.IN_STOCK
    detail = officer_client.get(allocation.get_absolute_url()).content.decode()
    assert "WIPE-9" in detail and "Damaged" in detail
    assert Allocation.objects.get(pk=allocation.pk).return_inspection.kit_conditions == {"device": "good", "charger": "damaged"}
