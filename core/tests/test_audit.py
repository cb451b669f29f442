"""Audit: every create, change and delete is recorded with who and when, and admins read it."""

import pytest
from django.urls import reverse

from accounts.models import LocalAuthority, School

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, users):
    client.force_login(users["admin"])
    return client


def school_form(la, **changes):
    data = {"urn": "123456", "name": "Primrose Hill Primary School", "local_authority": la.pk, "phase": "Primary",
            "type": "Community school", "status": "open", "postcode": "NW1 8JL", "open_date": "", "close_date": ""}
    data.update(changes)
    return data


def test_create_change_delete_over_http_are_recorded_with_the_acting_user(admin_client, users, la):
    admin = users["admin"]
    response = admin_client.post(reverse("admin:accounts_school_add"), school_form(la))
    assert response.status_code == 302, response.content.decode()[:2000]
    school = School.objects.get(urn=123456)

    response = admin_client.post(reverse("admin:accounts_school_change", args=[school.pk]), school_form(la, status="closed"))
    assert response.status_code == 302

    response = admin_client.post(reverse("admin:accounts_school_delete", args=[school.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not School.objects.filter(urn=123456).exists()

    records = list(School.history.filter(urn=123456).order_by("history_date", "history_id"))
    assert [r.history_type for r in records] == ["+", "~", "-"]
    assert all(r.history_user == admin for r in records)
    assert records[1].status == "closed" and records[0].status == "open"
    assert records[0].history_date <= records[1].history_date <= records[2].history_date


def test_admin_can_read_the_history(admin_client, la):
    admin_client.post(reverse("admin:accounts_localauthority_change", args=[la.pk]), {"code": la.code, "name": "Camden Council", "gss_code": la.gss_code})
    response = admin_client.get(reverse("admin:accounts_localauthority_history", args=[la.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Camden Council" in page
    assert "Changed" in page or "~" in page


def test_non_admins_cannot_read_the_history(client, users, la):
    for role in ("council_officer", "cio", "support_agent", "school_staff", "london_lead"):
        client.force_login(users[role])
        response = client.get(reverse("admin:accounts_localauthority_history", args=[la.pk]))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_organisations_and_users_are_audited():
    from django.apps import apps

    for model in apps.get_app_config("accounts").get_models():
        if model._meta.label.startswith("accounts.Historical"):
            continue
        assert hasattr(model, "history"), f"{model._meta.label} keeps no history"
    assert LocalAuthority.history.model._meta.label == "accounts.HistoricalLocalAuthority"


# Models that are themselves append-only records of who did what and when, or bulk
# measurements recorded by an import job: a history table would only copy them.
APPEND_ONLY_RECORDS = {
    "devices.DeviceEvent": "the custody log: each row is an event with actor and time",
    "devices.UsageReading": "operator measurements; each load is recorded as an import",
    "core.ImportJob": "itself the record of who imported what and when",
    "support.Message": "each reply or note is stored with its author and time and never edited",
    "support.Attachment": "stored with its message, never edited",
    "support.SafeguardingAccessLog": "the read log itself",
    "support.FamilyAccessCode": "a short-lived one-time code (its hash only), used once",
    "core.ScheduledJob": "the scheduler's own bookkeeping (when a job last ran), not business data",
    "messaging.OutboundMessage": "the record of a message sent: its status only moves forward, by the provider",
    "messaging.InboundMessage": "the record of a message received, never edited",
    "messaging.OptOut": "a number's STOP, removed by its START: the inbound messages are the history",
    # Summary tables (reports.summaries): counts derived by triggers from audited rows, rebuilt
    # from them at will; their history is the history of the rows they count.
    "reports.DeviceCount": "derived counts kept by triggers",
    "reports.ChildCount": "derived counts kept by triggers",
    "reports.HorizonCount": "derived counts kept by triggers",
    "reports.SchoolDeviceCount": "derived counts kept by triggers",
    "reports.SchoolChildCount": "derived counts kept by triggers",
    "reports.SummaryState": "the summaries' bookkeeping (the data date), not business data",
    # The handover in person (allocations.services): each row records its own who and when.
    "allocations.ReadinessCheck": "one item of the readiness list, recorded with who and when",
    "allocations.ReturnInspection": "the inspection of a returned device, recorded with who confirmed the wipe",
    "allocations.HandoverAcceptance": (
        "the family's signed acceptance, with its time and witness; replaced only by signing again. "
        "No history table, so that anonymising the child removes the signature everywhere"
    ),
}


def test_every_project_model_is_audited_or_an_append_only_record():
    from django.apps import apps

    missing = []
    for app in ("accounts", "core", "devices", "allocations", "support", "messaging", "reports"):
        for model in apps.get_app_config(app).get_models():
            label = model._meta.label
            if model.__name__.startswith("Historical") or label in APPEND_ONLY_RECORDS:
                continue
            if not hasattr(model, "history"):
                missing.append(label)
    assert not missing, f"models with no audit history: {missing}"


@pytest.mark.django_db(transaction=False)
def test_claiming_a_ticket_is_recorded_with_the_agent(users, la):
    from support.services import claim_ticket
    from accounts.tests.factories import SchoolFactory
    from support.tests.factories import TicketFactory

    ticket = TicketFactory(school=SchoolFactory(local_authority=la))
    agent = users["support_agent"]
    assert claim_ticket(ticket=ticket, agent=agent)
    latest = ticket.history.order_by("-history_date", "-history_id").first()
    assert latest.assignee_id == agent.pk and latest.history_user == agent
