"""Domain writes for campaigns: create, add devices, send to families, move, close.

A device's status in a campaign changes only through ``move`` (one device) or ``send_notices``
(to do -> contacted when the family's message is queued); ``MOVES`` declares every allowed move
once. Every change writes a ``CampaignEvent`` (who, when, note). A closed campaign takes no
devices, sends nothing and moves nothing.

Guarantees:
- a device is in a campaign at most once (a constraint; ``add_devices`` reports the repeat);
- ``add_devices`` never adds another LA's device or one that is lost, stolen, written off or
  replaced: each refusal has its reason, and the rest are added;
- ``send_notices`` reaches each family once per campaign, device and channel (the idempotency
  key ``campaign:<campaign>:<device>:<channel>``), so a retry or a second click never texts twice;
  a device with no family, no number or address, or a family that texted STOP is a refusal with
  its reason, never an error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from campaigns.models import Campaign, CampaignDevice, CampaignEvent, ItemStatus

S = ItemStatus

#: from status -> the statuses a device may move to. Fixed and returned are final.
MOVES = {
    S.TO_DO: (S.CONTACTED, S.FIXED, S.RETURNED, S.CANNOT_REACH),
    S.CONTACTED: (S.FIXED, S.RETURNED, S.CANNOT_REACH),
    S.CANNOT_REACH: (S.CONTACTED, S.FIXED, S.RETURNED),
    S.FIXED: (),
    S.RETURNED: (),
}

#: The button label for each move.
MOVE_LABELS = {
    S.CONTACTED: gettext_lazy("Family contacted"),
    S.FIXED: gettext_lazy("Fixed"),
    S.RETURNED: gettext_lazy("Returned"),
    S.CANNOT_REACH: gettext_lazy("Cannot reach the family"),
}

#: Channels a campaign's notice can be sent on through the messaging layer (letters are
#: printed from the device's page: the service holds no postal addresses for families).
SEND_CHANNELS = ("sms", "email")

#: The criteria a campaign selects devices by.
CRITERIA = ("model", "batch", "supplier", "product")


class MoveNotAllowed(ValidationError):
    pass


@dataclass
class AddResult:
    """What ``add_devices`` did: the rows added, and each device refused with its reason."""

    added: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # [(device, reason)]


@dataclass
class SendResult:
    sent: list = field(default_factory=list)  # [CampaignDevice]
    refused: list = field(default_factory=list)  # [(CampaignDevice, reason)]


def allowed_moves(status):
    return list(MOVES.get(status, ()))


def matching_devices(queryset, criteria):
    """``queryset`` (devices, already scoped) narrowed by the criteria that are set."""
    if criteria.get("model"):
        queryset = queryset.filter(model=criteria["model"])
    if criteria.get("batch"):
        queryset = queryset.filter(batch_id=criteria["batch"])
    if criteria.get("supplier"):
        queryset = queryset.filter(batch__supplier=criteria["supplier"])
    if criteria.get("product"):
        queryset = queryset.filter(licences__product=criteria["product"]).distinct()
    return queryset


def _event(item, *, by, at, from_status="", to_status="", note="", message=None):
    return CampaignEvent(item=item, from_status=from_status, to_status=to_status, actor=by if getattr(by, "pk", None) else None,
                         at=at, note=note[:1000], message=message)


def _refusal_for(device, campaign):
    from devices.models import INACTIVE_STATUSES

    if device.local_authority_id != campaign.local_authority_id:
        return _("The device belongs to another council.")
    if device.status in INACTIVE_STATUSES:
        return _("The device is %(status)s.") % {"status": device.get_status_display().lower()}
    return ""


@transaction.atomic
def add_devices(*, campaign, devices, by):
    """Add ``devices`` (a queryset or list) to ``campaign``; returns an ``AddResult``.

    The campaign row is locked, so two people adding at once cannot add a device twice. Each
    device is added with status "to do" and an event, or refused with its reason (already in the
    campaign, another council's, lost, stolen, written off or replaced; the campaign closed)."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    devices = list(devices)
    result = AddResult()
    if not campaign.is_open:
        result.refused = [(d, _("The campaign is closed.")) for d in devices]
        return result
    already = set(CampaignDevice.objects.filter(campaign=campaign, device__in=[d.pk for d in devices]).values_list("device_id", flat=True))
    seen, new = set(), []
    for device in devices:
        if device.pk in already or device.pk in seen:
            result.refused.append((device, _("Already in the campaign.")))
            continue
        reason = _refusal_for(device, campaign)
        if reason:
            result.refused.append((device, reason))
            continue
        seen.add(device.pk)
        new.append(CampaignDevice(campaign=campaign, device=device))
    if new:
        now = timezone.now()
        for item in new:
            item.added_at = item.changed_at = now
        result.added = CampaignDevice.objects.bulk_create(new, batch_size=1000)
        if any(item.pk is None for item in result.added):  # a backend that returns no ids
            by_device = dict(CampaignDevice.objects.filter(campaign=campaign, device__in=list(seen)).values_list("device_id", "pk"))
            for item in result.added:
                item.pk = by_device[item.device_id]
        note, actor = _("Added to the campaign"), by if getattr(by, "pk", None) else None
        CampaignEvent.objects.bulk_create(
            [CampaignEvent(item=item, to_status=S.TO_DO, actor=actor, at=now, note=note) for item in result.added], batch_size=1000,
        )
    return result


@transaction.atomic
def create_campaign(*, local_authority, kind, title, instructions, criteria, by):
    """Start a campaign for ``local_authority`` with every device of that LA matching
    ``criteria`` (at least one of model, batch, supplier, product). Returns (campaign,
    AddResult); devices that cannot be in it (written off, ...) are the result's refusals."""
    from devices.models import Device

    criteria = {k: v for k, v in (criteria or {}).items() if k in CRITERIA and v not in (None, "")}
    if not criteria:
        raise ValidationError(_("Choose at least one of model, delivery batch, supplier or licence product."))
    if kind not in Campaign.Kind.values:
        raise ValidationError(_("Choose recall or fix-up."))
    campaign = Campaign(local_authority=local_authority, kind=kind, title=title.strip(), instructions=instructions.strip(),
                        criteria=criteria, created_by=by if getattr(by, "pk", None) else None)
    campaign.full_clean()
    campaign.save()
    devices = matching_devices(Device.objects.filter(local_authority=local_authority), criteria).order_by("pk")
    return campaign, add_devices(campaign=campaign, devices=devices, by=by)


def check_move(item, to_status):
    if not item.campaign.is_open:
        raise MoveNotAllowed(_("The campaign is closed: nothing in it can change."))
    if to_status not in MOVES.get(item.status, ()):
        raise MoveNotAllowed(_("A device that is “%(from)s” cannot be marked “%(to)s”.") % {
            "from": item.get_status_display(), "to": dict(S.choices).get(to_status, to_status)})


@transaction.atomic
def move(*, item, to_status, by, note=""):
    """Move one device in a campaign to ``to_status`` if ``MOVES`` allows it; writes an event.
    A refused move raises ``MoveNotAllowed`` and writes nothing."""
    item = CampaignDevice.objects.select_for_update().select_related("campaign").get(pk=item.pk)
    check_move(item, to_status)
    now = timezone.now()
    event = _event(item, by=by, at=now, from_status=item.status, to_status=to_status, note=note.strip())
    item.status, item.changed_at = to_status, now
    item.save(update_fields=["status", "changed_at"])
    event.save()
    return item


@transaction.atomic
def close_campaign(*, campaign, by):
    """Close an open campaign: its devices keep their statuses; nothing in it changes after."""
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_open:
        raise ValidationError(_("The campaign is already closed."))
    campaign.status, campaign.closed_at = Campaign.Status.CLOSED, timezone.now()
    campaign.closed_by = by if getattr(by, "pk", None) else None
    campaign.save(update_fields=["status", "closed_at", "closed_by"])
    return campaign


def notice_key(campaign, device):
    """The idempotency key of a campaign's notice about one device (messaging adds the channel)."""
    return f"campaign:{campaign.pk}:{device.pk}"


@transaction.atomic
def send_notices(*, campaign, channel, by, items=None):
    """Send the campaign's notice to the family of every device still "to do" (of ``items``, or
    the whole campaign), in the family's language, through ``messaging.send_to_families``; each
    device whose message is queued moves to "contacted" with an event naming the message.

    Only a device with an active allocation has a family. Refused, each with its reason: no
    family, an anonymised child, no number or email address, a number that texted STOP or is not
    a mobile. Repeating the call sends nothing twice (one key per campaign, device and channel)."""
    from allocations.models import Allocation
    from messaging.models import OptOut, OutboundMessage, Status
    from messaging.services import Recipient, send_to_families

    campaign = Campaign.objects.select_for_update().select_related("local_authority").get(pk=campaign.pk)
    if not campaign.is_open:
        raise ValidationError(_("The campaign is closed: nothing can be sent."))
    if channel not in SEND_CHANNELS:
        raise ValidationError(_("Choose text message or email."))
    queryset = items if items is not None else CampaignDevice.objects.filter(campaign=campaign)
    todo = list(queryset.filter(campaign=campaign, status=S.TO_DO).select_for_update(of=("self",)).select_related("device").order_by("pk"))
    result = SendResult()
    if not todo:
        return result
    holders = {a.device_id: a.child for a in Allocation.objects.active().filter(device_id__in=[i.device_id for i in todo]).select_related("child", "child__school")}
    opted_out = set(OptOut.objects.values_list("phone", flat=True)) if channel == "sms" else set()
    to_send, keys = [], {}
    for item in todo:
        child = holders.get(item.device_id)
        if child is None or child.anonymised_at:
            result.refused.append((item, _("Not with a child: there is no family to contact.")))
            continue
        address = child.guardian_phone if channel == "sms" else child.guardian_email
        if not address:
            result.refused.append((item, _("No mobile number for the family.") if channel == "sms" else _("No email address for the family.")))
            continue
        if channel == "sms" and address in opted_out:
            result.refused.append((item, _("The family texted STOP: they get no texts.")))
            continue
        key = notice_key(campaign, item.device)
        keys[f"{key}:{channel}"] = item
        to_send.append({
            "recipient": Recipient(phone=child.guardian_phone, email=child.guardian_email, name=child.guardian_name),
            "language": child.preferred_language, "key": key, "local_authority": campaign.local_authority, "school": child.school,
            "context": {"kind": campaign.kind, "title": campaign.title, "instructions": campaign.instructions,
                        "device_kind": item.device.kind, "serial": item.device.serial, "council": campaign.local_authority.name},
        })
    send_to_families(template="campaign_notice", channel=channel, items=to_send, sent_by=by if getattr(by, "pk", None) else None)
    messages = OutboundMessage.objects.filter(idempotency_key__in=list(keys)).only(
        "pk", "idempotency_key", "status", "last_error", "language", "recipient", "body", "channel").order_by("pk")
    now, events, contacted = timezone.now(), [], []
    sent_note = _("Notice sent by %(channel)s") % {"channel": _("text message") if channel == "sms" else _("email")}
    for message in messages:
        item = keys[message.idempotency_key]
        if message.status == Status.OPTED_OUT:
            result.refused.append((item, _("The family texted STOP: they get no texts.")))
        elif message.status in (Status.PERMANENT_FAILURE, Status.TECHNICAL_FAILURE):
            result.refused.append((item, message.last_error or _("The message could not be sent.")))
        else:
            contacted.append(item.pk)
            item.message = message
            result.sent.append(item)
            events.append(_event(item, by=by, at=now, from_status=S.TO_DO, to_status=S.CONTACTED, note=sent_note, message=message))
    by_reason = {}
    for item, reason in result.refused:
        by_reason.setdefault(str(reason)[:300], []).append(item.pk)
    for reason, pks in by_reason.items():  # kept on the row: the devices table shows why
        CampaignDevice.objects.filter(pk__in=pks).update(not_sent_reason=reason)
    if contacted:
        CampaignDevice.objects.filter(pk__in=contacted).update(status=S.CONTACTED, changed_at=now, not_sent_reason="")
        CampaignEvent.objects.bulk_create(events, batch_size=1000)
        for item in result.sent:
            item.status = S.CONTACTED
    return result


def queue_notices(*, campaign, channel, by, items):
    """Send the notices now (``send_notices``; returns its ``SendResult``) or, when more than
    ``CAMPAIGNS_SEND_INLINE_MAX`` devices are still to do, queue them for the worker
    (``campaigns.tasks.send_campaign_notices``, after the commit) and return None: a page never
    waits for tens of thousands of texts. Refused as ``send_notices`` refuses (closed, channel)."""
    from django.conf import settings

    if not campaign.is_open:
        raise ValidationError(_("The campaign is closed: nothing can be sent."))
    if channel not in SEND_CHANNELS:
        raise ValidationError(_("Choose text message or email."))
    todo = items.filter(campaign=campaign, status=S.TO_DO).count()
    if todo <= settings.CAMPAIGNS_SEND_INLINE_MAX:
        return send_notices(campaign=campaign, channel=channel, by=by, items=items)
    from campaigns.tasks import send_campaign_notices

    transaction.on_commit(lambda: send_campaign_notices.enqueue(campaign.pk, channel, by.pk))
    return None
