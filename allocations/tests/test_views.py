import pytest
from django.urls import reverse
from django.utils import timezone

from allocations import services
from allocations.models import Allocation, AllocationStatus, Child
from allocations.tests.factories import ChildFactory, complete_readiness
from devices.models import DeviceEvent, DeviceStatus, Ownership
from devices.tests.factories import DeviceFactory


@pytest.fixture
def child(school):
    return ChildFactory(school=school, first_name="Amira", last_name="Hassan", reference="CAM-1", preferred_language="so")


@pytest.fixture
def foreign_child(other_school):
    return ChildFactory(school=other_school, first_name="Outside", last_name="Scope", reference="HAC-1")


def login(client, user):
    client.force_login(user)
    return client


def allocated(child, officer, handed_over=False):
    device = DeviceFactory(local_authority=child.local_authority, status=DeviceStatus.IN_STOCK)
    allocation = services.allocate(child=child, device=device, by=officer)
    if handed_over:
        services.hand_over(allocation=allocation, on=timezone.localdate(), handed_over_by="Ms T", received_by="Mr P", by=officer)
    return allocation


# Lists and scope ---------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["council_officer", "cio", "support_agent", "admin"])
def test_child_list_scoped_to_la(client, users, role, child, foreign_child, school):
    ChildFactory(school=school, reference="CAM-2")
    response = login(client, users[role]).get(reverse("allocations:child_list"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "CAM-1" in content
    assert ("HAC-1" in content) == (role == "admin")


def test_school_staff_see_only_their_school(client, users, child, la):
    from accounts.tests.factories import SchoolFactory

    elsewhere = ChildFactory(school=SchoolFactory(local_authority=la), reference="CAM-OTHER-SCHOOL")
    response = login(client, users["school_staff"]).get(reverse("allocations:child_list"))
    assert "CAM-1" in response.content.decode()
    assert "CAM-OTHER-SCHOOL" not in response.content.decode()
    assert login(client, users["school_staff"]).get(reverse("allocations:child_detail", args=[elsewhere.pk])).status_code == 404


def test_london_lead_sees_no_children(client, users, child):
    client.force_login(users["london_lead"])
    assert client.get(reverse("allocations:child_list")).status_code == 403
    assert client.get(reverse("allocations:child_detail", args=[child.pk])).status_code == 403
    assert client.get(reverse("allocations:allocation_list")).status_code == 403


def test_out_of_scope_detail_is_404(officer_client, foreign_child, users):
    foreign_allocation = allocated(foreign_child, users["admin"])
    assert officer_client.get(reverse("allocations:child_detail", args=[foreign_child.pk])).status_code == 404
    for name in ("allocation_detail", "allocation_letter", "allocation_hand_over", "allocation_return", "allocation_cancel",
                 "allocation_replace", "allocation_transfer"):
        assert officer_client.get(reverse(f"allocations:{name}", args=[foreign_allocation.pk])).status_code == 404, name
    assert officer_client.post(reverse("allocations:allocation_cancel", args=[foreign_allocation.pk])).status_code == 404
    foreign_allocation.refresh_from_db()
    assert foreign_allocation.status == AllocationStatus.PLANNED


def test_child_filters(officer_client, school, child):
    ChildFactory(school=school, reference="CAM-PL", preferred_language="pl", year_group="3", needs_connectivity=True)
    url = reverse("allocations:child_list")
    content = officer_client.get(url, {"preferred_language": "pl"}).content.decode()
    assert "CAM-PL" in content and "CAM-1" not in content
    content = officer_client.get(url, {"year_group": "3"}).content.decode()
    assert "CAM-PL" in content and "CAM-1" not in content
    content = officer_client.get(url, {"needs": "connectivity"}).content.decode()
    assert "CAM-PL" in content and "CAM-1" not in content
    content = officer_client.get(url, {"q": "hassan"}).content.decode()
    assert "CAM-1" in content and "CAM-PL" not in content
    content = officer_client.get(url, {"q": "cam-pl"}).content.decode()
    assert "CAM-PL" in content and "CAM-1" not in content


def test_has_device_filter(officer_client, officer, school, child):
    allocated(child, officer)
    ChildFactory(school=school, reference="CAM-WAITING")
    url = reverse("allocations:child_list")
    content = officer_client.get(url, {"has_device": "yes"}).content.decode()
    assert "CAM-1" in content and "CAM-WAITING" not in content
    content = officer_client.get(url, {"has_device": "no"}).content.decode()
    assert "CAM-WAITING" in content and "CAM-1" not in content


def test_child_export_is_scoped(officer_client, child, foreign_child):
    response = officer_client.get(reverse("allocations:child_list"), {"_export": "csv"})
    body = b"".join(response.streaming_content).decode()
    assert "CAM-1" in body and "HAC-1" not in body
    assert "Soomaali" in body or ",so," in body


def test_child_list_query_count(officer_client, officer, school, django_assert_max_num_queries):
    for i in range(30):
        c = ChildFactory(school=school, reference=f"Q{i}")
        if i % 3 == 0:
            allocated(c, officer)
    with django_assert_max_num_queries(12):
        response = officer_client.get(reverse("allocations:child_list"))
    assert response.status_code == 200


def test_child_detail_shows_history_and_query_count(officer_client, officer, child, la, django_assert_max_num_queries):
    first = allocated(child, officer, handed_over=True)
    spare = DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK)
    second = services.replace_device(allocation=first, new_device=spare, by=officer, reason="Broken hinge")
    for _ in range(3):
        extra = DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK)
        a = services.allocate(child=child, device=extra, by=officer)
        services.cancel(allocation=a, by=officer)
    with django_assert_max_num_queries(12):
        response = officer_client.get(reverse("allocations:child_detail", args=[child.pk]))
    content = response.content.decode()
    assert first.device.serial in content and spare.serial in content
    assert f"Replaced by {spare.serial}" in content
    assert reverse("allocations:allocation_letter", args=[second.pk]) in content
    assert "Subject access export" in content
    assert "Amira" in content


def test_allocation_list_and_detail_query_counts(officer_client, officer, school, django_assert_max_num_queries):
    allocations = []
    for i in range(20):
        allocations.append(allocated(ChildFactory(school=school), officer, handed_over=i % 2 == 0))
    with django_assert_max_num_queries(12):
        response = officer_client.get(reverse("allocations:allocation_list"))
    assert response.status_code == 200
    with django_assert_max_num_queries(14):
        response = officer_client.get(reverse("allocations:allocation_detail", args=[allocations[0].pk]))
    assert response.status_code == 200
    assert "Custody log" in response.content.decode()


# Children forms ----------------------------------------------------------------------------


def test_create_child_normalises_phone(officer_client, school):
    response = officer_client.post(reverse("allocations:child_create"), {
        "school": school.pk, "reference": " NEW-1 ", "first_name": "Zara", "last_name": "Ali", "year_group": "7",
        "preferred_language": "ur", "guardian_name": "Mrs Ali", "guardian_phone": "+44 (0)7700 900 123",
        "guardian_email": "", "eligibility": "fsm", "needs_laptop": "on",
    })
    assert response.status_code == 302, response.content.decode()[:2000]
    child = Child.objects.get(reference="NEW-1")
    assert child.guardian_phone == "+447700900123"
    assert child.local_authority == school.local_authority
    page = officer_client.get(child.get_absolute_url()).content.decode()
    assert "07700 900123" in page
    assert "اردو" in page
    edit = officer_client.get(reverse("allocations:child_update", args=[child.pk])).content.decode()
    assert 'value="07700 900123"' in edit


def test_create_child_bad_phone_and_duplicate(officer_client, school, child):
    data = {"school": school.pk, "reference": "CAM-1", "first_name": "X", "year_group": "7", "preferred_language": "en",
            "guardian_phone": "12345", "eligibility": "fsm"}
    response = officer_client.post(reverse("allocations:child_create"), data)
    assert response.status_code == 200
    assert "not a valid phone number" in response.content.decode() or "not a phone number" in response.content.decode()
    data["guardian_phone"] = "020 7946 0001"
    response = officer_client.post(reverse("allocations:child_create"), data)
    assert response.status_code == 200
    assert "already" in response.content.decode()
    assert Child.objects.filter(reference="CAM-1").count() == 1


def test_create_child_out_of_scope_school_refused(officer_client, other_school):
    response = officer_client.post(reverse("allocations:child_create"), {
        "school": other_school.pk, "reference": "X1", "first_name": "X", "preferred_language": "en", "eligibility": "fsm"})
    assert response.status_code == 200
    assert not Child.objects.filter(reference="X1").exists()


@pytest.mark.parametrize("role", ["school_staff", "cio", "support_agent"])
def test_only_officers_edit_children(client, users, role, child):
    client.force_login(users[role])
    assert client.get(reverse("allocations:child_create")).status_code == 403
    assert client.post(reverse("allocations:child_update", args=[child.pk]), {"first_name": "Changed"}).status_code == 403


# Actions through HTTP ---------------------------------------------------------------------


def test_full_journey_through_pages(officer_client, officer, child, la):
    device = DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK, serial="ABC123")
    response = officer_client.get(reverse("allocations:child_allocate", args=[child.pk]), {"q": "abc1"})
    assert f'value="{device.pk}"' in response.content.decode()
    response = officer_client.post(reverse("allocations:child_allocate", args=[child.pk]), {"device": device.pk})
    assert response.status_code == 302
    allocation = Allocation.objects.get(child=child)
    today = timezone.localdate()
    response = officer_client.post(reverse("allocations:allocation_hand_over", args=[allocation.pk]),
                                   {"on": today.strftime("%d/%m/%Y"), "handed_over_by": "", "received_by": "Mr Hassan"})
    assert response["Location"] == reverse("allocations:allocation_acceptance", args=[allocation.pk])
    complete_readiness(allocation, officer)
    response = officer_client.post(reverse("allocations:allocation_transfer", args=[allocation.pk]), {"on": today.strftime("%d/%m/%Y")})
    assert response.status_code == 200 and "This cannot be undone." in response.content.decode()
    response = officer_client.post(reverse("allocations:allocation_transfer", args=[allocation.pk]),
                                   {"on": today.strftime("%d/%m/%Y"), "confirmed": "True"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.ownership == Ownership.FAMILY
    assert list(DeviceEvent.objects.filter(device=device).order_by("at", "pk").values_list("kind", flat=True)) == [
        "allocated", "handed_over", "ownership_transferred"]
    follow = officer_client.get(response["Location"])
    assert "Ownership transferred to the family." in follow.content.decode()


def test_forbidden_action_is_message_not_500(officer_client, officer, child, school):
    allocation = allocated(child, officer)
    # Cancel twice: the second is refused with a clear message.
    officer_client.post(reverse("allocations:allocation_cancel", args=[allocation.pk]))
    response = officer_client.post(reverse("allocations:allocation_cancel", args=[allocation.pk]))
    assert response.status_code == 200
    assert "Only a planned allocation can be cancelled" in response.content.decode()
    # Allocating a device already allocated elsewhere.
    other = allocated(ChildFactory(school=school), officer)
    response = officer_client.post(reverse("allocations:child_allocate", args=[child.pk]), {"device": other.device.pk})
    assert response.status_code == 200
    assert "Choose one of the devices listed" in response.content.decode()
    # A device that is not one of the choices, and a bad date, are form errors.
    response = officer_client.post(reverse("allocations:child_allocate", args=[child.pk]), {"device": "NOPE"})
    assert "Choose one of the devices listed" in response.content.decode()
    response = officer_client.post(reverse("allocations:allocation_hand_over", args=[other.pk]), {"on": "31/02/2026", "received_by": "x"})
    assert response.status_code == 200
    assert "govuk-error-summary" in response.content.decode()


def test_cannot_allocate_out_of_scope_device(officer_client, child, other_la):
    foreign = DeviceFactory(local_authority=other_la, status=DeviceStatus.IN_STOCK, serial="FOREIGN1")
    assert "FOREIGN1" not in officer_client.get(reverse("allocations:child_allocate", args=[child.pk]), {"q": "FOREIGN"}).content.decode()
    response = officer_client.post(reverse("allocations:child_allocate", args=[child.pk]), {"device": foreign.pk})
    assert "Choose one of the devices listed" in response.content.decode()
    assert not Allocation.objects.filter(device=foreign).exists()


def test_school_staff_may_hand_over_only(client, users, officer, child):
    allocation = allocated(child, officer)
    client.force_login(users["school_staff"])
    today = timezone.localdate()
    assert client.post(reverse("allocations:allocation_cancel", args=[allocation.pk])).status_code == 403
    assert client.post(reverse("allocations:allocation_transfer", args=[allocation.pk]), {"on": "01/01/2026"}).status_code == 403
    response = client.post(reverse("allocations:allocation_hand_over", args=[allocation.pk]),
                           {"on": today.strftime("%d/%m/%Y"), "received_by": "Mrs H"})
    assert response.status_code == 302
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.HANDED_OVER
    assert allocation.handed_over_on == today


@pytest.mark.parametrize("role", ["cio", "support_agent"])
def test_read_only_roles_cannot_act(client, users, officer, child, role):
    allocation = allocated(child, officer)
    client.force_login(users[role])
    assert client.get(allocation.get_absolute_url()).status_code == 200
    for name in ("allocation_hand_over", "allocation_cancel", "allocation_return", "allocation_replace", "allocation_transfer"):
        assert client.post(reverse(f"allocations:{name}", args=[allocation.pk]), {"on": "01/01/2026", "received_by": "x"}).status_code == 403
    assert client.post(reverse("allocations:child_allocate", args=[child.pk]), {"serial": "x"}).status_code == 403
    allocation.refresh_from_db()
    assert allocation.status == AllocationStatus.PLANNED


def test_replace_through_page(officer_client, officer, child, la):
    allocation = allocated(child, officer, handed_over=True)
    spare = DeviceFactory(local_authority=la, status=DeviceStatus.IN_STOCK)
    response = officer_client.post(reverse("allocations:allocation_replace", args=[allocation.pk]), {"serial": spare.serial, "reason": "Keyboard"})
    assert response.status_code == 302
    new = Allocation.objects.get(device=spare)
    assert response["Location"] == new.get_absolute_url()
    assert new.replaces == allocation


def test_anonymous_redirected_to_login(client, child):
    response = client.get(reverse("allocations:child_detail", args=[child.pk]))
    assert response.status_code == 302 and "sign-in" in response["Location"]
