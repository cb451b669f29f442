"""Domain writes for moves between councils: propose, accept, decline, withdraw.

A transfer's status changes only here, and only by a move ``MOVES`` allows: a waiting transfer
is accepted, declined or withdrawn once, and then nothing more happens to it.

Guarantees:
- only an officer of the child's council proposes, only an officer of the receiving council
  accepts or declines, only an officer of the sending council withdraws (administrators may do
  each); every refusal is a ``TransferError`` with a reason, never a crash;
- a child has at most one waiting transfer (a partial unique constraint, so two officers
  proposing at once cannot both succeed); a transfer is decided once (the row is locked, so a
  second "Accept" is refused with the date of the first);
- nothing moves until acceptance. On acceptance, in one transaction: the child (with a
  reference and school in the receiving council), their allocations (through the child), the
  devices of their active allocations with their SIMs, licences, plans and custody log, their
  tickets with their messages, network requests, check-ins, data vouchers, open alerts about
  the devices, and the messages sent to the family. A device lent (not yet the family's) stays
  on the sending council's stock records when the proposal says so and the receiver accepts
  it; a device with a SIM always moves (its SIM's requests and readings follow the child);
- the custody log records both sides: "moved to <receiver>" with the proposer, and "received
  from <sender>" with the accepter; a device kept by the sender gets a note saying so;
- the sender keeps the transfer row (its own reference, the date, who, the kinds of device)
  and nothing more; every step is in the transfer's history and the log (ids only).
"""

import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import LocalAuthority, Role, School
from allocations.models import ACTIVE_ALLOCATION_STATUSES, Allocation, Child
from devices.models import Alert, Device, DeviceEvent, Ownership
from transfers.models import ChildTransfer, TransferStatus

logger = logging.getLogger("transfers")

S = TransferStatus

#: from status -> the statuses a transfer may move to. Every decision is final.
MOVES = {
    S.PROPOSED: (S.ACCEPTED, S.DECLINED, S.WITHDRAWN),
    S.ACCEPTED: (),
    S.DECLINED: (),
    S.WITHDRAWN: (),
}

#: Who may see the transfers pages, and who may propose or decide.
READER_ROLES = (Role.COUNCIL_OFFICER, Role.CIO)
ACTOR_ROLES = (Role.COUNCIL_OFFICER,)


class TransferError(ValidationError):
    """A move the rules forbid, with a message for the user."""

    def __str__(self):
        return " ".join(str(m) for m in self.messages)


def allowed_moves(status):
    return list(MOVES.get(status, ()))


def _is_admin(user):
    return user.is_superuser or user.role == Role.ADMIN


def can_act_for(user, local_authority_id):
    """Whether ``user`` may propose, accept, decline or withdraw on behalf of that council."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return _is_admin(user) or (user.role in ACTOR_ROLES and user.local_authority_id == local_authority_id)


def _move(transfer, to_status):
    if to_status not in MOVES.get(transfer.status, ()):
        if transfer.status == S.PROPOSED:
            raise TransferError(_("This move is not allowed."), code="move")
        when = timezone.localtime(transfer.decided_at).strftime("%d/%m/%Y %H:%M") if transfer.decided_at else ""
        raise TransferError(
            _("This transfer was already %(status)s on %(when)s; nothing more can be done to it.")
            % {"status": transfer.get_status_display().lower(), "when": when},
            code="decided",
        )
    transfer.status = to_status


def movable_devices(child):
    """The devices of ``child``'s active allocations, with whether each could stay behind (lent,
    not yet the family's, and without a SIM)."""
    allocations = Allocation.objects.filter(child=child, status__in=ACTIVE_ALLOCATION_STATUSES).select_related("device", "device__sim")
    rows = []
    for allocation in allocations.order_by("pk"):
        device = allocation.device
        has_sim = hasattr(device, "sim") and device.sim is not None
        rows.append({
            "allocation": allocation, "device": device, "has_sim": has_sim, "owned_by_family": device.ownership == Ownership.FAMILY,
            "can_stay": device.ownership == Ownership.LA and not has_sim,
        })
    return rows


def describe(device):
    """A device as the other council may read it: kind and model, never a serial."""
    return {"kind": device.get_kind_display(), "model": " ".join(p for p in (device.make, device.model) if p)}


def proposal_problems(*, child, to_local_authority):
    """Why ``child`` cannot be proposed for a move to ``to_local_authority`` (empty: it can)."""
    problems = []
    if to_local_authority is None or not LocalAuthority.objects.filter(pk=getattr(to_local_authority, "pk", None)).exists():
        problems.append(_("Choose a council that uses this service."))
    elif to_local_authority.pk == child.local_authority_id:
        problems.append(_("The child already belongs to %(council)s. Choose another council.") % {"council": to_local_authority.name})
    return problems + child_problems(child)


def child_problems(child):
    """Why ``child`` cannot be proposed for a move to any council (empty: it can)."""
    problems = []
    if child.anonymised_at:
        problems.append(_("This child's record has been anonymised: there is nothing to move."))
    waiting = ChildTransfer.objects.filter(child=child, status=S.PROPOSED).select_related("to_local_authority").first()
    if waiting is not None:
        problems.append(
            _("A move of this child to %(council)s is already waiting for an answer. Withdraw it before proposing another.")
            % {"council": waiting.to_local_authority.name}
        )
    from campaigns.models import CampaignDevice

    from campaigns.models import Campaign, ItemStatus

    in_campaign = (
        CampaignDevice.objects.filter(
            device__allocations__child=child, device__allocations__status__in=ACTIVE_ALLOCATION_STATUSES, campaign__status=Campaign.Status.OPEN
        )
        .exclude(status__in=(ItemStatus.FIXED, ItemStatus.RETURNED))
        .select_related("device", "campaign")
        .distinct()
    )
    for item in in_campaign:
        problems.append(
            _("Device %(serial)s is in the open campaign “%(campaign)s”. Finish its part in the campaign first.")
            % {"serial": item.device.serial, "campaign": item.campaign.title}
        )
    return problems


@transaction.atomic
def propose(*, child, to_local_authority, by, note="", lent_devices_stay=False):
    """Propose moving ``child`` to ``to_local_authority``. Nothing moves until it is accepted."""
    child = Child.objects.select_for_update().select_related("local_authority").get(pk=child.pk)
    if not can_act_for(by, child.local_authority_id):
        raise TransferError(_("Only an officer of %(council)s can propose moving this child.") % {"council": child.local_authority.name}, code="forbidden")
    problems = proposal_problems(child=child, to_local_authority=to_local_authority)
    if problems:
        raise TransferError(problems, code="refused")
    if lent_devices_stay and not any(row["can_stay"] for row in movable_devices(child)):
        raise TransferError(
            _("None of this child's devices can stay behind: only a lent device without a SIM can stay on your records."), code="nothing_stays"
        )
    transfer = ChildTransfer(
        child=child, from_local_authority=child.local_authority, to_local_authority=to_local_authority, from_reference=child.reference,
        note=note.strip(), lent_devices_stay=lent_devices_stay, proposed_by=by, proposed_at=timezone.now(),
    )
    transfer._history_user = by
    try:
        with transaction.atomic():
            transfer.save()
    except IntegrityError as exc:  # another officer proposed a move of this child a moment ago
        raise TransferError(_("A move of this child is already waiting for an answer."), code="waiting") from exc
    transfer.local_authorities.set([child.local_authority_id, to_local_authority.pk])
    logger.info("transfer %s proposed: child %s from LA %s to LA %s by user %s", transfer.pk, child.pk, child.local_authority_id, to_local_authority.pk, by.pk)
    return transfer


def _lock(transfer):
    return ChildTransfer.objects.select_for_update().select_related("from_local_authority", "to_local_authority").get(pk=transfer.pk)


def acceptance_problems(*, transfer, reference, school):
    """Why the receiver cannot accept with this reference and school, by form field
    (``{"reference": [...], "school": [...]}``; empty: it can)."""
    problems = {}
    reference = (reference or "").strip()
    council = transfer.to_local_authority.name
    if not reference:
        problems["reference"] = [_("Enter the child's reference in %(council)s.") % {"council": council}]
    elif Child.objects.filter(local_authority_id=transfer.to_local_authority_id, reference=reference).exists():
        problems["reference"] = [_("Another child in %(council)s already has reference %(ref)s. Enter another.") % {"council": council, "ref": reference}]
    if school is not None and not School.objects.filter(pk=school.pk, local_authority_id=transfer.to_local_authority_id).exists():
        problems["school"] = [_("Choose a school in %(council)s, or none.") % {"council": council}]
    return problems


@transaction.atomic
def accept(*, transfer, by, reference, school=None):
    """Accept a waiting transfer: the child and what belongs with them move to the receiver."""
    transfer = _lock(transfer)
    if not can_act_for(by, transfer.to_local_authority_id):
        raise TransferError(
            _("Only an officer of %(council)s can accept this move.") % {"council": transfer.to_local_authority.name}, code="forbidden"
        )
    _move(transfer, S.ACCEPTED)
    child = Child.objects.select_for_update().get(pk=transfer.child_id)
    if child.local_authority_id != transfer.from_local_authority_id or child.anonymised_at:
        raise TransferError(_("The child's record has changed since the move was proposed. Ask the sending council to propose it again."), code="stale")
    problems = acceptance_problems(transfer=transfer, reference=reference, school=school)
    if problems:
        raise TransferError(problems, code="refused")
    sender, receiver = transfer.from_local_authority, transfer.to_local_authority
    now = timezone.now()
    rows = movable_devices(child)
    moving = [r["device"] for r in rows if not (transfer.lent_devices_stay and r["can_stay"])]
    staying = [r["device"] for r in rows if transfer.lent_devices_stay and r["can_stay"]]
    locked = {d.pk: d for d in Device.objects.select_for_update().filter(pk__in=sorted(d.pk for d in moving + staying)).order_by("pk")}
    allocation_of = {r["device"].pk: r["allocation"] for r in rows}
    events = []
    for original in moving:
        device = locked[original.pk]
        device.local_authority_id, device.school = receiver.pk, school
        device._history_user = by
        device.save(update_fields=["local_authority", "school", "updated_at"])
        allocation = allocation_of[device.pk]
        events.append(DeviceEvent(
            device=device, kind=DeviceEvent.Kind.MOVED_OUT, actor=transfer.proposed_by,
            at=now, allocation=allocation, note=_("Moved with the child from %(sender)s to %(receiver)s.") % {"sender": sender.name, "receiver": receiver.name},
        ))
        events.append(DeviceEvent(
            device=device, kind=DeviceEvent.Kind.MOVED_IN, actor=by,
            at=now, allocation=allocation, note=_("Received by %(receiver)s from %(sender)s.") % {"sender": sender.name, "receiver": receiver.name},
        ))
    for original in staying:
        device = locked[original.pk]
        events.append(DeviceEvent(
            device=device, kind=DeviceEvent.Kind.NOTE, actor=by, at=now, allocation=allocation_of[device.pk],
            note=_("Stays on %(sender)s's stock records, on loan to a child who moved to %(receiver)s.") % {"sender": sender.name, "receiver": receiver.name},
        ))
    DeviceEvent.objects.bulk_create(events)
    moved_pks = [d.pk for d in moving]

    from connectivity.models import CheckIn, DataVoucher, NetworkRequest, Sim
    from messaging.models import OutboundMessage
    from support.models import Ticket

    for sim in Sim.objects.select_for_update().filter(device_id__in=moved_pks):
        sim.local_authority_id = receiver.pk
        sim._history_user = by
        sim.save(update_fields=["local_authority"])
    ticket_pks = list(
        Ticket.objects.filter(local_authority_id=sender.pk).filter(Q(child=child) | Q(device_id__in=moved_pks)).values_list("pk", flat=True)
    )
    for ticket in Ticket.objects.select_for_update().filter(pk__in=ticket_pks).order_by("pk"):
        ticket.local_authority_id, ticket.school = receiver.pk, school
        ticket._history_user = by
        ticket.save(update_fields=["local_authority", "school"])
    family = [v for v in (child.guardian_phone, child.guardian_email) if v]
    OutboundMessage.objects.filter(local_authority_id=sender.pk).filter(
        Q(ticket_id__in=ticket_pks) | Q(recipient__in=family) | Q(pk__in=CheckIn.objects.filter(child=child).values("message_id"))
    ).update(local_authority_id=receiver.pk, school=school)
    NetworkRequest.objects.filter(child=child).update(local_authority_id=receiver.pk, school=school)
    CheckIn.objects.filter(child=child).update(local_authority_id=receiver.pk, school=school)
    DataVoucher.objects.filter(given_to=child).update(local_authority_id=receiver.pk)
    Alert.objects.filter(Q(device_id__in=moved_pks) | Q(sim__device_id__in=moved_pks)).update(local_authority_id=receiver.pk, school=school)

    child.local_authority_id, child.school, child.reference = receiver.pk, school, reference.strip()
    child._history_user = by
    child.save()

    transfer.to_reference = child.reference
    transfer.devices_moved = [describe(d) for d in moving]
    transfer.devices_kept = [describe(d) for d in staying]
    transfer.tickets_moved = len(ticket_pks)
    transfer.decided_by, transfer.decided_at = by, now
    transfer._history_user = by
    transfer.save()
    logger.info(
        "transfer %s accepted by user %s: child %s, %s devices moved, %s kept, %s tickets moved",
        transfer.pk, by.pk, child.pk, len(moving), len(staying), len(ticket_pks),
    )
    return transfer


@transaction.atomic
def decline(*, transfer, by, reason):
    """Decline a waiting transfer, with a reason for the sender. Nothing moves."""
    transfer = _lock(transfer)
    if not can_act_for(by, transfer.to_local_authority_id):
        raise TransferError(_("Only an officer of %(council)s can decline this move.") % {"council": transfer.to_local_authority.name}, code="forbidden")
    if not (reason or "").strip():
        raise TransferError(_("Say why you are declining, so the sending council knows what to do next."), code="reason")
    _move(transfer, S.DECLINED)
    transfer.decided_by, transfer.decided_at, transfer.decision_reason = by, timezone.now(), reason.strip()
    transfer._history_user = by
    transfer.save()
    logger.info("transfer %s declined by user %s", transfer.pk, by.pk)
    return transfer


@transaction.atomic
def withdraw(*, transfer, by):
    """The sender withdraws a waiting transfer. Nothing moves."""
    transfer = _lock(transfer)
    if not can_act_for(by, transfer.from_local_authority_id):
        raise TransferError(_("Only an officer of %(council)s can withdraw this move.") % {"council": transfer.from_local_authority.name}, code="forbidden")
    _move(transfer, S.WITHDRAWN)
    transfer.decided_by, transfer.decided_at = by, timezone.now()
    transfer._history_user = by
    transfer.save()
    logger.info("transfer %s withdrawn by user %s", transfer.pk, by.pk)
    return transfer
