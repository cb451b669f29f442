"""The agents' queue, the ticket page and its actions, staff fault reports, attachments."""

import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, connections
from django.urls import reverse

from accounts.tests.factories import LocalAuthorityFactory, UserFactory
from allocations.tests.factories import AllocationFactory
from devices.tests.factories import DeviceFactory
from support import services
from support.models import Attachment, Message, Status, Ticket
from support.tests.factories import DEFAULT_TOKEN, TicketFactory, give_languages

from support.tests.files import PNG  # noqa: E402  (a structurally valid PNG)
PDF = b"%PDF-1.4\n%test\n"


def login(client, user):
    client.force_login(user)
    return client


def test_queue_is_scoped_and_filters(client, users, school, other_school):
    mine = TicketFactory(school=school, language="pl")
    theirs = TicketFactory(school=other_school)
    unrouted = TicketFactory(local_authority=None)
    html = login(client, users["support_agent"]).get(reverse("support:queue")).content.decode()
    assert mine.reference in html and theirs.reference not in html and unrouted.reference not in html
    html = client.get(reverse("support:queue") + "?language=en").content.decode()
    assert mine.reference not in html
    html = login(client, users["support_agent_all"]).get(reverse("support:queue")).content.decode()
    assert all(t.reference in html for t in (mine, theirs, unrouted))


def test_school_staff_see_their_school_only(client, users, school, other_school):
    mine = TicketFactory(school=school)
    theirs = TicketFactory(school=other_school, local_authority=school.local_authority)
    html = login(client, users["school_staff"]).get(reverse("support:ticket_list")).content.decode()
    assert mine.reference in html and theirs.reference not in html
    assert client.get(reverse("support:ticket_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("support:queue")).status_code == 403


def test_out_of_scope_detail_and_actions_404(client, users, other_school):
    ticket = TicketFactory(school=other_school)
    login(client, users["support_agent"])
    assert client.get(reverse("support:ticket_detail", args=[ticket.pk])).status_code == 404
    assert client.post(reverse("support:ticket_claim", args=[ticket.pk])).status_code == 404
    ticket.refresh_from_db()
    assert ticket.assignee is None


def test_london_lead_sees_no_tickets(client, users, school):
    TicketFactory(school=school)
    assert login(client, users["london_lead"]).get(reverse("support:ticket_list")).status_code == 403


def test_claim_is_first_come(client, users, school):
    ticket = TicketFactory(school=school)
    a, b = users["support_agent"], users["support_agent_all"]
    assert services.claim_ticket(ticket=ticket, agent=a) is True
    assert services.claim_ticket(ticket=ticket, agent=b) is False
    ticket.refresh_from_db()
    assert ticket.assignee == a and ticket.status == Status.OPEN


@pytest.mark.postgres_only
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_on_postgres_have_one_winner(la, school):
    agents = [UserFactory(role="support_agent", local_authority=la) for _ in range(8)]
    ticket = TicketFactory(school=school)
    barrier = threading.Barrier(len(agents))
    results = []
    lock = threading.Lock()

    def claim(agent):
        try:
            barrier.wait()
            won = services.claim_ticket(ticket=Ticket.objects.get(pk=ticket.pk), agent=agent)
            with lock:
                results.append((agent.pk, won))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(a,)) for a in agents]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    winners = [pk for pk, won in results if won]
    assert len(results) == len(agents)
    assert len(winners) == 1
    ticket.refresh_from_db()
    assert ticket.assignee_id == winners[0]


def test_reassign_status_and_internal_note(client, users, school):
    ticket = TicketFactory(school=school)
    agent, other = users["support_agent"], UserFactory(role="support_agent", local_authority=school.local_authority)
    login(client, agent)
    assert client.post(reverse("support:ticket_assign", args=[ticket.pk]), {"assignee": other.pk}).status_code == 302
    ticket.refresh_from_db()
    assert ticket.assignee == other
    client.post(reverse("support:ticket_status", args=[ticket.pk]), {"status": "waiting"})
    ticket.refresh_from_db()
    assert ticket.status == Status.WAITING and ticket.sla_paused_at is not None
    client.post(reverse("support:ticket_reply", args=[ticket.pk]), {"kind": "internal", "language": "en", "body": "Checked the IMEI"})
    note = Message.objects.get(ticket=ticket)
    assert note.kind == Message.Kind.INTERNAL
    ticket.refresh_from_db()
    assert ticket.first_responded_at is None  # an internal note is not a response
    # Assigning someone out of scope is refused.
    outsider = UserFactory(role="support_agent", local_authority=LocalAuthorityFactory(code="999"))
    client.post(reverse("support:ticket_assign", args=[ticket.pk]), {"assignee": outsider.pk})
    ticket.refresh_from_db()
    assert ticket.assignee == other


def test_school_staff_do_not_see_internal_notes(client, users, school):
    ticket = TicketFactory(school=school)
    services.add_message(ticket=ticket, body="Internal only", by=users["support_agent"], internal=True)
    html = login(client, users["school_staff"]).get(reverse("support:ticket_detail", args=[ticket.pk])).content.decode()
    assert "Internal only" not in html


def test_language_confirmation_and_no_speaker_flag(client, users, school):
    ticket = TicketFactory(school=school, language="so", language_confirmed=False, needs_interpreter=False)
    login(client, users["support_agent"])
    html = client.get(reverse("support:queue")).content.decode()
    assert "No speaker available" in html
    give_languages(users["support_agent"], "so")
    html = client.get(reverse("support:queue")).content.decode()
    assert "No speaker available" not in html
    client.post(reverse("support:ticket_language", args=[ticket.pk]), {"language": "ar", "needs_interpreter": "on"})
    ticket.refresh_from_db()
    assert ticket.language == "ar" and ticket.language_confirmed and ticket.needs_interpreter
    html = client.get(reverse("support:queue")).content.decode()
    assert "Interpreter" in html


def test_my_languages_page(client, users):
    agent = users["support_agent"]
    login(client, agent)
    assert client.get(reverse("support:my_languages")).status_code == 200
    client.post(reverse("support:my_languages"), {"languages": ["ur", "so", "pl"]})
    assert sorted(agent.agent_profile.language_codes) == ["pl", "so", "ur"]
    client.post(reverse("support:my_languages"), {"languages": ["pl"]})
    assert agent.agent_profile.language_codes == ["pl"]


def test_auto_suggestion_is_least_loaded_speaker(users, school):
    busy, free = users["support_agent"], UserFactory(role="support_agent", local_authority=school.local_authority)
    give_languages(busy, "tr")
    give_languages(free, "tr")
    TicketFactory(school=school, assignee=busy, status=Status.OPEN)
    ticket, _ = services.create_ticket(category="other", description="Bilgisayar açılmıyor ve oğlum ödevlerini yapamıyor.",
                                       source="family", requester_name="X", requester_email="x@example.org", school=school)
    assert ticket.language == "tr" and not ticket.language_confirmed
    assert ticket.suggested_agent == free


def test_my_tickets(client, users, school):
    mine = TicketFactory(school=school, assignee=users["support_agent"])
    other = TicketFactory(school=school)
    html = login(client, users["support_agent"]).get(reverse("support:my_tickets")).content.decode()
    assert mine.reference in html and other.reference not in html


def test_staff_report_from_device_page_fills_child_and_school(client, users, school):
    allocation = AllocationFactory(child__school=school, device__school=school, status="handed_over")
    login(client, users["school_staff"])
    url = reverse("support:ticket_create") + f"?device={allocation.device.pk}"
    assert allocation.device.serial in client.get(url).content.decode()
    response = client.post(url, {"device": allocation.device.pk, "category": "hardware", "priority": "normal",
                                 "description": "Screen cracked", "language": "en"})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert (ticket.device, ticket.child, ticket.school, ticket.requester_user) == (
        allocation.device, allocation.child, school, users["school_staff"])
    assert ticket.source == "staff"


def test_staff_report_by_typed_serial_and_out_of_scope_serial(client, users, school, other_school):
    device = DeviceFactory(local_authority=school.local_authority, school=school)
    outside = DeviceFactory(local_authority=other_school.local_authority, school=other_school)
    login(client, users["school_staff"])
    url = reverse("support:ticket_create")
    response = client.post(url, {"serial": outside.serial, "category": "hardware", "priority": "normal", "description": "x", "language": "en"})
    assert response.status_code == 200 and Ticket.objects.count() == 0
    response = client.post(url, {"device": outside.pk, "category": "hardware", "priority": "normal", "description": "x", "language": "en"})
    assert response.status_code == 200 and Ticket.objects.count() == 0
    response = client.post(url, {"serial": device.serial.lower(), "category": "hardware", "priority": "normal", "description": "x", "language": "en"})
    assert response.status_code == 302
    assert Ticket.objects.get().device == device


def test_attachment_limits_by_content(client, db, settings):
    url = reverse("support:help_form", args=["en"])
    base = {"name": "A", "email": "a@example.org", "category": "damage", "description": "Cracked"}
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    response = client.post(url, {**base, "attachment": fake})
    assert response.status_code == 200 and Ticket.objects.count() == 0
    settings.SUPPORT_ATTACHMENT_MAX_BYTES = 1024
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * 2048, content_type="application/pdf")
    response = client.post(url, {**base, "attachment": big})
    assert response.status_code == 200 and Ticket.objects.count() == 0
    good = SimpleUploadedFile("crack.jpg", PNG, content_type="image/jpeg")  # the name lies; the content decides
    assert client.post(url, {**base, "attachment": good}).status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.content_type == "image/png" and attachment.original_name == "crack.jpg"
    assert "crack" not in attachment.file.name
    assert str(settings.MEDIA_ROOT) in attachment.file.path


def test_attachment_access(client, users, school, other_la):
    ticket = TicketFactory(school=school)
    services.add_message(ticket=ticket, body="Photo", by=None, uploads=[SimpleUploadedFile("a.png", PNG)])
    attachment = Attachment.objects.get()
    url = reverse("support:attachment", args=[attachment.pk])
    assert client.get(url).status_code == 302  # anonymous: sign in first
    login(client, users["support_agent"])
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    login(client, UserFactory(role="support_agent", local_authority=other_la))
    assert client.get(url).status_code == 404
    client.logout()
    family_url = reverse("support:family_attachment", args=[ticket.reference, DEFAULT_TOKEN, attachment.pk])
    assert client.get(family_url).status_code == 200
    assert client.get(reverse("support:family_attachment", args=[ticket.reference, "wrong", attachment.pk])).status_code == 404
    other = TicketFactory(school=school)
    assert client.get(reverse("support:family_attachment", args=[other.reference, DEFAULT_TOKEN, attachment.pk])).status_code == 404


def test_internal_note_attachment_hidden_from_family_and_school(client, users, school):
    ticket = TicketFactory(school=school)
    services.add_message(ticket=ticket, body="note", by=users["support_agent"], internal=True, uploads=[SimpleUploadedFile("n.pdf", PDF)])
    attachment = Attachment.objects.get()
    assert client.get(reverse("support:family_attachment", args=[ticket.reference, DEFAULT_TOKEN, attachment.pk])).status_code == 404
    login(client, users["school_staff"])
    assert client.get(reverse("support:attachment", args=[attachment.pk])).status_code == 404


def test_queue_query_count_does_not_grow(client, users, school, django_assert_max_num_queries):
    agent = users["support_agent"]
    give_languages(agent, "pl")
    for i in range(30):
        TicketFactory(school=school, language=["pl", "ur", "so"][i % 3], assignee=agent if i % 2 else None)
    login(client, agent)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("support:queue"))
    assert response.status_code == 200
    with django_assert_max_num_queries(12):
        client.get(reverse("support:ticket_list") + "?breached=true&status=open&status=new")


def test_ticket_detail_query_count(client, users, school, django_assert_max_num_queries):
    ticket = TicketFactory(school=school)
    for i in range(10):
        services.add_message(ticket=ticket, body=f"Message {i}", by=users["support_agent"], uploads=[SimpleUploadedFile("a.png", PNG)])
    login(client, users["support_agent"])
    with django_assert_max_num_queries(20):
        response = client.get(reverse("support:ticket_detail", args=[ticket.pk]))
    assert response.status_code == 200
    family = client.__class__()
    with django_assert_max_num_queries(8):
        assert family.get(f"/help/t/{ticket.reference}/{DEFAULT_TOKEN}/").status_code == 200


def test_school_staff_reply_is_on_the_requesters_side(client, users, school):
    ticket = TicketFactory(school=school, status=Status.WAITING, requester_user=users["school_staff"], source="staff")
    login(client, users["school_staff"])
    response = client.post(reverse("support:ticket_reply", args=[ticket.pk]), {"body": "The family say it is still broken", "kind": "internal"})
    assert response.status_code == 302
    message = Message.objects.get(ticket=ticket)
    assert message.from_requester and message.kind == Message.Kind.PUBLIC
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN and ticket.first_responded_at is None
    # School staff cannot use the agents' actions.
    assert client.post(reverse("support:ticket_claim", args=[ticket.pk])).status_code == 403
    assert client.post(reverse("support:ticket_status", args=[ticket.pk]), {"status": "closed"}).status_code == 403


def test_action_urls_refuse_get(client, users, school):
    ticket = TicketFactory(school=school)
    login(client, users["support_agent"])
    assert client.get(reverse("support:ticket_claim", args=[ticket.pk])).status_code == 405


def test_queue_exports_csv_within_scope(client, users, school, other_school):
    mine = TicketFactory(school=school, language="ur")
    theirs = TicketFactory(school=other_school)
    response = login(client, users["support_agent"]).get(reverse("support:queue") + "?_export=csv")
    body = b"".join(response.streaming_content).decode() if response.streaming else response.content.decode()
    assert response.status_code == 200
    assert mine.reference in body and theirs.reference not in body


def test_cio_sees_tickets_but_cannot_raise_them(client, users, school):
    TicketFactory(school=school)
    login(client, users["cio"])
    html = client.get(reverse("support:ticket_list")).content.decode()
    assert reverse("support:ticket_create") not in html
    assert client.get(reverse("support:ticket_create")).status_code == 403


def test_the_queue_puts_safeguarding_first_then_the_soonest_sla(client, users, school, settings):
    from datetime import timedelta

    from django.utils import timezone

    settings.MESSAGING_DRIVERS = {"sms": "outbox", "email": "outbox", "letter": "outbox"}
    now = timezone.now()
    later = TicketFactory(school=school, first_response_due=now + timedelta(hours=8), description="later one")
    sooner = TicketFactory(school=school, first_response_due=now + timedelta(hours=1), description="sooner one")
    answered = TicketFactory(school=school, first_response_due=now - timedelta(hours=9), first_responded_at=now,
                             resolution_due=now + timedelta(hours=4), description="answered one")
    concern = TicketFactory(school=school, is_safeguarding=True, first_response_due=now + timedelta(days=2), category="safeguarding")
    lead = users["support_agent"]
    lead.is_safeguarding_lead = True
    lead.save()
    page = login(client, lead).get(reverse("support:queue")).content.decode()
    order = [page.index(t.reference) for t in (concern, sooner, answered, later)]
    assert order == sorted(order)
    assert "Due" in page and "Web form" in page  # the SLA due time and the channel are shown


def test_assign_to_lists_people_by_name(client, users, school):
    users["support_agent"].first_name, users["support_agent"].last_name = "Hodan", "Warsame"
    users["support_agent"].save()
    ticket = TicketFactory(school=school)
    page = login(client, users["support_agent"]).get(ticket.get_absolute_url()).content.decode()
    assert ">Hodan Warsame</option>" in page


def test_a_staff_raised_ticket_takes_the_childs_family_language(client, users, school):
    allocation = AllocationFactory(child__school=school, child__preferred_language="so", device__school=school, status="handed_over")
    login(client, users["school_staff"])
    url = reverse("support:ticket_create") + f"?device={allocation.device.pk}"
    page = client.get(url).content.decode()
    assert '<option value="so" dir="auto" selected>' in page
