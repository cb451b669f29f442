"""Campaign scenarios: starting a campaign over many devices and sending its notice.

- ``campaign_add``: ``campaigns.services.create_campaign`` over ``devices_for(scale)`` laptops
  of one model (the existing rows read in one query, the rows and their first events written in
  two bulk inserts). Anchor: the naive way, for each device a check that it is not already in
  the campaign, then the row and its event saved one at a time.
- ``campaign_send``: ``campaigns.services.send_notices`` by text to every family of the same
  campaign (the holders, opt-outs and keys read set-wise, the messages written by
  ``messaging.send_to_families`` in batches, the statuses moved in one update). Anchor: for each
  device, ``messaging.send_to_family`` with the same idempotency key and ``campaigns.services.move``
  to "contacted".

Each side runs inside a transaction that is rolled back (nothing is left behind); the bench LA
(code B98) and its devices are removed afterwards.
"""

from __future__ import annotations


from benchmarks import Result
from benchmarks import timed_and_rolled_back as _timed


def devices_for(scale):
    return {"tiny": 200, "small": 2_000, "london": 10_000, "national": 50_000}.get(scale, 2_000)


def _world(n):
    from django.db import transaction

    from accounts.models import LocalAuthority, School, User
    from allocations.models import Allocation, Child
    from devices.models import Device

    with transaction.atomic():
        la, _ = LocalAuthority.objects.get_or_create(code="B98", defaults={"name": "Bench campaigns LA", "gss_code": "E09999998"})
        school, _ = School.objects.get_or_create(urn=999902, defaults={"name": "Bench campaigns school", "local_authority": la})
        officer, _ = User.objects.get_or_create(username="bench-campaigns-officer", defaults={"role": "council_officer", "local_authority": la})
        _clean(la)
        devices = Device.objects.bulk_create([Device(kind="laptop", model="Bench Book", serial=f"BENCH-CA-{i}", local_authority=la, school=school,
                                                     status="handed_over") for i in range(n)], batch_size=2000)
        children = Child.objects.bulk_create([Child(local_authority=la, school=school, reference=f"BENCH-CA-{i}", first_name="A", last_name="B",
                                                    year_group="7", preferred_language=("pl", "so", "ur", "en")[i % 4],
                                                    guardian_phone=f"+4477009{i:05d}") for i in range(n)], batch_size=2000)
        Allocation.objects.bulk_create([Allocation(child=c, device=d, status="handed_over") for c, d in zip(children, devices)], batch_size=2000)
    return la, officer


def _clean(la):
    from allocations.models import Allocation, Child
    from campaigns.models import Campaign
    from devices.models import Device

    Campaign.objects.filter(local_authority=la).delete()
    Allocation.objects.filter(child__local_authority=la).delete()
    Child.objects.filter(local_authority=la).delete()
    Device.objects.filter(local_authority=la).delete()


def _naive_add(campaign, devices, by):
    from django.utils import timezone

    from campaigns.models import CampaignDevice, CampaignEvent

    added = 0
    for device in devices:
        if CampaignDevice.objects.filter(campaign=campaign, device=device).exists():
            continue
        item = CampaignDevice.objects.create(campaign=campaign, device=device)
        CampaignEvent.objects.create(item=item, to_status="to_do", actor=by, at=timezone.now(), note="Added to the campaign")
        added += 1
    return added


def campaign_add(scale, stdout):
    from django.db import transaction

    from campaigns import services
    from campaigns.models import Campaign
    from devices.models import Device

    n = devices_for(scale)
    la, officer = _world(n)
    kwargs = {"local_authority": la, "kind": "recall", "title": "Bench recall", "instructions": "Bring it in.", "criteria": {"model": "Bench Book"}, "by": officer}
    try:
        ours_s, (campaign, result) = _timed(lambda: services.create_campaign(**kwargs))

        def naive():
            campaign = Campaign.objects.create(local_authority=la, kind="recall", title="Bench recall", instructions="Bring it in.", created_by=officer)
            return _naive_add(campaign, Device.objects.filter(local_authority=la, model="Bench Book").order_by("pk"), officer)

        anchor_s, added = _timed(naive)
    finally:
        with transaction.atomic():
            _clean(la)
    stdout.write(f"campaign_add: {n} devices, create_campaign {ours_s:.2f} s, one at a time {anchor_s:.2f} s")
    return Result("campaign_add", ours_s, anchor_s, {"devices": n, "added": len(result.added), "added_one_by_one": added})


def campaign_send(scale, stdout):
    from django.db import transaction

    from campaigns import services
    from campaigns.models import CampaignDevice
    from messaging.services import Recipient, send_to_family

    n = devices_for(scale)
    la, officer = _world(n)
    try:
        campaign, _ = services.create_campaign(local_authority=la, kind="recall", title="Bench recall", instructions="Bring it in.",
                                               criteria={"model": "Bench Book"}, by=officer)
        ours_s, result = _timed(lambda: services.send_notices(campaign=campaign, channel="sms", by=officer))

        def naive():
            sent = 0
            for item in CampaignDevice.objects.filter(campaign=campaign).select_related("device").order_by("pk"):
                child = item.device.allocations.select_related("child", "child__school").get(status="handed_over").child
                send_to_family(recipient=Recipient(phone=child.guardian_phone), template="campaign_notice", channel="sms",
                               language=child.preferred_language, key=services.notice_key(campaign, item.device),
                               context={"kind": "recall", "title": campaign.title, "instructions": campaign.instructions,
                                        "serial": item.device.serial, "council": la.name},
                               local_authority=la, school=child.school, sent_by=officer)
                services.move(item=item, to_status="contacted", by=officer, note="Notice sent by text message")
                sent += 1
            return sent

        anchor_s, sent = _timed(naive)
    finally:
        with transaction.atomic():
            _clean(la)
    stdout.write(f"campaign_send: {n} families, send_notices {ours_s:.2f} s, one at a time {anchor_s:.2f} s")
    return Result("campaign_send", ours_s, anchor_s, {"families": n, "sent": len(result.sent), "sent_one_by_one": sent})


SCENARIOS = [campaign_add, campaign_send]
