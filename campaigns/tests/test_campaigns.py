"""Recall and fix-up campaigns: selection, adding devices with refusals, the status lifecycle,
sending to families in their language (idempotently), progress, closing, roles and the API."""

import pytest

from allocations.tests.factories import AllocationFactory, ChildFactory
from campaigns import services
from campaigns.models import Campaign, CampaignDevice, CampaignEvent, ItemStatus
from campaigns.tests.factories import CampaignDeviceFactory, CampaignFactory
from devices.tests.factories import DeliveryBatchFactory, DeviceFactory, LicenceFactory
from messaging.models import OptOut, OutboundMessage

S = ItemStatus


@pytest.fixture
def scene(la, other_la, school, users):
    officer = users["council_officer"]
    other_school = type(school).objects.create(urn=991234, name="Second School", local_authority=la, postcode="NW1 2AA")
    batch = DeliveryBatchFactory(local_authority=la, supplier="Computacenter")
    pl = AllocationFactory(child=ChildFactory(school=school, preferred_language="pl", guardian_phone="+447700900101"),
                           device=DeviceFactory(local_authority=la, school=school, model="X100", batch=batch))
    so = AllocationFactory(child=ChildFactory(school=other_school, preferred_language="so", guardian_phone="+447700900102"),
                           device=DeviceFactory(local_authority=la, school=other_school, model="X100"))
    stock = DeviceFactory(local_authority=la, model="X100", status="in_stock")
    written_off = DeviceFactory(local_authority=la, model="X100", status="written_off")
    other_model = DeviceFactory(local_authority=la, school=school, model="Y200", batch=batch)
    elsewhere = DeviceFactory(local_authority=other_la, model="X100")
    return {"officer": officer, "pl": pl, "so": so, "stock": stock, "written_off": written_off, "other_model": other_model,
            "elsewhere": elsewhere, "batch": batch, "other_school": other_school}


def _campaign(scene, la, **criteria):
    campaign, result = services.create_campaign(local_authority=la, kind="recall", title="Re-image X100", instructions="Bring it to school.",
                                                criteria=criteria or {"model": "X100"}, by=scene["officer"])
    return campaign, result


def test_create_selects_by_model_and_refuses_written_off(scene, la):
    campaign, result = _campaign(scene, la)
    added = {i.device_id for i in result.added}
    assert added == {scene["pl"].device_id, scene["so"].device_id, scene["stock"].pk}
    assert [(d.pk, r) for d, r in result.refused] == [(scene["written_off"].pk, "The device is written off.")]
    assert CampaignEvent.objects.filter(item__campaign=campaign, to_status=S.TO_DO).count() == 3


@pytest.mark.parametrize("criteria,expected", [
    ({"supplier": "Computacenter"}, {"pl", "other_model"}),
    ({"batch": None}, {"pl", "other_model"}),
    ({"product": "security"}, {"so"}),
    ({"model": "X100", "supplier": "Computacenter"}, {"pl"}),
])
def test_selection_by_batch_supplier_and_product(scene, la, criteria, expected):
    LicenceFactory(device=scene["so"].device, product="security")
    if "batch" in criteria:
        criteria = {"batch": scene["batch"].pk}
    campaign, result = _campaign(scene, la, **criteria)
    wanted = {(scene[k].device_id if hasattr(scene[k], "device_id") else scene[k].pk) for k in expected}
    assert {i.device_id for i in result.added} == wanted


def test_no_criteria_is_refused(scene, la):
    with pytest.raises(Exception, match="at least one"):
        services.create_campaign(local_authority=la, kind="recall", title="T", instructions="I", criteria={}, by=scene["officer"])
    assert not Campaign.objects.exists()


def test_add_devices_reports_what_it_refused_and_why(scene, la):
    campaign, _ = _campaign(scene, la)
    result = services.add_devices(campaign=campaign, devices=[scene["pl"].device, scene["other_model"], scene["other_model"],
                                                               scene["elsewhere"], scene["written_off"]], by=scene["officer"])
    assert [i.device_id for i in result.added] == [scene["other_model"].pk]
    reasons = {d.pk: r for d, r in result.refused}
    assert reasons[scene["pl"].device_id] == "Already in the campaign."
    assert reasons[scene["elsewhere"].pk] == "The device belongs to another council."
    assert reasons[scene["written_off"].pk] == "The device is written off."
    assert len(result.refused) == 4  # the repeat of other_model too
    services.close_campaign(campaign=campaign, by=scene["officer"])
    result = services.add_devices(campaign=campaign, devices=[scene["stock"]], by=scene["officer"])
    assert not result.added and result.refused[0][1] == "The campaign is closed."


def test_lifecycle_moves_are_declared_and_enforced(scene, la):
    campaign, result = _campaign(scene, la)
    item = result.added[0]
    item = services.move(item=item, to_status=S.CANNOT_REACH, by=scene["officer"], note="No answer twice")
    item = services.move(item=item, to_status=S.FIXED, by=scene["officer"])
    with pytest.raises(services.MoveNotAllowed):
        services.move(item=item, to_status=S.TO_DO, by=scene["officer"])
    events = list(item.events.values_list("from_status", "to_status", "note"))
    assert events == [("", "to_do", "Added to the campaign"), ("to_do", "cannot_reach", "No answer twice"), ("cannot_reach", "fixed", "")]
    assert set(services.MOVES) == set(S.values)


def test_sending_texts_each_family_once_in_their_language_and_marks_contacted(scene, la, django_capture_on_commit_callbacks):
    campaign, _ = _campaign(scene, la)
    with django_capture_on_commit_callbacks(execute=False):
        result = services.send_notices(campaign=campaign, channel="sms", by=scene["officer"])
    assert {i.device_id for i in result.sent} == {scene["pl"].device_id, scene["so"].device_id}
    assert [r for _i, r in result.refused] == ["Not with a child: there is no family to contact."]
    messages = OutboundMessage.objects.filter(template="campaign_notice").order_by("language")
    assert [(m.language, m.recipient) for m in messages] == [("pl", "+447700900101"), ("so", "+447700900102")]
    assert "Bring it to school." in messages[0].body and scene["pl"].device.serial in messages[0].body
    assert set(CampaignDevice.objects.filter(status=S.CONTACTED).values_list("device_id", flat=True)) == {scene["pl"].device_id, scene["so"].device_id}
    # A retry (or the item put back) never texts twice: one row per campaign, device and channel.
    CampaignDevice.objects.filter(campaign=campaign).update(status=S.TO_DO)
    with django_capture_on_commit_callbacks(execute=False):
        services.send_notices(campaign=campaign, channel="sms", by=scene["officer"])
    assert OutboundMessage.objects.filter(template="campaign_notice").count() == 2


def test_opted_out_and_no_number_are_refusals_not_errors(scene, la, django_capture_on_commit_callbacks):
    OptOut.objects.create(phone="+447700900101")
    scene["so"].child.guardian_phone = ""
    scene["so"].child.save()
    campaign, _ = _campaign(scene, la)
    with django_capture_on_commit_callbacks(execute=False):
        result = services.send_notices(campaign=campaign, channel="sms", by=scene["officer"])
    reasons = sorted(r for _i, r in result.refused)
    assert not result.sent
    assert reasons == ["No mobile number for the family.", "Not with a child: there is no family to contact.",
                       "The family texted STOP: they get no texts."]
    assert not OutboundMessage.objects.exists()
    assert not CampaignDevice.objects.filter(status=S.CONTACTED).exists()
    assert CampaignDevice.objects.get(device=scene["pl"].device).not_sent_reason == "The family texted STOP: they get no texts."
    with django_capture_on_commit_callbacks(execute=False):
        result = services.send_notices(campaign=campaign, channel="email", by=scene["officer"])
    assert not result.sent and "No email address for the family." in {r for _i, r in result.refused}
    scene["so"].child.guardian_email = "parent@example.org"
    scene["so"].child.save()
    with django_capture_on_commit_callbacks(execute=False):
        result = services.send_notices(campaign=campaign, channel="email", by=scene["officer"])
    assert [i.device_id for i in result.sent] == [scene["so"].device_id]
    message = OutboundMessage.objects.get()
    assert message.channel == "email" and message.language == "so" and "Re-image X100" in message.subject


def test_closed_campaign_refuses_everything(scene, la):
    campaign, result = _campaign(scene, la)
    services.close_campaign(campaign=campaign, by=scene["officer"])
    with pytest.raises(Exception, match="already closed"):
        services.close_campaign(campaign=campaign, by=scene["officer"])
    with pytest.raises(services.MoveNotAllowed):
        services.move(item=result.added[0], to_status=S.FIXED, by=scene["officer"])
    with pytest.raises(Exception, match="closed"):
        services.send_notices(campaign=campaign, channel="sms", by=scene["officer"])


# --- pages ------------------------------------------------------------------------------------


def test_officer_creates_a_campaign_through_the_check_page(client, scene, la):
    client.force_login(scene["officer"])
    assert client.get("/campaigns/new/").status_code == 200
    data = {"kind": "recall", "title": "Re-image X100", "instructions": "Bring it to school on Monday.", "model": "X100"}
    page = client.post("/campaigns/new/", data)
    text = page.content.decode()
    assert page.status_code == 200 and "3 devices will be added" in text and "Second School" in text and "1 more matches" in text
    assert not Campaign.objects.exists()
    import re

    hidden = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', text))
    hidden.pop("csrfmiddlewaretoken", None)
    assert hidden == {**data, "confirm": "1"}
    response = client.post("/campaigns/new/", hidden)
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == campaign.get_absolute_url()
    assert campaign.items.count() == 3 and campaign.created_by == scene["officer"]


def test_bad_create_input_is_an_error_and_keeps_the_answers(client, scene):
    client.force_login(scene["officer"])
    page = client.post("/campaigns/new/", {"kind": "recall", "title": "Kept title", "instructions": "x", "model": "NOPE"}).content.decode()
    assert "Select a valid choice" in page and "Kept title" in page
    page = client.post("/campaigns/new/", {"kind": "recall", "title": "Kept", "instructions": "x"}).content.decode()
    assert "Choose at least one of model" in page
    assert not Campaign.objects.exists()


def test_detail_shows_progress_and_filters_and_exports(client, scene, la, django_assert_max_num_queries):
    campaign, result = _campaign(scene, la)
    services.move(item=CampaignDevice.objects.get(device=scene["pl"].device), to_status=S.FIXED, by=scene["officer"])
    client.force_login(scene["officer"])
    with django_assert_max_num_queries(20):
        page = client.get(campaign.get_absolute_url()).content.decode()
    assert "Progress" in page and scene["pl"].device.serial in page and scene["stock"].serial in page
    page = client.get(campaign.get_absolute_url() + "?status=fixed").content.decode()
    assert scene["pl"].device.serial in page and scene["so"].device.serial not in page
    page = client.get(campaign.get_absolute_url() + f"?school={scene['other_school'].pk}").content.decode()
    assert scene["so"].device.serial in page and scene["pl"].device.serial not in page
    csv = b"".join(client.get(campaign.get_absolute_url() + "?_export=csv").streaming_content).decode()
    assert scene["pl"].device.serial in csv and "Fixed" in csv
    xlsx = client.get(campaign.get_absolute_url() + "?_export=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    with django_assert_max_num_queries(12):
        listing = client.get("/campaigns/").content.decode()
    assert "Re-image X100" in listing


def test_send_page_confirms_then_sends(client, scene, la, django_capture_on_commit_callbacks):
    campaign, _ = _campaign(scene, la)
    client.force_login(scene["officer"])
    page = client.get(f"/campaigns/{campaign.pk}/send/").content.decode()
    assert "3 devices are still to do" in page
    with django_capture_on_commit_callbacks(execute=False):
        page = client.post(f"/campaigns/{campaign.pk}/send/", {"channel": "sms"}).content.decode()
    assert "2 sent, 1 not sent" in page and "Not with a child" in page
    assert client.post(f"/campaigns/{campaign.pk}/send/", {"channel": "pigeon"}).status_code == 200
    assert OutboundMessage.objects.count() == 2


def test_close_needs_confirmation(client, scene, la):
    campaign, _ = _campaign(scene, la)
    client.force_login(scene["officer"])
    assert "cannot be reopened" in client.get(f"/campaigns/{campaign.pk}/close/").content.decode()
    campaign.refresh_from_db()
    assert campaign.is_open
    client.post(f"/campaigns/{campaign.pk}/close/")
    campaign.refresh_from_db()
    assert not campaign.is_open and campaign.closed_by == scene["officer"]
    assert "Send to families" not in client.get(campaign.get_absolute_url()).content.decode()


def test_school_staff_see_and_update_only_their_schools_devices(client, scene, la, users):
    campaign, _ = _campaign(scene, la)
    client.force_login(users["school_staff"])
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert scene["pl"].device.serial in page and scene["so"].device.serial not in page and "Send to families" not in page
    mine = CampaignDevice.objects.get(device=scene["pl"].device)
    theirs = CampaignDevice.objects.get(device=scene["so"].device)
    response = client.post(f"/campaigns/devices/{mine.pk}/move/", {"to_status": "returned", "note": "Brought in"}, follow=True)
    assert "is now “Returned”" in response.content.decode()
    assert client.post(f"/campaigns/devices/{theirs.pk}/move/", {"to_status": "returned"}).status_code == 404
    assert client.post(f"/campaigns/{campaign.pk}/send/", {"channel": "sms"}).status_code == 403
    assert client.get("/campaigns/new/").status_code == 403
    # A refused move is a message, and changes nothing.
    response = client.post(f"/campaigns/devices/{mine.pk}/move/", {"to_status": "fixed"}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    mine.refresh_from_db()
    assert mine.status == S.RETURNED and mine.events.count() == 2


def test_cio_reads_only_and_others_see_nothing(client, scene, la, users, other_la):
    campaign, _ = _campaign(scene, la)
    item = campaign.items.first()
    client.force_login(users["cio"])
    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "Re-image X100" in page and "Send to families" not in page
    assert "Change the status" not in client.get(item.get_absolute_url()).content.decode()
    assert client.post(f"/campaigns/devices/{item.pk}/move/", {"to_status": "fixed"}).status_code == 403
    assert client.get(f"/campaigns/{campaign.pk}/close/").status_code == 403
    for role in ("london_lead", "support_agent"):
        client.force_login(users[role])
        assert client.get("/campaigns/").status_code == 403
        assert client.get(campaign.get_absolute_url()).status_code == 403
    from accounts.tests.factories import UserFactory

    client.force_login(UserFactory(role="council_officer", local_authority=other_la))
    assert client.get(campaign.get_absolute_url()).status_code == 404
    assert "Re-image X100" not in client.get("/campaigns/").content.decode()


def test_home_page_shows_open_campaigns_to_the_cio(client, scene, la, users):
    campaign, _ = _campaign(scene, la)
    services.move(item=campaign.items.first(), to_status=S.FIXED, by=scene["officer"])
    client.force_login(users["cio"])
    page = client.get("/").content.decode()
    assert "Recall: Re-image X100" in page and "1 / 3" in page
    services.close_campaign(campaign=campaign, by=scene["officer"])
    assert "Recall: Re-image X100" not in client.get("/").content.decode()


def test_letter_is_in_the_familys_language_beside_english(client, scene, la):
    campaign, _ = _campaign(scene, la)
    item = CampaignDevice.objects.get(device=scene["pl"].device)
    client.force_login(scene["officer"])
    page = client.get(f"/campaigns/devices/{item.pk}/letter/").content.decode()
    assert 'lang="pl"' in page and 'lang="en"' in page and "Bring it to school." in page
    stock = CampaignDevice.objects.get(device=scene["stock"])
    assert client.get(f"/campaigns/devices/{stock.pk}/letter/").status_code == 404


def test_api_lists_campaigns_and_devices_in_scope(client, scene, la, users, other_la, django_assert_max_num_queries):
    campaign, _ = _campaign(scene, la)
    CampaignDeviceFactory(device=scene["elsewhere"])
    client.force_login(scene["officer"])
    with django_assert_max_num_queries(8):
        data = client.get("/api/campaigns/").json()
    assert [c["title"] for c in data["results"]] == ["Re-image X100"] and data["results"][0]["progress"]["to_do"] == 3
    with django_assert_max_num_queries(8):
        data = client.get(f"/api/campaign-devices/?campaign={campaign.pk}").json()
    assert {d["serial"] for d in data["results"]} == {scene["pl"].device.serial, scene["so"].device.serial, scene["stock"].serial}
    assert client.get("/api/campaign-devices/?status=nope").status_code == 400
    client.force_login(users["school_staff"])
    data = client.get("/api/campaigns/").json()
    assert data["results"][0]["progress"]["to_do"] == 1
    client.force_login(users["london_lead"])
    assert client.get("/api/campaigns/").status_code == 403


def test_admin_chooses_the_council_and_pages_are_pinned(client, scene, la, users, django_assert_max_num_queries):
    client.force_login(users["admin"])
    data = {"kind": "fix_up", "title": "Fix X100", "instructions": "Bring it in.", "model": "X100"}
    assert "Council" in client.post("/campaigns/new/", data).content.decode()  # required for someone with no LA
    client.post("/campaigns/new/", {**data, "local_authority": la.pk, "confirm": "1"})
    campaign = Campaign.objects.get()
    assert campaign.local_authority == la and campaign.kind == "fix_up" and campaign.items.count() == 3
    item = campaign.items.first()
    with django_assert_max_num_queries(14):
        assert client.get(item.get_absolute_url()).status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get(f"/campaigns/{campaign.pk}/send/").status_code == 200
    assert client.get("/api/campaigns/nope/").status_code == 404
    assert client.get("/api/campaign-devices/?page_size=0").status_code == 400


def test_the_items_page_shows_the_message_sent(client, scene, la, django_capture_on_commit_callbacks):
    campaign, _ = _campaign(scene, la)
    with django_capture_on_commit_callbacks(execute=False):
        services.send_notices(campaign=campaign, channel="sms", by=scene["officer"])
    item = CampaignDevice.objects.get(device=scene["pl"].device)
    client.force_login(scene["officer"])
    page = client.get(item.get_absolute_url()).content.decode()
    assert "Notice sent by text message" in page and 'lang="pl"' in page and "Bring it to school." in page


def test_a_large_send_goes_to_the_worker(client, scene, la, settings, django_capture_on_commit_callbacks):
    settings.CAMPAIGNS_SEND_INLINE_MAX = 1
    campaign, _ = _campaign(scene, la)
    client.force_login(scene["officer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/campaigns/{campaign.pk}/send/", {"channel": "sms"}, follow=True)
    assert "being sent in the background" in response.content.decode()
    # The test settings run tasks at once: the worker's send is the same service.
    assert OutboundMessage.objects.filter(template="campaign_notice").count() == 2
    assert CampaignDevice.objects.filter(campaign=campaign, status=S.CONTACTED).count() == 2


def test_devices_ticked_on_the_device_list_are_added_to_a_campaign(client, la, other_la, school, users):
    """The device list's bulk action "Add to a campaign" (devices.bulk's extension point) goes
    through ``add_devices``: the check page offers only the officer's open campaigns, the result
    says what was added and what was refused and why, and another LA's device is never added."""
    from campaigns.models import CampaignDevice

    campaign = CampaignFactory(local_authority=la, title="Re-image the 100e")
    CampaignFactory(local_authority=la, title="Finished last term", status="closed")
    theirs = CampaignFactory(local_authority=other_la, title="Hackney's own recall")
    mine = [DeviceFactory(local_authority=la, school=school, serial=f"CAMPB{i}") for i in range(3)]
    gone = DeviceFactory(local_authority=la, school=school, status="written_off", serial="CAMPGONE")
    elsewhere = DeviceFactory(local_authority=other_la, serial="CAMPHACKNEY")
    client.force_login(users["council_officer"])
    assert 'value="campaign"' in client.get("/devices/").content.decode()
    picks = [d.pk for d in mine] + [gone.pk, elsewhere.pk]
    check = client.get("/devices/bulk/", {"action": "campaign", "which": "selected", "pk": picks}).content.decode()
    assert "Re-image the 100e" in check and "Finished last term" not in check and "Hackney&#x27;s own recall" not in check and "Hackney's own recall" not in check
    refused = client.post("/devices/bulk/", {"action": "campaign", "which": "selected", "pk": picks, "campaign": theirs.pk})
    assert refused.status_code == 200 and CampaignDevice.objects.count() == 0  # not offered: a form error
    page = client.post("/devices/bulk/", {"action": "campaign", "which": "selected", "pk": picks, "campaign": campaign.pk}).content.decode()
    assert 'data-done="3" data-refused="1"' in page and "CAMPGONE" in page
    assert set(CampaignDevice.objects.values_list("device__serial", flat=True)) == {"CAMPB0", "CAMPB1", "CAMPB2"}
    again = client.post("/devices/bulk/", {"action": "campaign", "which": "selected", "pk": [mine[0].pk], "campaign": campaign.pk}).content.decode()
    assert 'data-done="0" data-refused="1"' in again and "Already in the campaign." in again
    client.force_login(users["school_staff"])
    assert 'value="campaign"' not in client.get("/devices/").content.decode()


def test_letter_to_a_care_leaver_says_the_device_is_from_the_council(client, scene, la):
    """A child who belongs to the council directly (no school): the letter names no school (18)."""
    leaver = AllocationFactory(child=ChildFactory(school=None, local_authority=la, preferred_language="so", guardian_phone="+447700900109"),
                               device=DeviceFactory(local_authority=la, school=None, model="X100"))
    _campaign(scene, la)
    item = CampaignDevice.objects.get(device=leaver.device)
    client.force_login(scene["officer"])
    page = client.get(f"/campaigns/devices/{item.pk}/letter/").content.decode()
    serial = leaver.device.serial
    assert f"We are recalling the device your child has from the council (serial number {serial})." in page
    assert f"ka helay golaha degaanka (lambarka taxanaha {serial})" in page
    assert "from school" not in page
    # The device's page in the campaign opens too.
    assert client.get(f"/campaigns/devices/{item.pk}/").status_code == 200
