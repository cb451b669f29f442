"""The network's side of requests: a network user's home page and navigation, bulk status
changes from the list (confirm, then what moved and what was refused), and the status file
through the import engine (dry run, every row error, all or nothing)."""

import io

import pytest
from django.test import Client

from accounts.tests.factories import UserFactory
from connectivity import network_statuses, services
from connectivity.models import NetworkRequest, NetworkRequestEvent, Sim
from connectivity.tests.factories import NetworkOperatorFactory, SimFactory
from core.imports import engine
from connectivity.status_imports import SPEC

R = NetworkRequest.Status


@pytest.fixture
def scene(la, other_la, users):
    ee, vodafone = NetworkOperatorFactory(name="EE", slug="ee"), NetworkOperatorFactory(name="Vodafone", slug="vodafone")
    officer = users["council_officer"]
    sims = [SimFactory(local_authority=la, network=ee) for _ in range(3)]
    other_officer = UserFactory(role="council_officer", local_authority=other_la)
    theirs = SimFactory(local_authority=la, network=vodafone)
    return {
        "ee": ee,
        "sims": sims,
        "suspend": services.raise_request(kind="suspend", sim=sims[0], by=officer, reason="Stolen"),
        "extend": services.raise_request(kind="extend", sim=sims[1], by=officer),
        "hackney": services.raise_request(kind="swap", sim=SimFactory(local_authority=other_la, network=ee), by=other_officer),
        "vodafone": services.raise_request(kind="swap", sim=theirs, by=officer),
        "vodafone_sim": theirs,
        "user": UserFactory(role="network", network_operator=ee),
        "voda_user": UserFactory(role="network", network_operator=vodafone),
    }


def _csv(*rows, header="Request,Status,Problem code,Note"):
    return io.BytesIO(("\n".join([header, *rows]) + "\n").encode())


def _validate(scene, data, user=None):
    return engine.validate(SPEC, data, local_authority=None, user=user or scene["user"], filename="statuses.csv")


# Home page and navigation ----------------------------------------------------------------
def test_a_network_user_sees_their_queue_and_nothing_else(client, scene):
    client.force_login(scene["user"])
    page = client.get("/").content.decode()
    assert "EE" in page and "Open requests" in page
    assert 'href="/devices/"' not in page and 'href="/schools/"' not in page and ">Schools<" not in page
    nav_links = {"/network-requests/", "/network-requests/upload-statuses/"}
    for href in nav_links:
        assert f'href="{href}"' in page
    for forbidden in ("/devices/", "/children/", "/tickets/", "/sims/"):
        assert client.get(forbidden).status_code in (403, 404), forbidden
    listed = client.get("/network-requests/").content.decode()
    assert scene["suspend"].reference in listed and scene["hackney"].reference in listed
    assert scene["vodafone"].reference not in listed


# Bulk from the list ----------------------------------------------------------------------
def test_bulk_change_confirms_then_reports_moved_and_refused(client, scene):
    client.force_login(scene["user"])
    services.move_request(request=scene["extend"], to_status=R.DONE, by=scene["user"])
    picks = [scene["suspend"].pk, scene["extend"].pk, scene["vodafone"].pk]
    confirm = client.post("/network-requests/bulk/", {"which": "selected", "pk": picks, "to_status": "in_progress"})
    page = confirm.content.decode()
    assert confirm.status_code == 200 and "Check the change to 2 requests" in page  # Vodafone's is not theirs
    assert scene["vodafone"].reference not in page
    assert NetworkRequest.objects.get(pk=scene["suspend"].pk).status == R.REQUESTED  # nothing yet
    result = client.post("/network-requests/bulk/", {"which": "selected", "pk": picks[:2], "to_status": "in_progress", "confirm": "1"})
    page = result.content.decode()
    assert "1 moved, 1 refused" in page and "cannot go from “Done” to “In progress”" in page
    assert NetworkRequest.objects.get(pk=scene["suspend"].pk).status == R.IN_PROGRESS


def test_bulk_change_of_every_request_matching_the_filter(client, scene):
    client.force_login(scene["user"])
    response = client.post("/network-requests/bulk/", {"which": "matching", "filters": "kind=swap", "to_status": "sent"})
    page = response.content.decode()
    assert scene["hackney"].reference in page and scene["suspend"].reference not in page
    client.post("/network-requests/bulk/", {"which": "selected", "pk": [scene["hackney"].pk], "to_status": "sent", "confirm": "1"})
    assert NetworkRequest.objects.get(pk=scene["hackney"].pk).status == R.SENT
    assert NetworkRequest.objects.get(pk=scene["vodafone"].pk).status == R.REQUESTED


def test_bulk_form_refuses_bad_input_without_a_500(client, scene):
    client.force_login(scene["user"])
    for data in ({}, {"which": "selected", "to_status": "done"}, {"which": "selected", "pk": ["x"], "to_status": "done"},
                 {"which": "matching", "filters": "status=nonsense&q=%00", "to_status": "done"},
                 {"which": "selected", "pk": [scene["suspend"].pk], "to_status": "bogus"}):
        assert client.post("/network-requests/bulk/", data).status_code in (200, 302)
    assert NetworkRequest.objects.get(pk=scene["suspend"].pk).status == R.REQUESTED


# The status file --------------------------------------------------------------------------
def test_a_clean_file_by_reference_and_iccid_moves_everything(scene):
    suspend, extend = scene["suspend"], scene["extend"]
    data = _csv(f"{suspend.sim.iccid},Done,,Barred", f"{extend.reference},problem,account holder,Name differs")
    ctx = _validate(scene, data)
    assert ctx.ok, ctx.error_lines()
    assert ctx.counts["moved"] == 2
    data.seek(0)
    engine.commit(SPEC, data, local_authority=None, user=scene["user"], filename="statuses.csv")
    suspend.refresh_from_db()
    extend.refresh_from_db()
    assert (suspend.status, extend.status, extend.problem) == (R.DONE, R.PROBLEM, "account_holder")
    assert Sim.objects.get(pk=suspend.sim_id).status == Sim.Status.SUSPENDED
    event = NetworkRequestEvent.objects.filter(request=suspend).latest("pk")
    assert (event.from_status, event.to_status, event.by_network, event.note, event.actor) == (R.REQUESTED, R.DONE, True, "Barred", scene["user"])
    assert abs((event.at - suspend.changed_at).total_seconds()) < 1  # the set-wise rows read back as the ORM's
    # The suspended SIM's change is in its history, by the network's user (set-wise "~" row).
    change = Sim.history.filter(id=suspend.sim_id).order_by("-history_id").first()
    assert (change.history_type, change.status, change.history_user_id) == ("~", Sim.Status.SUSPENDED, scene["user"].pk)


def test_every_bad_row_is_an_error_and_nothing_is_written(scene):
    services.move_request(request=scene["extend"], to_status=R.DONE, by=scene["user"])
    data = _csv(
        f"{scene['vodafone'].reference},done,,",  # another network's request
        f"{scene['vodafone_sim'].iccid},done,,",  # another network's ICCID
        "NR-999999,done,,",  # unknown
        f"{scene['extend'].reference},requested,,",  # done -> requested
        f"{scene['suspend'].reference},problem,,",  # no problem code
        f"{scene['hackney'].reference},problem,made up,",  # unknown problem code
        f"{scene['suspend'].reference},in progress,,",
        f"{scene['suspend'].reference},in progress,,",  # duplicate
        "hello,done,,",
    )
    ctx = _validate(scene, data)
    lines = ctx.error_lines()
    assert lines == [
        f"row 2, Request: There is no request {scene['vodafone'].reference} for your network.",
        f"row 3, Request: No open request for a SIM with ICCID {scene['vodafone_sim'].iccid} is on your network.",
        "row 4, Request: There is no request NR-999999 for your network.",
        f"row 5, Status: Request {scene['extend'].reference} cannot go from “Done” to “Requested”.",
        f"row 6, Problem code: Choose the problem code for request {scene['suspend'].reference}.",
        "row 7, Problem code: “made up” is not one of the problem codes.",
        f"row 8, Request: Request {scene['suspend'].reference} is also on row 6: give each request once.",
        f"row 9, Request: Request {scene['suspend'].reference} is also on row 6: give each request once.",
        "row 10, Request: “hello” is neither a request reference (like NR-000123) nor an ICCID.",
    ]
    data.seek(0)
    before = list(NetworkRequest.objects.order_by("pk").values_list("status", flat=True))
    with pytest.raises(engine.ImportRejected):
        engine.commit(SPEC, data, local_authority=None, user=scene["user"], filename="statuses.csv")
    assert list(NetworkRequest.objects.order_by("pk").values_list("status", flat=True)) == before


def test_a_request_that_moves_between_check_and_write_refuses_the_file(scene):
    plan, errors = network_statuses.check_rows(scene["ee"].pk, [{"reference": scene["suspend"].reference, "status": "done"}])
    assert not errors
    services.move_request(request=scene["suspend"], to_status=R.IN_PROGRESS, by=scene["user"])
    with pytest.raises(network_statuses.Changed):
        network_statuses.apply(plan, by=scene["user"])
    assert NetworkRequest.objects.get(pk=scene["suspend"].pk).status == R.IN_PROGRESS


def test_upload_page_dry_run_then_apply(client, scene, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(scene["user"])
    upload = _csv(f"{scene['suspend'].reference},done,,Barred")
    upload.name = "ee-statuses.csv"
    page = client.post("/network-requests/upload-statuses/", {"file": upload}).content.decode()
    assert "1 request is ready to update" in page
    assert NetworkRequest.objects.get(pk=scene["suspend"].pk).status == R.REQUESTED
    token = page.split('name="upload" value="')[1].split('"')[0]
    # Another user cannot apply this upload.
    other = Client()
    other.force_login(UserFactory(role="network", network_operator=scene["ee"]))
    other.post("/network-requests/upload-statuses/", {"upload": token})
    assert NetworkRequest.objects.get(pk=scene["suspend"].pk).status == R.REQUESTED
    response = client.post("/network-requests/upload-statuses/", {"upload": token}, follow=True)
    assert "1 requests updated" in response.content.decode()
    assert NetworkRequest.objects.get(pk=scene["suspend"].pk).status == R.DONE
    # Used once: a second apply is refused, nothing recorded twice.
    client.post("/network-requests/upload-statuses/", {"upload": token})
    assert NetworkRequestEvent.objects.filter(request=scene["suspend"], to_status=R.DONE).count() == 1


def test_upload_page_shows_every_row_error(client, scene, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(scene["user"])
    upload = _csv(f"{scene['vodafone'].reference},done,,", "NR-000001x,done,,")
    upload.name = "bad.csv"
    page = client.post("/network-requests/upload-statuses/", {"file": upload}).content.decode()
    assert "The file has 2 errors, so nothing was changed" in page
    assert f"row 2, Request: There is no request {scene['vodafone'].reference} for your network." in page
    for junk in (b"\x00\x01\x02", b"", "Request,Status\n".encode(), b"PK\x03\x04garbage"):
        f = io.BytesIO(junk)
        f.name = "junk.xlsx" if junk.startswith(b"PK") else "junk.csv"
        assert client.post("/network-requests/upload-statuses/", {"file": f}).status_code == 200
    assert client.post("/network-requests/upload-statuses/", {"upload": "../../etc/passwd"}).status_code == 302


def test_staff_cannot_use_the_network_upload(client, users, scene):
    client.force_login(users["council_officer"])
    assert client.get("/network-requests/upload-statuses/").status_code == 403


def test_a_status_file_texts_the_families_as_one_change_at_a_time_does(scene, school, users):
    from allocations.tests.factories import ChildFactory
    from messaging.models import OutboundMessage

    child = ChildFactory(school=school, preferred_language="pl", guardian_phone="+447700900222")
    own_phone = services.raise_request(kind="family_data", child=child, msisdn="07700 900333", network=scene["suspend"].network,
                                       account_holder="A Nowak", phone_plan="payg", consent_given=True, by=users["council_officer"])
    data = _csv(f"{own_phone.reference},done,,Added 20 GB", f"{scene['suspend'].reference},in progress,,")
    ctx = _validate(scene, data)
    assert ctx.ok, ctx.error_lines()
    data.seek(0)
    engine.commit(SPEC, data, local_authority=None, user=scene["user"], filename="statuses.csv")
    message = OutboundMessage.objects.get()
    assert (message.template, message.language, message.recipient) == ("network_request_done", "pl", "+447700900222")
    # The same key as a change made one at a time: doing it again through the single path
    # (a retry, the API) texts nobody twice.
    own_phone.refresh_from_db()
    assert services._tell_family(own_phone, by=scene["user"]).pk == message.pk
    assert OutboundMessage.objects.count() == 1


@pytest.mark.parametrize("families", [2, 12])
def test_a_status_file_texts_its_families_in_a_fixed_number_of_queries(scene, school, users, families, django_assert_max_num_queries):
    """The families of a whole status file are texted set-wise: as many queries for 12 families
    as for 2 (the requests with their children, their latest events, one batched send)."""
    from allocations.tests.factories import ChildFactory
    from messaging.models import OutboundMessage

    plan = []
    for i in range(families):
        child = ChildFactory(school=school, preferred_language=("so", "ur")[i % 2], guardian_phone=f"+4477009004{i:02d}")
        request = services.raise_request(kind="family_data", child=child, msisdn=f"07700 9005{i:02d}", network=scene["ee"],
                                         account_holder="A Parent", phone_plan="payg", consent_given=True, by=users["council_officer"])
        plan.append(network_statuses.Planned(request.pk, R.REQUESTED, R.DONE, "", "Added", request.kind, None))
    with django_assert_max_num_queries(14):
        assert network_statuses.apply(plan, by=scene["user"]) == families
    texts = OutboundMessage.objects.filter(template="network_request_done")
    assert texts.count() == families and set(texts.values_list("language", flat=True)) == {"so", "ur"}
