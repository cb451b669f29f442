import datetime
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from allocations import services
from allocations.models import Allocation, Child, add_months
from allocations.tests.factories import ChildFactory
from devices.models import DeviceEvent, DeviceStatus
from devices.tests.factories import DeviceFactory


def handed_over(child, by, on):
    device = DeviceFactory(local_authority=child.local_authority, status=DeviceStatus.IN_STOCK, delivered_on=on)
    allocation = services.allocate(child=child, device=device, by=by, on=on)
    return services.hand_over(allocation=allocation, on=on, handed_over_by="Ms Teacher", received_by="Mrs Guardian", by=by)


def test_add_months():
    assert add_months(datetime.date(2026, 3, 31), -1) == datetime.date(2026, 2, 28)
    assert add_months(datetime.date(2026, 1, 15), -42) == datetime.date(2022, 7, 15)
    assert add_months(datetime.date(2026, 11, 30), 3) == datetime.date(2027, 2, 28)


@pytest.fixture
def old_and_recent(school, officer):
    today = timezone.localdate()
    old = ChildFactory(school=school, reference="OLD-1", first_name="Old", last_name="Record",
                       guardian_email="parent@example.org", guardian_name="Mrs Guardian")
    handed_over(old, officer, add_months(today, -(36 + 7)))
    recent = ChildFactory(school=school, reference="NEW-1")
    handed_over(recent, officer, add_months(today, -(36 + 5)))
    never = ChildFactory(school=school, reference="NEVER-1")  # no device handed over, recent record: kept
    return old, recent, never


def test_children_never_given_a_device_are_anonymised_once_their_record_is_old(school, officer):
    today = timezone.localdate()
    stale = ChildFactory(school=school, reference="WAITED-1", first_name="Waited")
    fresh = ChildFactory(school=school, reference="WAITING-1")
    long_ago = timezone.now() - datetime.timedelta(days=(36 + 7) * 31)
    Child.objects.filter(pk=stale.pk).update(updated_at=long_ago)
    out = io.StringIO()
    call_command("anonymise_children", "--months", "6", stdout=out)
    assert "1 children anonymised" in out.getvalue()
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.anonymised_at is not None and stale.first_name == "" and fresh.anonymised_at is None


def test_anonymise_dry_run_changes_nothing(old_and_recent):
    old, recent, never = old_and_recent
    out = io.StringIO()
    call_command("anonymise_children", "--months", "6", "--dry-run", stdout=out)
    assert "1 children would be anonymised" in out.getvalue()
    assert f"child {old.pk}" in out.getvalue()
    old.refresh_from_db()
    assert old.anonymised_at is None and old.first_name == "Old"


def test_anonymise_removes_personal_data_and_keeps_counts(old_and_recent):
    old, recent, never = old_and_recent
    allocations_before = Allocation.objects.count()
    events_before = DeviceEvent.objects.count()
    out = io.StringIO()
    call_command("anonymise_children", "--months", "6", stdout=out)
    assert "1 children anonymised" in out.getvalue()
    old.refresh_from_db()
    assert old.anonymised_at is not None
    assert (old.first_name, old.last_name, old.guardian_name, old.guardian_phone, old.guardian_email) == ("", "", "", "", "")
    assert old.reference.startswith("ANON-") and "OLD-1" not in old.reference
    # Counts kept: the child, its allocations and the custody log are all still there.
    assert Child.objects.count() == 3
    assert Allocation.objects.count() == allocations_before
    assert DeviceEvent.objects.count() == events_before
    allocation = old.allocations.get()
    assert (allocation.received_by, allocation.handed_over_by) == ("", "")
    # History purged too: no old reference, no names of who received the device.
    assert not Child.history.filter(id=old.pk, reference="OLD-1").exists()
    assert not Allocation.history.filter(id=allocation.pk, received_by="Mrs Guardian").exists()
    # The others are untouched.
    recent.refresh_from_db()
    never.refresh_from_db()
    assert recent.anonymised_at is None and never.anonymised_at is None
    # Running again changes nothing.
    out = io.StringIO()
    call_command("anonymise_children", "--months", "6", stdout=out)
    assert "0 children anonymised" in out.getvalue()


def test_anonymise_skips_child_with_planned_device(school, officer):
    today = timezone.localdate()
    child = ChildFactory(school=school)
    handed_over(child, officer, add_months(today, -60))
    services.allocate(child=child, device=DeviceFactory(local_authority=child.local_authority, status=DeviceStatus.IN_STOCK), by=officer)
    call_command("anonymise_children", "--months", "0", stdout=io.StringIO())
    child.refresh_from_db()
    assert child.anonymised_at is None


def test_anonymise_negative_months_refused():
    with pytest.raises(CommandError):
        call_command("anonymise_children", "--months", "-1")


def test_anonymised_child_cannot_be_edited(officer_client, school):
    child = ChildFactory(school=school)
    services.anonymise_child(child=child)
    assert officer_client.get(reverse("allocations:child_update", args=[child.pk])).status_code == 404
    page = officer_client.get(child.get_absolute_url()).content.decode()
    assert "Anonymised record" in page


# Subject access ----------------------------------------------------------------------------


@pytest.fixture
def subject(school, officer):
    child = ChildFactory(school=school, reference="SAR-1", first_name="Sara", guardian_email="mum@example.org")
    first = handed_over(child, officer, timezone.localdate() - datetime.timedelta(days=10))
    spare = DeviceFactory(local_authority=child.local_authority, status=DeviceStatus.IN_STOCK)
    services.replace_device(allocation=first, new_device=spare, by=officer, reason="Battery")
    return child, first


def test_subject_access_json(officer_client, subject):
    child, first = subject
    response = officer_client.get(reverse("allocations:child_export", args=[child.pk]) + "?format=json")
    assert response.status_code == 200
    assert 'attachment; filename="subject-access-SAR-1' in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["child"]["reference"] == "SAR-1"
    assert data["child"]["first_name"] == "Sara"
    assert data["child"]["guardian_email"] == "mum@example.org"
    assert data["child"]["school"]["urn"] == child.school.urn
    assert [a["status"] for a in data["allocations"]] == ["returned", "handed_over"]
    assert data["allocations"][1]["replaces"] == first.pk
    kinds = [e["event"] for e in data["device_events"]]
    assert kinds == ["allocated", "handed_over", "fault_reported", "in_repair", "allocated", "handed_over"]
    assert data["record_history"]
    assert "first_name" not in data["record_history"][0]
    assert isinstance(data["support_tickets"], list)


def test_subject_access_excludes_events_outside_allocation(officer_client, officer, school):
    device = DeviceFactory(local_authority=school.local_authority, status=DeviceStatus.IN_STOCK)
    other = ChildFactory(school=school)
    old = services.allocate(child=other, device=device, by=officer, on=timezone.localdate() - datetime.timedelta(days=20))
    # Events dated before this child's allocation belong to someone else.
    DeviceEvent.objects.filter(device=device).update(at=timezone.now() - datetime.timedelta(days=20))
    services.cancel(allocation=old, by=officer)
    DeviceEvent.objects.filter(device=device, kind="stocked").update(at=timezone.now() - datetime.timedelta(days=19))
    child = ChildFactory(school=school)
    services.allocate(child=child, device=device, by=officer)
    data = json.loads(officer_client.get(reverse("allocations:child_export", args=[child.pk])).content)
    assert [e["event"] for e in data["device_events"]] == ["allocated"]


def test_subject_access_xlsx(officer_client, subject):
    child, _ = subject
    response = officer_client.get(reverse("allocations:child_export", args=[child.pk]) + "?format=xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.sheetnames == ["Child", "Allocations", "Device events", "Handover acceptances", "Record history", "Support tickets"]
    values = {row[0]: row[1] for row in wb["Child"].iter_rows(min_row=2, values_only=True)}
    assert values["reference"] == "SAR-1" and values["first_name"] == "Sara"
    assert wb["Allocations"].max_row == 3


@pytest.mark.parametrize("role", ["school_staff", "cio", "support_agent", "london_lead"])
def test_subject_access_only_for_officers(client, users, subject, role):
    child, _ = subject
    client.force_login(users[role])
    assert client.get(reverse("allocations:child_export", args=[child.pk])).status_code == 403


def test_subject_access_out_of_scope_404(client, users, other_school):
    foreign = ChildFactory(school=other_school)
    client.force_login(users["council_officer"])
    assert client.get(reverse("allocations:child_export", args=[foreign.pk])).status_code == 404
    client.force_login(users["admin"])
    assert client.get(reverse("allocations:child_export", args=[foreign.pk])).status_code == 200


def test_subject_access_includes_tickets_but_withholds_safeguarding(officer_client, subject):
    from support.models import Message
    from support.tests.factories import TicketFactory

    child, first = subject
    ticket = TicketFactory(school=child.school, child=child, device=first.device, description="Laptop will not charge")
    Message.objects.create(ticket=ticket, body="Please try another socket", kind="public")
    Message.objects.create(ticket=ticket, body="Staff-only note", kind="internal")
    TicketFactory(school=child.school, child=child, is_safeguarding=True, description="Sensitive concern")
    TicketFactory(school=child.school, description="Someone else's ticket")
    data = json.loads(officer_client.get(reverse("allocations:child_export", args=[child.pk])).content)
    tickets = data["support_tickets"]
    assert len(tickets) == 2
    assert tickets[0]["reference"] == ticket.reference
    assert tickets[0]["description"] == "Laptop will not charge"
    assert [m["body"] for m in tickets[0]["messages"]] == ["Please try another socket"]
    assert "access_token_hash" not in tickets[0]
    assert "Sensitive concern" not in json.dumps(data)
    assert "Someone else" not in json.dumps(data)


def test_anonymise_blanks_closed_ticket_contacts(school, officer):
    from support.models import Status
    from support.tests.factories import TicketFactory

    child = ChildFactory(school=school)
    closed = TicketFactory(school=school, child=child, status=Status.CLOSED)
    still_open = TicketFactory(school=school, child=child, status=Status.OPEN)
    services.anonymise_child(child=child)
    closed.refresh_from_db()
    still_open.refresh_from_db()
    assert (closed.requester_name, closed.requester_email) == ("", "")
    assert still_open.requester_email == "parent@example.org"
