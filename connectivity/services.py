"""Domain writes for connectivity: requests to a mobile network and their lifecycle.

A ``NetworkRequest``'s status changes only through ``move_request`` here. ``MOVES`` declares
every allowed move once, with the side that may make it: ``STAFF`` (council officers, school
staff, admins: they raise, confirm, resubmit and cancel) or ``NETWORK`` (the network's users
and its operator API tokens: they take the work, finish it or report a problem). Every change
writes a ``NetworkRequestEvent``; a refused move raises ``MoveNotAllowed`` and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connectivity.models import NetworkRequest, NetworkRequestEvent, Sim
from devices.validators import normalise_uk_mobile

R = NetworkRequest.Status
STAFF = "staff"
NETWORK = "network"

#: from status -> {to status: the sides that may make the move}. Done and cancelled are final.
MOVES = {
    R.TO_CONFIRM: {R.REQUESTED: {STAFF}, R.CANCELLED: {STAFF}},
    R.REQUESTED: {R.SENT: {STAFF, NETWORK}, R.IN_PROGRESS: {NETWORK}, R.DONE: {NETWORK}, R.PROBLEM: {NETWORK}, R.CANCELLED: {STAFF}},
    R.SENT: {R.IN_PROGRESS: {NETWORK}, R.DONE: {NETWORK}, R.PROBLEM: {NETWORK}, R.CANCELLED: {STAFF}},
    R.IN_PROGRESS: {R.DONE: {NETWORK}, R.PROBLEM: {NETWORK}, R.CANCELLED: {STAFF}},
    R.PROBLEM: {R.REQUESTED: {STAFF}, R.IN_PROGRESS: {NETWORK}, R.DONE: {NETWORK}, R.CANCELLED: {STAFF}},
    R.DONE: {},
    R.CANCELLED: {},
}

#: Kinds that are about a SIM we hold (the rest: a family's own phone number).
SIM_KINDS = ("suspend", "reactivate", "extend", "increase", "swap")


class MoveNotAllowed(ValidationError):
    pass


def _label(status):
    return str(dict(R.choices).get(status, status))


def side_of(user):
    """``NETWORK`` for a network's user, else ``STAFF``."""
    return NETWORK if getattr(user, "role", "") == "network" else STAFF


def allowed_moves(status, side):
    """The statuses ``side`` may move a request in ``status`` to, in declaration order."""
    return [to for to, sides in MOVES.get(status, {}).items() if side in sides]


def check_move(request, to_status, *, side, problem=""):
    """Raise ``MoveNotAllowed`` (with the reason, in the reader's language) unless ``side`` may
    move ``request`` to ``to_status`` with ``problem``."""
    if to_status not in dict(R.choices):
        raise MoveNotAllowed(_("“%(status)s” is not a request status.") % {"status": to_status})
    if to_status not in allowed_moves(request.status, side):
        raise MoveNotAllowed(
            _("Request %(ref)s cannot go from “%(from)s” to “%(to)s”.")
            % {"ref": request.reference, "from": _label(request.status), "to": _label(to_status)}
        )
    if to_status == R.PROBLEM and problem not in dict(NetworkRequest.Problem.choices):
        raise MoveNotAllowed(_("Choose the problem code for request %(ref)s.") % {"ref": request.reference})
    if to_status != R.PROBLEM and problem:
        raise MoveNotAllowed(_("A problem code goes only with the status “Problem”."))


def _event(request, *, by, at, from_status="", to_status="", problem="", note="", by_network=False):
    return NetworkRequestEvent(
        request=request, from_status=from_status, to_status=to_status, problem=problem, note=note[:2000],
        actor=by if getattr(by, "pk", None) else None, by_network=by_network, at=at,
    )


@transaction.atomic
def raise_request(*, kind, by, sim=None, msisdn="", network=None, child=None, reason="", account_holder="",
                  phone_plan="", consent_given=False, to_confirm=False, at=None):
    """Raise one request and write its first event. ``sim`` for SIM kinds (the network, LA and
    school follow from it); for extra data on a family's own phone, ``msisdn``, ``network``,
    ``child`` (the LA and school follow), the account holder, pay-as-you-go or contract, and the
    family's consent, which is required. Refused (``ValidationError``) when the same SIM, or the
    same number, already has an open request of this kind. ``to_confirm``: raised by the service
    for an officer to confirm (status "Waiting for the council to confirm")."""
    at = at or timezone.now()
    if kind not in dict(NetworkRequest.Kind.choices):
        raise ValidationError(_("“%(kind)s” is not a kind of request.") % {"kind": kind})
    request = NetworkRequest(kind=kind, reason=reason, requested_by=by if getattr(by, "pk", None) else None, changed_at=at,
                             status=R.TO_CONFIRM if to_confirm else R.REQUESTED)
    if kind in SIM_KINDS:
        if sim is None:
            raise ValidationError(_("Choose the SIM this request is about."))
        if sim.network_id is None:
            raise ValidationError(_("SIM %(iccid)s has no network recorded: add its network first.") % {"iccid": sim.iccid})
        request.sim, request.network_id, request.msisdn = sim, sim.network_id, sim.msisdn or ""
        request.local_authority_id = sim.local_authority_id
        device = sim.device if sim.device_id else None
        request.school_id = device.school_id if device else None
        holder = _child_holding(device) if device else None
        request.child = child or holder
    else:
        if child is None:
            raise ValidationError(_("Choose the child whose family's phone this is."))
        if network is None:
            raise ValidationError(_("Choose the family's mobile network."))
        try:
            request.msisdn = normalise_uk_mobile(msisdn)
        except ValidationError:
            raise ValidationError(_("Enter a UK mobile number, like 07700 900123."))
        if not account_holder.strip():
            raise ValidationError(_("Enter the account holder's name."))
        if phone_plan not in dict(NetworkRequest.PhonePlan.choices):
            raise ValidationError(_("Say whether the phone is pay as you go or on a contract."))
        if not consent_given:
            raise ValidationError(_("The family must agree to share the number with the network."))
        request.network, request.child = network, child
        request.local_authority_id, request.school_id = child.local_authority_id, child.school_id
        request.account_holder, request.phone_plan, request.consent_given = account_holder.strip()[:120], phone_plan, True
    _refuse_duplicate(request)
    request.full_clean(exclude=["changed_at"], validate_constraints=False)
    try:
        with transaction.atomic():
            request.save()
    except IntegrityError:
        # A concurrent raise of the same request won the race: the same refusal as above.
        _refuse_duplicate(request, force=True)
        raise
    _event(request, by=by, at=at, to_status=request.status, note=reason).save()
    return request


def _child_holding(device):
    from allocations.models import ACTIVE_ALLOCATION_STATUSES, Allocation

    allocation = Allocation.objects.filter(device=device, status__in=ACTIVE_ALLOCATION_STATUSES).select_related("child").first()
    return allocation.child if allocation else None


def _refuse_duplicate(request, force=False):
    open_ = NetworkRequest.objects.open().filter(kind=request.kind)
    existing = (open_.filter(sim=request.sim) if request.sim_id else open_.filter(msisdn=request.msisdn)).first()
    if existing is not None or force:
        ref = existing.reference if existing else ""
        what = request.sim.iccid if request.sim_id else request.msisdn
        raise ValidationError(
            _("%(what)s already has an open request of this kind (%(ref)s).") % {"what": what, "ref": ref}
        )


@transaction.atomic
def move_request(*, request, to_status, by, problem="", note="", side=None, at=None):
    """Move one request to ``to_status`` if ``MOVES`` allows it for the mover's side (``side``,
    else from ``by``'s role), with a problem code exactly when the new status is "Problem", and
    write the event. The request row is locked, so two movers cannot both move it from the same
    status. Returns the request."""
    side = side or side_of(by)
    at = at or timezone.now()
    request = NetworkRequest.objects.select_for_update().get(pk=request.pk)
    check_move(request, to_status, side=side, problem=problem)
    from_status = request.status
    request.status, request.problem, request.changed_at = to_status, problem if to_status == R.PROBLEM else "", at
    request.save(update_fields=["status", "problem", "changed_at"])
    event = _event(request, by=by, at=at, from_status=from_status, to_status=to_status, problem=problem, note=note, by_network=side == NETWORK)
    event.save()
    if to_status == R.DONE:
        _when_done(request, by=by)
    _tell_family(request, by=by, event=event)  # --- requests: the council's and school's side
    return request


#: What a finished request does to its SIM.
SIM_STATUS_WHEN_DONE = {"suspend": Sim.Status.SUSPENDED, "reactivate": Sim.Status.ACTIVE}


def _when_done(request, *, by):
    new_status = SIM_STATUS_WHEN_DONE.get(request.kind)
    if new_status and request.sim_id:
        sim = Sim.objects.select_for_update().get(pk=request.sim_id)
        if sim.status != new_status:
            sim.status = new_status
            sim._history_user = by if getattr(by, "pk", None) else None
            sim.save(update_fields=["status"])


@transaction.atomic
def add_note(*, request, by, note, side=None, at=None):
    """A note on a request's history, without a status change."""
    note = (note or "").strip()
    if not note:
        raise ValidationError(_("Write the note."))
    _event(request, by=by, at=at or timezone.now(), note=note, by_network=(side or side_of(by)) == NETWORK).save()
    return request


@dataclass
class BulkResult:
    moved: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (request, reason)


@transaction.atomic
def move_requests(*, requests, to_status, by, problem="", note="", side=None, at=None):
    """Move each of ``requests`` as ``move_request`` would, in one transaction; a request the
    move is not allowed for is refused with its reason and the others still move."""
    result = BulkResult()
    at = at or timezone.now()
    for request in requests:
        try:
            with transaction.atomic():
                result.moved.append(move_request(request=request, to_status=to_status, by=by, problem=problem, note=note, side=side, at=at))
        except ValidationError as exc:
            result.refused.append((request, " ".join(exc.messages)))
    return result


MOVE_LABELS = {
    R.REQUESTED: gettext_lazy("Confirm and request"),
    R.SENT: gettext_lazy("Mark as sent to the network"),
    R.IN_PROGRESS: gettext_lazy("Mark as in progress"),
    R.DONE: gettext_lazy("Mark as done"),
    R.PROBLEM: gettext_lazy("Report a problem"),
    R.CANCELLED: gettext_lazy("Cancel the request"),
}


# --- requests: the council's and school's side (raising in bulk, telling the family, overdue)

@dataclass
class BulkRaiseResult:
    raised: list = field(default_factory=list)
    refused: list = field(default_factory=list)  # (sim, reason)


@transaction.atomic
def raise_requests(*, sims, kind, by, reason="", reasons=None, to_confirm=False, at=None):
    """Raise a request of ``kind`` for each of ``sims`` (SIM kinds only), in one transaction.

    A SIM that cannot have one (no network recorded, an open request of this kind already) is
    refused with its reason and the others are still raised. ``reasons`` (SIM id -> text)
    overrides ``reason`` per SIM. Built in a few queries for the lot (the open requests, the
    children holding the devices) and written with two bulk inserts; if a concurrent raise
    wins a race for one of the SIMs, it falls back to ``raise_request`` one SIM at a time."""
    from allocations.models import ACTIVE_ALLOCATION_STATUSES, Allocation

    if kind not in SIM_KINDS:
        raise ValidationError(_("Requests in bulk are for SIMs: choose what to ask the network."))
    at = at or timezone.now()
    reasons = reasons or {}
    sims = list(sims.select_related("device").order_by("pk") if hasattr(sims, "select_related") else sims)
    ids = [s.pk for s in sims]
    open_ = {}
    for i in range(0, len(ids), 2000):
        open_.update(NetworkRequest.objects.open().filter(kind=kind, sim_id__in=ids[i:i + 2000]).values_list("sim_id", "pk"))
    device_ids = [s.device_id for s in sims if s.device_id]
    holders = {}
    for i in range(0, len(device_ids), 2000):
        holders.update(
            Allocation.objects.filter(device_id__in=device_ids[i:i + 2000], status__in=ACTIVE_ALLOCATION_STATUSES).values_list("device_id", "child_id")
        )
    result, pending = BulkRaiseResult(), []
    actor = by if getattr(by, "pk", None) else None
    for sim in sims:
        if sim.network_id is None:
            result.refused.append((sim, _("SIM %(iccid)s has no network recorded: add its network first.") % {"iccid": sim.iccid}))
        elif sim.pk in open_:
            result.refused.append((sim, _("%(what)s already has an open request of this kind (%(ref)s).")
                                   % {"what": sim.iccid, "ref": NetworkRequest(pk=open_[sim.pk]).reference}))
        else:
            pending.append(NetworkRequest(
                kind=kind, status=R.TO_CONFIRM if to_confirm else R.REQUESTED, sim=sim, network_id=sim.network_id,
                msisdn=sim.msisdn or "", local_authority_id=sim.local_authority_id,
                school_id=sim.device.school_id if sim.device_id else None,
                child_id=holders.get(sim.device_id), reason=reasons.get(sim.pk, reason), requested_by=actor, changed_at=at,
            ))
    try:
        with transaction.atomic():
            created = NetworkRequest.objects.bulk_create(pending, batch_size=1000)
            if created and created[0].pk is None:  # a backend that does not return ids
                raise IntegrityError("no ids returned")
            NetworkRequestEvent.objects.bulk_create(
                [_event(r, by=by, at=at, to_status=r.status, note=r.reason) for r in created], batch_size=1000
            )
        result.raised = created
    except IntegrityError:
        for request in pending:
            try:
                with transaction.atomic():
                    result.raised.append(raise_request(kind=kind, sim=request.sim, by=by, reason=request.reason, to_confirm=to_confirm, at=at))
            except ValidationError as exc:
                result.refused.append((request.sim, " ".join(exc.messages)))
    return result


def family_text(request, event_id):
    """(template, item for ``messaging.services.send_to_families``) telling the family about
    ``request`` (``child`` loaded), or None when there is nothing to tell or no one to tell it
    to: the one rule for a single move and a network's whole status file alike."""
    from messaging.services import Recipient

    if not request.child_id:
        return None
    if request.status == R.DONE:
        template = "network_request_done"
    elif request.status == R.PROBLEM and request.problem in NetworkRequest.FAMILY_PROBLEMS:
        template = "network_request_problem"
    else:
        return None
    child = request.child
    if child.anonymised_at:
        return None
    phone = child.guardian_phone
    if not phone and request.kind == "family_data" and request.problem != "unknown_number":
        phone = request.msisdn
    if not phone:
        return None
    return template, {
        "recipient": Recipient(phone=phone, name=child.guardian_name),
        "language": child.preferred_language,
        "context": {"reference": request.reference, "network": request.network.name, "kind": request.kind,
                    "problem": request.problem, "last_digits": (request.msisdn or "")[-3:]},
        "key": f"network-request:{request.pk}:{request.status}:{event_id}",
        "local_authority": request.local_authority, "school": request.school,
    }


def _tell_family(request, *, by, event=None):
    """Text the family about a request that is done, or has a problem they can put right
    (``NetworkRequest.FAMILY_PROBLEMS``), in their language, once per request and status
    change (the idempotency key names the request, the status and the change)."""
    from messaging.services import send_to_family

    event = event.pk if event is not None else request.events.order_by("-at", "-pk").values_list("pk", flat=True).first()
    found = family_text(request, event)
    if found is None:
        return None
    template, item = found
    return send_to_family(
        recipient=item["recipient"], template=template, channel="sms", language=item["language"], context=item["context"],
        key=item["key"], local_authority=item["local_authority"], school=item["school"],
        sent_by=by if getattr(by, "pk", None) else None,
    )


@transaction.atomic
def raise_family_data_requests(*, items, by, reason="", at=None):
    """Raise extra-data requests on families' own phones in bulk (the spreadsheet import), each
    with the family's consent (the caller checked it for every row). ``items``: dicts of
    ``child_id``, ``msisdn`` (E.164), ``network_id``, ``account_holder``, ``phone_plan``. Refused
    as a whole (``ValidationError``, nothing written) if a number is twice in ``items`` or has an
    open request already; the database constraint backs this against a concurrent raise."""
    from allocations.models import Child

    at = at or timezone.now()
    numbers = [i["msisdn"] for i in items]
    if len(set(numbers)) != len(numbers):
        raise ValidationError(_("The same number is given twice."))
    clash = NetworkRequest.objects.open().filter(kind="family_data", msisdn__in=numbers).values_list("msisdn", flat=True).first()
    if clash:
        raise ValidationError(_("%(what)s already has an open request of this kind (%(ref)s).") % {"what": clash, "ref": ""})
    where = {pk: (la, school) for pk, la, school in Child.objects.filter(pk__in={i["child_id"] for i in items}).values_list("pk", "local_authority_id", "school_id")}
    actor = by if getattr(by, "pk", None) else None
    requests = [
        NetworkRequest(
            kind="family_data", status=R.REQUESTED, network_id=i["network_id"], msisdn=i["msisdn"], child_id=i["child_id"],
            local_authority_id=where[i["child_id"]][0], school_id=where[i["child_id"]][1], account_holder=i["account_holder"][:120],
            phone_plan=i["phone_plan"], consent_given=True, reason=reason, requested_by=actor, changed_at=at,
        )
        for i in items
    ]
    created = []
    for start in range(0, len(requests), 1000):
        batch = requests[start:start + 1000]
        NetworkRequest.objects.bulk_create(batch)
        if batch and batch[0].pk is None:
            raise IntegrityError("no ids returned")
        created.extend(batch)
    NetworkRequestEvent.objects.bulk_create([_event(r, by=by, at=at, to_status=r.status, note=reason) for r in created], batch_size=1000)
    return created


# --- anonymising a child (allocations.services.anonymise_child)

@transaction.atomic
def anonymise_requests(*, child, at=None):
    """Remove the personal data the child's network requests hold, keeping the rows (for the
    counts and the networks' history).

    Guarantees: every open request about the child is first cancelled through the lifecycle
    (``move_request``, a staff move, with a note saying why), so no network goes on working on
    a number nobody may keep; then on every request about the child the mobile number (the
    family's own phone, or the SIM's), the account holder's name and the free-text reason are
    blanked and ``redacted_at`` set. The database lets a request name no SIM or number only
    when it is redacted, and lets only a done or cancelled request be redacted. Idempotent;
    returns the number of requests redacted now."""
    at = at or timezone.now()
    ids = list(NetworkRequest.objects.filter(child=child, redacted_at__isnull=True).order_by("pk").values_list("pk", flat=True))
    if not ids:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        note = _("Cancelled: the child's record was anonymised.")
    for request in NetworkRequest.objects.open().filter(pk__in=ids).order_by("pk"):
        move_request(request=request, to_status=R.CANCELLED, by=None, side=STAFF, note=note, at=at)
    return NetworkRequest.objects.filter(pk__in=ids).update(msisdn="", account_holder="", reason="", redacted_at=at)
