"""Moving a child between councils, through the pages and the services: what each council sees
before and after, what moves, what stays, and every refusal."""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory
from allocations.models import Child
from allocations.tests.factories import ChildFactory, handed_over
from campaigns.tests.factories import CampaignDeviceFactory
from connectivity.models import NetworkRequest
from connectivity.tests.factories import NetworkRequestFactory, SimFactory
from devices.models import Alert, Device, DeviceEvent
from devices.tests.factories import DeviceFactory
from messaging.tests.factories import OutboundMessageFactory
from support.models import Ticket
from support.tests.factories import TicketFactory
from transfers import services
from transfers.models import ChildTransfer, TransferStatus
from transfers.tests.factories import ChildTransferFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    camden = LocalAuthorityFactory(code="202", name="Camden")
    hackney = LocalAuthorityFactory(code="204", name="Hackney")
    islington = LocalAuthorityFactory(code="206", name="Islington")
    regent = SchoolFactory(local_authority=camden, name="Regent High School")
    mossbourne = SchoolFactory(local_authority=hackney, name="Mossbourne Academy")
    child = ChildFactory(
        school=regent, first_name="Ayesha", last_name="Khan", reference="CAM-0042", guardian_phone="+447700900555",
        guardian_email="samina@example.org", year_group="8",
    )
    allocation = handed_over(child=child, serial="PF3XK9", make="Lenovo", model="300e", kind="laptop")
    return {
        "camden": camden, "hackney": hackney, "islington": islington, "regent": regent, "mossbourne": mossbourne, "child": child,
        "allocation": allocation, "device": allocation.device,
        "camden_officer": UserFactory(username="cam", role="council_officer", local_authority=camden),
        "hackney_officer": UserFactory(username="hack", role="council_officer", local_authority=hackney),
        "hackney_cio": UserFactory(username="hackcio", role="cio", local_authority=hackney),
        "camden_school": UserFactory(username="regent", role="school_staff", local_authority=camden, school=regent),
    }


def propose(w, **kwargs):
    return services.propose(child=w["child"], to_local_authority=w["hackney"], by=w["camden_officer"], **kwargs)


def test_proposing_through_the_pages_checks_answers_first_and_moves_nothing(client, world):
    w = world
    client.force_login(w["camden_officer"])
    child_page = client.get(w["child"].get_absolute_url())
    url = reverse("transfers:transfer_propose", args=[w["child"].pk])
    assert url in child_page.content.decode()
    page = client.get(url)
    assert page.status_code == 200 and "Move this child to another council" in page.content.decode()
    check = client.post(url, {"to_local_authority": w["hackney"].pk, "lent_devices_stay": "no", "note": "Call Olu on 020 7974 0000"})
    assert check.status_code == 200
    assert "Check your answers before proposing the move" in check.content.decode()
    assert not ChildTransfer.objects.exists()
    done = client.post(url, {"to_local_authority": w["hackney"].pk, "lent_devices_stay": "no", "note": "Call Olu", "confirmed": "True"})
    transfer = ChildTransfer.objects.get()
    assert done.status_code == 302 and done["Location"] == transfer.get_absolute_url()
    assert transfer.status == TransferStatus.PROPOSED and transfer.from_reference == "CAM-0042" and transfer.proposed_by == w["camden_officer"]
    assert set(transfer.local_authorities.values_list("code", flat=True)) == {"202", "204"}
    w["child"].refresh_from_db()
    w["device"].refresh_from_db()
    assert w["child"].local_authority == w["camden"] and w["device"].local_authority == w["camden"]
    assert "is waiting for their answer" in client.get(w["child"].get_absolute_url()).content.decode()


def test_before_acceptance_the_receiver_sees_the_proposal_but_no_name_contact_or_serial(client, world):
    w = world
    transfer = propose(w, note="Family placed in temporary accommodation")
    client.force_login(w["hackney_officer"])
    page = client.get(transfer.get_absolute_url()).content.decode()
    assert "CAM-0042" in page and "Year 8" in page and "Laptop, Lenovo 300e" in page and "temporary accommodation" in page
    for secret in ("Ayesha", "Khan", "PF3XK9", "07700 900555", "+447700900555", "samina@example.org", "Regent High School"):
        assert secret not in page
    assert reverse("transfers:transfer_accept", args=[transfer.pk]) in page
    assert client.get(w["child"].get_absolute_url()).status_code == 404
    assert client.get(w["device"].get_absolute_url()).status_code == 404
    assert "CAM-0042" not in client.get(reverse("allocations:child_list")).content.decode()
    # The list, its export and the API show the move to both councils, and to nobody else.
    assert "CAM-0042" in client.get(reverse("transfers:transfer_list")).content.decode()
    assert client.get("/api/transfers/").json()["results"][0]["from_reference"] == "CAM-0042"
    islington_officer = UserFactory(role="council_officer", local_authority=w["islington"])
    client.force_login(islington_officer)
    assert client.get(transfer.get_absolute_url()).status_code == 404
    export = client.get(reverse("transfers:transfer_list") + "?_export=csv")
    assert "CAM-0042" not in b"".join(export.streaming_content).decode()
    assert client.get("/api/transfers/").json()["results"] == []
    client.force_login(w["camden_school"])
    assert client.get(transfer.get_absolute_url()).status_code == 403


def test_accepting_moves_the_child_and_everything_that_belongs_with_them(client, world):
    w = world
    device = w["device"]
    ticket = TicketFactory(school=w["regent"], child=w["child"], device=device)
    message = OutboundMessageFactory(ticket=None, local_authority=w["camden"], school=w["regent"], recipient="+447700900555")
    other_family = OutboundMessageFactory(ticket=None, local_authority=w["camden"], recipient="+447700900999")
    request = NetworkRequestFactory(local_authority=w["camden"], child=w["child"])
    alert = Alert.objects.create(key=f"test:{device.pk}", kind=Alert.Kind.LICENCE_ENDING, local_authority=w["camden"], school=w["regent"], device=device, message="x")
    transfer = propose(w)

    client.force_login(w["hackney_officer"])
    url = reverse("transfers:transfer_accept", args=[transfer.pk])
    form = client.get(url).content.decode()
    assert 'value="CAM-0042"' in form and "Mossbourne Academy" in form and "Regent High School" not in form
    check = client.post(url, {"reference": "HAC-0107", "school": w["mossbourne"].pk})
    assert "Are you sure you want to take over this child" in check.content.decode()
    assert ChildTransfer.objects.get().status == TransferStatus.PROPOSED
    done = client.post(url, {"reference": "HAC-0107", "school": w["mossbourne"].pk, "confirmed": "True"})
    assert done.status_code == 302 and done["Location"] == w["child"].get_absolute_url()

    child = Child.objects.get(pk=w["child"].pk)
    assert (child.local_authority, child.school, child.reference) == (w["hackney"], w["mossbourne"], "HAC-0107")
    device.refresh_from_db()
    assert (device.local_authority, device.school) == (w["hackney"], w["mossbourne"])
    ticket.refresh_from_db()
    assert ticket.local_authority == w["hackney"] and ticket.school == w["mossbourne"]
    message.refresh_from_db()
    other_family.refresh_from_db()
    assert message.local_authority == w["hackney"] and other_family.local_authority == w["camden"]
    assert NetworkRequest.objects.get(pk=request.pk).local_authority == w["hackney"]
    assert Alert.objects.get(pk=alert.pk).local_authority == w["hackney"]
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.ACCEPTED and transfer.decided_by == w["hackney_officer"] and transfer.to_reference == "HAC-0107"
    assert transfer.devices_moved == [{"kind": "Laptop", "model": "Lenovo 300e"}] and transfer.tickets_moved == 1
    # The custody log records both sides, with who did each.
    moves = list(DeviceEvent.objects.filter(device=device, kind__in=("moved_out", "moved_in")).order_by("kind"))
    assert [(e.kind, e.actor) for e in moves] == [("moved_in", w["hackney_officer"]), ("moved_out", w["camden_officer"])]
    device_page = client.get(device.get_absolute_url()).content.decode()
    assert "Moved with the child from Camden to Hackney" in device_page and "Received by Hackney from Camden" in device_page
    assert "Ayesha" in client.get(child.get_absolute_url()).content.decode()
    assert "Moved here from Camden" in client.get(child.get_absolute_url()).content.decode()
    # The history of every step.
    assert list(transfer.history.order_by("history_id").values_list("status", flat=True)) == ["proposed", "accepted"]

    # Camden keeps the record of the move and nothing more.
    client.force_login(w["camden_officer"])
    for url in (child.get_absolute_url(), device.get_absolute_url(), ticket.get_absolute_url()):
        assert client.get(url).status_code == 404, url
    record = client.get(transfer.get_absolute_url()).content.decode()
    assert "CAM-0042" in record and "Hackney" in record and "Laptop, Lenovo 300e" in record
    for secret in ("Ayesha", "PF3XK9", "HAC-0107", "Mossbourne", child.get_absolute_url()):
        assert secret not in record
    assert "PF3XK9" not in client.get(reverse("devices:device_list") + "?per_page=200").content.decode()
    row = client.get("/api/transfers/").json()["results"][0]
    assert row["from_reference"] == "CAM-0042" and row["to_reference"] == "" and row["status"] == "accepted"
    client.force_login(w["hackney_officer"])
    assert client.get("/api/transfers/").json()["results"][0]["to_reference"] == "HAC-0107"


def test_the_summary_tables_stay_right_after_a_move(world):
    from reports import summaries

    w = world
    transfer = propose(w)
    services.accept(transfer=transfer, by=w["hackney_officer"], reference="HAC-1")
    assert summaries.rebuild() == 0


def test_a_lent_device_can_stay_on_the_sending_councils_records(client, world):
    w = world
    transfer = propose(w, lent_devices_stay=True)
    services.accept(transfer=transfer, by=w["hackney_officer"], reference="HAC-0107")
    device = Device.objects.get(pk=w["device"].pk)
    child = Child.objects.get(pk=w["child"].pk)
    assert device.local_authority == w["camden"] and child.local_authority == w["hackney"] and child.school is None
    note = DeviceEvent.objects.get(device=device, kind="note")
    assert "Stays on Camden's stock records, on loan to a child who moved to Hackney" in note.note
    transfer.refresh_from_db()
    assert transfer.devices_kept == [{"kind": "Laptop", "model": "Lenovo 300e"}] and transfer.devices_moved == []
    client.force_login(w["camden_officer"])
    assert client.get(device.get_absolute_url()).status_code == 200
    assert client.get(child.get_absolute_url()).status_code == 404


def test_a_device_with_a_sim_or_owned_by_the_family_always_moves(world):
    w = world
    router = DeviceFactory(local_authority=w["camden"], school=w["regent"], kind="router", status="handed_over")
    SimFactory(local_authority=w["camden"], device=router)
    handed_over(child=w["child"]).device  # noqa: B018 - a second lent laptop: it can stay
    from allocations.models import Allocation

    Allocation.objects.create(child=w["child"], device=router, status="handed_over")
    transfer = propose(w, lent_devices_stay=True)
    services.accept(transfer=transfer, by=w["hackney_officer"], reference="HAC-2")
    router.refresh_from_db()
    assert router.local_authority == w["hackney"] and router.sim.local_authority == w["hackney"]
    assert Device.objects.filter(local_authority=w["camden"], allocations__child=w["child"]).count() == 2


def test_refusals_each_with_a_reason(client, world):
    w = world
    with pytest.raises(services.TransferError, match="already belongs to Camden"):
        services.propose(child=w["child"], to_local_authority=w["camden"], by=w["camden_officer"])
    with pytest.raises(services.TransferError, match="Only an officer of Camden"):
        services.propose(child=w["child"], to_local_authority=w["hackney"], by=w["hackney_officer"])
    # A council that does not exist: a form error, never a 500.
    client.force_login(w["camden_officer"])
    url = reverse("transfers:transfer_propose", args=[w["child"].pk])
    for bad in ("999999", "not-a-number", ""):
        response = client.post(url, {"to_local_authority": bad, "confirmed": "True"})
        assert response.status_code == 200 and ("Choose a council that uses this service" in response.content.decode()
                                                or "Choose the council the child is moving to" in response.content.decode())
    assert not ChildTransfer.objects.exists()

    transfer = propose(w)
    # Already being moved.
    with pytest.raises(services.TransferError, match="already waiting for an answer"):
        services.propose(child=w["child"], to_local_authority=w["islington"], by=w["camden_officer"])
    response = client.post(url, {"to_local_authority": w["islington"].pk, "confirmed": "True"})
    assert "already waiting for an answer" in response.content.decode()
    # The database refuses a second waiting move even if the check were raced.
    with pytest.raises(IntegrityError), transaction.atomic():
        ChildTransferFactory(child=w["child"], to_local_authority=w["islington"])
    # Only the receiver decides; only the sender withdraws.
    assert client.get(reverse("transfers:transfer_accept", args=[transfer.pk])).status_code == 403
    client.force_login(w["hackney_officer"])
    assert client.post(reverse("transfers:transfer_withdraw", args=[transfer.pk])).status_code == 403
    client.force_login(w["hackney_cio"])
    assert client.get(transfer.get_absolute_url()).status_code == 200
    assert client.get(reverse("transfers:transfer_accept", args=[transfer.pk])).status_code == 403
    # A school of another council, a reference already used in Hackney.
    ChildFactory(school=w["mossbourne"], reference="HAC-TAKEN")
    with pytest.raises(services.TransferError, match="Choose a school in Hackney"):
        services.accept(transfer=transfer, by=w["hackney_officer"], reference="HAC-1", school=w["regent"])
    with pytest.raises(services.TransferError, match="already has reference HAC-TAKEN"):
        services.accept(transfer=transfer, by=w["hackney_officer"], reference="HAC-TAKEN")
    client.force_login(w["hackney_officer"])
    response = client.post(reverse("transfers:transfer_accept", args=[transfer.pk]), {"reference": "HAC-TAKEN", "confirmed": "True"})
    assert response.status_code == 200 and "already has reference HAC-TAKEN" in response.content.decode()
    response = client.post(reverse("transfers:transfer_accept", args=[transfer.pk]), {"reference": "HAC-1", "school": "abc", "confirmed": "True"})
    assert response.status_code == 200 and "Choose one of your council" in response.content.decode()
    # Accepted twice: the second is refused with the first's date.
    services.accept(transfer=transfer, by=w["hackney_officer"], reference="HAC-1")
    with pytest.raises(services.TransferError, match="already accepted on"):
        services.accept(transfer=transfer, by=w["hackney_officer"], reference="HAC-2")
    with pytest.raises(services.TransferError, match="already accepted on"):
        services.decline(transfer=transfer, by=w["hackney_officer"], reason="Changed our mind")
    again = client.post(reverse("transfers:transfer_accept", args=[transfer.pk]), {"reference": "HAC-3", "confirmed": "True"})
    assert again.status_code == 302 and again["Location"] == transfer.get_absolute_url()
    assert Child.objects.get(pk=w["child"].pk).reference == "HAC-1"


def test_a_device_in_an_open_campaign_or_an_anonymised_child_cannot_move(world):
    w = world
    item = CampaignDeviceFactory(device=w["device"])
    with pytest.raises(services.TransferError, match="is in the open campaign"):
        propose(w)
    item.status = "fixed"
    item.save()
    propose(w)
    anonymised = ChildFactory(school=w["regent"])
    Child.objects.filter(pk=anonymised.pk).update(anonymised_at="2026-01-01T00:00:00Z")
    with pytest.raises(services.TransferError, match="anonymised"):
        services.propose(child=Child.objects.get(pk=anonymised.pk), to_local_authority=w["hackney"], by=w["camden_officer"])


def test_declining_needs_a_reason_and_moves_nothing(client, world):
    w = world
    transfer = propose(w)
    client.force_login(w["hackney_officer"])
    url = reverse("transfers:transfer_decline", args=[transfer.pk])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "Say why you are declining" in response.content.decode()
    response = client.post(url, {"reason": "The family is placed in Islington, not Hackney."})
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.DECLINED
    assert Child.objects.get(pk=w["child"].pk).local_authority == w["camden"]
    client.force_login(w["camden_officer"])
    assert "placed in Islington" in client.get(transfer.get_absolute_url()).content.decode()
    # A declined move does not block a new proposal.
    services.propose(child=w["child"], to_local_authority=w["islington"], by=w["camden_officer"])


def test_the_sender_withdraws_after_a_confirmation_page(client, world):
    w = world
    transfer = propose(w)
    client.force_login(w["camden_officer"])
    url = reverse("transfers:transfer_withdraw", args=[transfer.pk])
    assert "Are you sure you want to withdraw the move to Hackney?" in client.get(url).content.decode()
    assert client.post(url, {"confirmed": "True"}).status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == TransferStatus.WITHDRAWN
    assert Ticket.objects.count() == 0 and Child.objects.get(pk=w["child"].pk).local_authority == w["camden"]


def test_the_home_page_card_and_the_list_filter_show_moves_waiting_for_an_answer(client, world, django_assert_max_num_queries):
    w = world
    propose(w)
    for n in range(3):
        other = ChildFactory(school=w["mossbourne"])
        services.propose(child=other, to_local_authority=w["camden"], by=w["hackney_officer"])
    client.force_login(w["hackney_officer"])
    home = client.get("/").content.decode()
    assert "Children moving to your council" in home
    incoming = client.get(reverse("transfers:transfer_list") + "?direction=in&status=proposed").content.decode()
    assert incoming.count("CAM-0042") == 1
    outgoing = client.get(reverse("transfers:transfer_list") + "?direction=out").content.decode()
    assert "CAM-0042" not in outgoing
    with django_assert_max_num_queries(12):
        client.get(reverse("transfers:transfer_list") + "?per_page=200")
