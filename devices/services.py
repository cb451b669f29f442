"""Domain writes for devices: the custody lifecycle and alert acknowledgement.

The one way to change a device's status is ``transition(*, device, to_status, by, note="", at=None)``.
It guarantees that:

* the move is listed in ``TRANSITIONS`` (anything else raises ``TransitionNotAllowed``, a
  ``ValidationError`` whose message a view shows to the user);
* the device row is locked (``select_for_update``) for the rest of the caller's transaction, and
  the check is made against the locked, current status, so two people acting at once cannot
  both move it;
* a ``DeviceEvent`` is written with the actor, the time and the note, and simple_history records
  the change to the device (with ``by`` as the history user);
* *ownership transferred* sets ``ownership`` to family; the first *handed over* after
  *allocated* sets ``handed_over_on`` (the start of the three-year horizon) when unset;
* *lost* or *stolen* sets the device's SIM to *suspension requested* and raises an
  ``Alert(kind=lost_stolen)`` whose key is unique per device and event.

For other apps (allocations) the moves that belong to an allocation are made by calling
``transition`` directly, inside the caller's own ``transaction.atomic``:

==========================  =============================================================
allocations operation        device move(s)
==========================  =============================================================
allocate                     delivered / in stock / returned -> ``allocated``
hand over                    allocated -> ``handed_over``
cancel a planned allocation  allocated -> ``in_stock``
return                       handed over / fault reported -> ``returned``
transfer ownership           handed over -> ``ownership_transferred`` (ownership = family)
replace (old device)         -> ``fault_reported`` -> ``in_repair`` (or -> ``replaced``)
==========================  =============================================================

The device page offers the moves that need no allocation through the named helpers:
``mark_in_stock``, ``report_fault``, ``send_for_repair``, ``mark_repaired``, ``mark_lost``,
``mark_stolen``, ``write_off``, ``record_return``, ``mark_replaced``.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connectivity.models import Sim
from core.bulk import Outcome
from devices.models import Alert, Device, DeviceEvent, DeviceStatus, Ownership

S = DeviceStatus

#: Allowed moves: from status -> the statuses it may move to.
TRANSITIONS = {
    S.DELIVERED: {S.IN_STOCK, S.ALLOCATED, S.FAULT_REPORTED, S.LOST, S.STOLEN, S.WRITTEN_OFF},
    S.IN_STOCK: {S.ALLOCATED, S.FAULT_REPORTED, S.IN_REPAIR, S.LOST, S.STOLEN, S.WRITTEN_OFF},
    S.ALLOCATED: {S.HANDED_OVER, S.IN_STOCK, S.FAULT_REPORTED, S.LOST, S.STOLEN},
    S.HANDED_OVER: {S.OWNERSHIP_TRANSFERRED, S.FAULT_REPORTED, S.RETURNED, S.LOST, S.STOLEN},
    S.OWNERSHIP_TRANSFERRED: {S.FAULT_REPORTED, S.LOST, S.STOLEN},
    S.FAULT_REPORTED: {
        S.IN_REPAIR, S.REPLACED, S.WRITTEN_OFF, S.RETURNED, S.LOST, S.STOLEN,
        # the fault was resolved without a repair: back to where the device was
        S.IN_STOCK, S.ALLOCATED, S.HANDED_OVER, S.OWNERSHIP_TRANSFERRED,
    },
    S.IN_REPAIR: {
        S.IN_STOCK, S.ALLOCATED, S.HANDED_OVER, S.OWNERSHIP_TRANSFERRED,  # repaired
        S.REPLACED, S.WRITTEN_OFF, S.LOST, S.STOLEN,
    },
    S.RETURNED: {S.IN_STOCK, S.ALLOCATED, S.FAULT_REPORTED, S.IN_REPAIR, S.LOST, S.STOLEN, S.WRITTEN_OFF},
    S.REPLACED: {S.IN_REPAIR, S.IN_STOCK, S.WRITTEN_OFF},
    S.LOST: {S.RETURNED, S.IN_STOCK, S.WRITTEN_OFF},  # found again
    S.STOLEN: {S.RETURNED, S.IN_STOCK, S.WRITTEN_OFF},  # recovered
    S.WRITTEN_OFF: set(),
}

#: Statuses a device is "in service" in: a repair or resolved fault returns to one of these.
IN_SERVICE = {S.IN_STOCK, S.ALLOCATED, S.HANDED_OVER, S.OWNERSHIP_TRANSFERRED}

#: Moves that belong to an allocation: made by ``allocations.services``, not the device page.
ALLOCATION_MOVES = {S.ALLOCATED, S.HANDED_OVER, S.RETURNED, S.OWNERSHIP_TRANSFERRED}

_EVENT_FOR_STATUS = {
    S.DELIVERED: DeviceEvent.Kind.DELIVERED,
    S.IN_STOCK: DeviceEvent.Kind.STOCKED,
    S.ALLOCATED: DeviceEvent.Kind.ALLOCATED,
    S.HANDED_OVER: DeviceEvent.Kind.HANDED_OVER,
    S.OWNERSHIP_TRANSFERRED: DeviceEvent.Kind.OWNERSHIP_TRANSFERRED,
    S.FAULT_REPORTED: DeviceEvent.Kind.FAULT_REPORTED,
    S.IN_REPAIR: DeviceEvent.Kind.IN_REPAIR,
    S.REPLACED: DeviceEvent.Kind.REPLACED,
    S.RETURNED: DeviceEvent.Kind.RETURNED,
    S.LOST: DeviceEvent.Kind.LOST,
    S.STOLEN: DeviceEvent.Kind.STOLEN,
    S.WRITTEN_OFF: DeviceEvent.Kind.WRITTEN_OFF,
}

#: The pseudo-status the device page uses for "repaired / fault resolved" (see ``mark_repaired``).
REPAIRED = "repaired"


class TransitionNotAllowed(ValidationError):
    """A status change the lifecycle forbids. ``str()`` is a message for the user."""

    def __str__(self):
        return " ".join(str(m) for m in self.messages)


def _label(status):
    return str(dict(DeviceStatus.choices).get(status, status))


def allowed_next(status):
    """The statuses a device in ``status`` may move to, in the order the choices are declared."""
    targets = TRANSITIONS.get(status, set())
    return [value for value, _label_ in DeviceStatus.choices if value in targets]


def can_transition(status, to_status):
    return to_status in TRANSITIONS.get(status, set())


def refusal(from_status, to_status):
    """Why ``TRANSITIONS`` forbids the move (a sentence for the user), or "" when it allows it."""
    if can_transition(from_status, to_status):
        return ""
    return _("A device that is “%(current)s” cannot be marked “%(target)s”.") % {"current": _label(from_status), "target": _label(to_status)}


def page_refusal(from_status, to_status):
    """Why the device page and the device list may not make the move ("" when they may):
    ``TRANSITIONS``' reason, or that the move belongs to an allocation (allocate, hand over,
    return, transfer ownership; and an allocated device goes back in stock by cancelling its
    allocation)."""
    if to_status in ALLOCATION_MOVES:
        return _("This is done from the child's allocation.")
    if from_status == S.ALLOCATED and to_status == S.IN_STOCK:
        return _("It is allocated to a child: cancel the allocation instead.")
    return refusal(from_status, to_status)


def _event_kind(from_status, to_status):
    if from_status in (S.IN_REPAIR, S.FAULT_REPORTED) and to_status in IN_SERVICE:
        return DeviceEvent.Kind.REPAIRED
    if from_status in (S.LOST, S.STOLEN) and to_status in (S.IN_STOCK, S.RETURNED):
        return DeviceEvent.Kind.RETURNED
    return _EVENT_FOR_STATUS[to_status]


@transaction.atomic
def transition(*, device, to_status, by, note="", at=None, allocation=None):
    """Move ``device`` to ``to_status``, recording who (``by``), when (``at``, default now) and why.

    Raises ``TransitionNotAllowed`` when the lifecycle forbids the move from the device's
    current (locked) status. Returns the ``DeviceEvent`` written; ``device`` is updated in place.
    """
    if to_status not in DeviceStatus.values:
        raise TransitionNotAllowed(_("“%(status)s” is not a device status.") % {"status": to_status}, code="unknown_status")
    at = at or timezone.now()
    locked = Device.objects.select_for_update().get(pk=device.pk)
    from_status = locked.status
    if not can_transition(from_status, to_status):
        raise TransitionNotAllowed(refusal(from_status, to_status), code="transition_not_allowed")
    locked.status = to_status
    fields = ["status", "updated_at"]
    if to_status == S.OWNERSHIP_TRANSFERRED and locked.ownership != Ownership.FAMILY:
        locked.ownership = Ownership.FAMILY
        fields.append("ownership")
    if to_status == S.HANDED_OVER and from_status == S.ALLOCATED and locked.handed_over_on is None:
        locked.handed_over_on = timezone.localdate(at) if timezone.is_aware(at) else at.date()
        fields.append("handed_over_on")
    locked._history_user = by
    locked.save(update_fields=fields)
    event = DeviceEvent(
        device=locked, kind=_event_kind(from_status, to_status), from_status=from_status, to_status=to_status,
        actor=by, at=at, note=note or "", allocation=allocation,
    )
    event.full_clean()
    event.save()
    if to_status in (S.LOST, S.STOLEN):
        _flag_lost_or_stolen(device=locked, event=event, by=by)
    for name in ("status", "ownership", "handed_over_on", "updated_at"):
        setattr(device, name, getattr(locked, name))
    return event


def _flag_lost_or_stolen(*, device, event, by):
    """Ask for the SIM to be suspended and raise an alert (one per device and event)."""
    sim = Sim.objects.select_for_update().filter(device=device).first()
    if sim is not None and sim.status == Sim.Status.ACTIVE:
        sim.status = Sim.Status.SUSPENSION_REQUESTED
        sim._history_user = by
        sim.save(update_fields=["status"])
    if sim is not None and sim.network_id:
        _request_suspension(sim=sim, device=device, event=event, by=by)
    if sim is not None:
        message = _("Device %(serial)s reported %(status)s: ask %(network)s to suspend SIM %(iccid)s.") % {
            "serial": device.serial,
            "status": _label(event.to_status).lower(),
            "network": sim.network.name if sim.network_id else _("the network"),
            "iccid": sim.iccid,
        }
    else:
        message = _("Device %(serial)s reported %(status)s.") % {"serial": device.serial, "status": _label(event.to_status).lower()}
    Alert.objects.get_or_create(
        key=f"lost_stolen:device:{device.pk}:event:{event.pk}",
        defaults={
            "kind": Alert.Kind.LOST_STOLEN,
            "local_authority_id": device.local_authority_id,
            "school_id": device.school_id,
            "device": device,
            "sim": sim,
            "message": message[:300],
        },
    )


def _request_suspension(*, sim, device, event, by):
    """Put a suspension request in the network's queue, unless one is already open."""
    from connectivity.models import NetworkRequest
    from connectivity.services import raise_request

    if NetworkRequest.objects.open().filter(kind=NetworkRequest.Kind.SUSPEND, sim=sim).exists():
        return
    reason = _("Device %(serial)s reported %(status)s.") % {"serial": device.serial, "status": _label(event.to_status).lower()}
    raise_request(kind=NetworkRequest.Kind.SUSPEND, sim=sim, by=by, reason=reason, at=event.at)


# Named helpers ----------------------------------------------------------------------------


def mark_in_stock(*, device, by, note="", at=None):
    """Put a delivered, returned or found device into stock."""
    return transition(device=device, to_status=S.IN_STOCK, by=by, note=note, at=at)


def report_fault(*, device, by, note="", at=None):
    """Record a fault on a device (school staff may do this for their school's devices)."""
    return transition(device=device, to_status=S.FAULT_REPORTED, by=by, note=note, at=at)


def send_for_repair(*, device, by, note="", at=None):
    return transition(device=device, to_status=S.IN_REPAIR, by=by, note=note, at=at)


def repaired_status(device):
    """Where a repaired device (or one whose fault was resolved) goes back to.

    Family-owned: *ownership transferred*; with a handed-over allocation: *handed over*; with a
    planned allocation: *allocated*; otherwise *in stock*.
    """
    if device.ownership == Ownership.FAMILY:
        return S.OWNERSHIP_TRANSFERRED
    from allocations.models import Allocation, AllocationStatus

    statuses = set(
        Allocation.objects.filter(device=device, status__in=[AllocationStatus.PLANNED, AllocationStatus.HANDED_OVER]).values_list(
            "status", flat=True
        )
    )
    if AllocationStatus.HANDED_OVER in statuses:
        return S.HANDED_OVER
    if AllocationStatus.PLANNED in statuses:
        return S.ALLOCATED
    return S.IN_STOCK


@transaction.atomic
def mark_repaired(*, device, by, note="", at=None):
    """A device in repair (or with a fault reported) is back in service, where it was before."""
    locked = Device.objects.select_for_update().get(pk=device.pk)
    if locked.status not in (S.IN_REPAIR, S.FAULT_REPORTED):
        raise TransitionNotAllowed(
            _("Only a device in repair or with a fault reported can be marked repaired; this one is “%(current)s”.")
            % {"current": _label(locked.status)},
            code="not_in_repair",
        )
    return transition(device=device, to_status=repaired_status(locked), by=by, note=note, at=at)


def mark_lost(*, device, by, note="", at=None):
    """Record a lost device: its SIM is flagged for suspension and an alert is raised."""
    return transition(device=device, to_status=S.LOST, by=by, note=note, at=at)


def mark_stolen(*, device, by, note="", at=None):
    """Record a stolen device: its SIM is flagged for suspension and an alert is raised."""
    return transition(device=device, to_status=S.STOLEN, by=by, note=note, at=at)


def write_off(*, device, by, note="", at=None):
    return transition(device=device, to_status=S.WRITTEN_OFF, by=by, note=note, at=at)


def record_return(*, device, by, note="", at=None):
    """The device came back to the council (use ``allocations.services`` when it had an allocation)."""
    return transition(device=device, to_status=S.RETURNED, by=by, note=note, at=at)


def mark_replaced(*, device, by, note="", at=None):
    return transition(device=device, to_status=S.REPLACED, by=by, note=note, at=at)


# Who may do what from the device page ------------------------------------------------------

LIFECYCLE_ROLES = ("council_officer", "admin")
FAULT_ROLES = ("school_staff",)

_PAGE_LABELS = {
    S.IN_STOCK: gettext_lazy("Put in stock"),
    S.FAULT_REPORTED: gettext_lazy("Report a fault"),
    S.IN_REPAIR: gettext_lazy("Send for repair"),
    REPAIRED: gettext_lazy("Repaired or fault resolved: back in service"),
    S.REPLACED: gettext_lazy("Replaced by another device"),
    S.LOST: gettext_lazy("Lost"),
    S.STOLEN: gettext_lazy("Stolen"),
    S.WRITTEN_OFF: gettext_lazy("Write off"),
}


def lifecycle_options(*, device, user):
    """``(value, label)`` moves ``user`` may make from the device page, for ``device`` now.

    Council officers and admins: every allowed move except those that belong to an allocation
    (allocate, hand over, return, transfer ownership: made from the allocation). School staff:
    report a fault only. Everyone else: none. ``device`` must already be visible to ``user``.
    """
    if not getattr(user, "is_authenticated", False):
        return []
    role = "admin" if user.is_superuser else user.role
    if role not in LIFECYCLE_ROLES + FAULT_ROLES:
        return []
    targets = [s for s in allowed_next(device.status) if not page_refusal(device.status, s)]
    if device.status in (S.IN_REPAIR, S.FAULT_REPORTED):
        targets = [REPAIRED] + [s for s in targets if s not in IN_SERVICE]
    if role in FAULT_ROLES:
        targets = [s for s in targets if s == S.FAULT_REPORTED]
    return [(s, _PAGE_LABELS.get(s, _label(s))) for s in targets]


def apply_lifecycle_action(*, device, user, action, note=""):
    """Make a device-page move chosen from ``lifecycle_options``; refuses anything else."""
    allowed = {value for value, _label_ in lifecycle_options(device=device, user=user)}
    if action not in allowed:
        raise TransitionNotAllowed(
            _("You cannot mark this device “%(target)s” from here.") % {"target": _PAGE_LABELS.get(action, _label(action))},
            code="not_permitted",
        )
    if action == REPAIRED:
        return mark_repaired(device=device, by=user, note=note)
    return transition(device=device, to_status=action, by=user, note=note)


# Alerts -----------------------------------------------------------------------------------


@transaction.atomic
def acknowledge_alert(*, alert, by):
    """Mark an alert as seen by ``by``. Idempotent: a second acknowledgement changes nothing.

    Refuses (``ValidationError``) an alert outside ``by``'s scope.
    """
    locked = Alert.objects.select_for_update().filter(pk=alert.pk).first()
    if locked is None or not Alert.objects.visible_to(by).filter(pk=alert.pk).exists():
        raise ValidationError(_("This alert is not one of yours to acknowledge."), code="not_visible")
    if locked.acknowledged_at is None:
        locked.acknowledged_at = timezone.now()
        locked.acknowledged_by = by
        locked._history_user = by
        locked.save(update_fields=["acknowledged_at", "acknowledged_by"])
    alert.acknowledged_at, alert.acknowledged_by_id = locked.acknowledged_at, locked.acknowledged_by_id
    return locked


ACKNOWLEDGE_BATCH = 1000


@transaction.atomic
def acknowledge_alerts(*, alerts, by, upto=None):
    """Acknowledge every open alert of the queryset ``alerts`` that ``by`` may see, at once.

    One transaction; the rows are locked in primary-key order; each alert gets its own history
    record with ``by`` as the history user, as ``acknowledge_alert`` gives one alert. ``upto``
    (a primary key) leaves out alerts raised after the person confirmed (what they saw is
    what they acknowledge). Returns how many were acknowledged; alerts already acknowledged,
    or outside ``by``'s scope, are left alone.
    """
    rows = Alert.objects.visible_to(by).open().filter(pk__in=alerts.values("pk"))
    if upto is not None:
        rows = rows.filter(pk__lte=upto)
    locked = list(rows.select_for_update().order_by("pk"))
    now = timezone.now()
    for i in range(0, len(locked), ACKNOWLEDGE_BATCH):
        batch = locked[i : i + ACKNOWLEDGE_BATCH]
        Alert.objects.filter(pk__in=[a.pk for a in batch]).update(acknowledged_at=now, acknowledged_by=by)
        for alert in batch:
            alert.acknowledged_at, alert.acknowledged_by = now, by
        Alert.history.bulk_history_create(batch, update=True, default_user=by, default_date=now)
    return len(locked)


def check_scheduled_jobs(*, now=None):
    """Raise, per local authority, a ``job_overdue`` alert for each scheduled job that has not
    finished without an error for 26 hours (``core.scheduler.overdue``), and clear (acknowledge,
    with no person) the open ones of jobs that have since run.

    One alert per LA keeps the scope rules as they are: officers and the admin see it, school
    staff (no school on it) and the London lead do not. The key names the job and the time it
    was last known good, so each outage raises its alerts once and a later outage raises new
    ones. Idempotent; in the common case (nothing overdue) two queries. Returns every job's
    ``core.scheduler.JobStatus``. Called from the alert
    list, the home page and the worker (``devices.tasks.check_scheduled_jobs``), so that a dead
    scheduler is noticed without the scheduler.
    """
    from accounts.models import LocalAuthority
    from core import scheduler
    from core.models import ScheduledJob

    now = now or timezone.now()
    statuses = scheduler.status(now)
    unseen = [ScheduledJob(name=s.name, first_seen_at=now) for s in statuses if not s.seen and s.enabled]
    if unseen:
        ScheduledJob.objects.bulk_create(unseen, ignore_conflicts=True)
    prefixes = {f"{Alert.Kind.JOB_OVERDUE}:{s.name}:{s.overdue_since:%Y%m%dT%H%M%S}:": s for s in statuses if s.overdue_since}
    current = Q(acknowledged_at__isnull=True)
    for prefix in prefixes:
        current |= Q(key__startswith=prefix)
    existing = list(Alert.objects.filter(current, kind=Alert.Kind.JOB_OVERDUE).only("pk", "key", "acknowledged_at", "acknowledged_by"))
    cleared = [a for a in existing if a.acknowledged_at is None and not any(a.key.startswith(p) for p in prefixes)]
    if cleared:
        with transaction.atomic():  # (the reads above need no transaction: nothing to write, no savepoint)
            Alert.objects.filter(pk__in=[a.pk for a in cleared], acknowledged_at__isnull=True).update(acknowledged_at=now)
            for alert in cleared:
                alert.acknowledged_at = now
            Alert.history.bulk_history_create(cleared, update=True, default_date=now, default_change_reason="cleared: the job ran again")
    if prefixes:
        have = {a.key for a in existing}
        new = []
        for la_id in LocalAuthority.objects.values_list("pk", flat=True):
            for prefix, s in prefixes.items():
                if prefix + f"la:{la_id}" in have:
                    continue
                values = {"job": s.name, "since": timezone.localtime(s.overdue_since).strftime("%d/%m/%Y %H:%M")}
                new.append(
                    Alert(
                        key=prefix + f"la:{la_id}",
                        kind=Alert.Kind.JOB_OVERDUE,
                        local_authority_id=la_id,
                        message=(_("The scheduled job %(job)s has not completed without an error since %(since)s: alerts it raises may be missing.") % values)[:300],
                        due=timezone.localdate(s.overdue_since),
                    )
                )
        if new:
            Alert.objects.bulk_create(new, ignore_conflicts=True)
    return statuses


# Intake without a manifest -----------------------------------------------------------------

#: Most devices one scan-in session takes (the page carries its rows in the form).
INTAKE_MAX_ROWS = 500
INTAKE_COLUMNS = ("kind", "make", "model", "serial", "imei", "iccid", "network", "asset_tag")


def take_in_devices(*, local_authority, by, rows, delivered_on, supplier="", order_reference="", dry_run=False):
    """Record devices scanned or typed in (``rows``: dicts of ``INTAKE_COLUMNS``) as one
    delivery, through the delivery import's own checks and writes (``devices.imports.SPEC``):
    every row checked first, then all written or none. Returns the import context; its
    ``errors`` are ``{"row": n, "column", "message"}`` with ``n`` the row's place in ``rows``
    (first = 1). ``dry_run``: check only."""
    import csv
    import io

    from core.imports.engine import ImportRejected, commit, validate
    from devices.imports import SPEC

    if len(rows) > INTAKE_MAX_ROWS:
        raise ValidationError(_("Take in at most %(max)s devices at a time.") % {"max": INTAKE_MAX_ROWS})
    names = [*INTAKE_COLUMNS, "delivered_on", "supplier", "order_reference"]
    headers = [str(SPEC.field(name).label) for name in names]  # errors name the columns as the page does
    day = delivered_on.strftime("%Y-%m-%d")

    def source():
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([row.get(c) or "" for c in INTAKE_COLUMNS] + [day, supplier, order_reference])
        data = io.BytesIO(out.getvalue().encode("utf-8"))
        data.name = "scanned.csv"
        return data

    mapping = dict(zip(names, headers))
    kwargs = dict(local_authority=local_authority, user=by, mapping=mapping, filename=_("the scan-in page"))
    ctx = validate(SPEC, source(), **kwargs)
    if dry_run or not ctx.ok:
        return _renumbered(ctx)
    try:
        with transaction.atomic():
            return _renumbered(commit(SPEC, source(), **kwargs))
    except ImportRejected as exc:
        return _renumbered(exc.ctx) if exc.ctx else ctx


def _renumbered(ctx):
    # The engine counts the header as row 1; the page's first device is row 1.
    for error in ctx.errors:
        if error.get("row"):
            error["row"] -= 1
    return ctx


# Many devices at once (the device list's bulk actions) --------------------------------------

#: Rows written per statement by the set-wise services below.
BULK_BATCH = 2000


#: What a set-wise service did: ``done`` the devices changed, ``refused`` (device, reason) pairs
#: for those it left alone, each with the sentence the single action would have shown.
BulkOutcome = Outcome


def _lock_devices(devices):
    """The devices of ``devices`` (a queryset or Device objects), locked in primary-key order so two
    bulk actions over overlapping rows queue rather than deadlock."""
    pks = devices.order_by().values("pk") if isinstance(devices, QuerySet) else [d.pk for d in devices]
    return list(Device.objects.select_for_update().filter(pk__in=pks).order_by("pk"))


@transaction.atomic
def transition_many(*, devices, to_status, by, note="", at=None, rule=refusal):
    """Move every device of ``devices`` to ``to_status`` as ``transition`` moves one, set-wise.

    The same rules: each device's locked, current status is checked against ``TRANSITIONS``
    (``refusal``, the sentence ``transition`` raises), and a device the lifecycle forbids is left
    alone and reported in ``refused``. The rows are locked in primary-key order, updated with one
    ``UPDATE`` per ``BULK_BATCH`` rows, and each moved device gets its ``DeviceEvent`` and its
    simple_history record (``by`` as the history user) in bulk inserts: a few queries per 2,000
    devices instead of five per device. The extras of ``transition`` follow: ownership passes to
    the family on *ownership transferred*, the first hand-over date is set, and *lost* or *stolen*
    flags each device's SIM (per device, as it writes requests and alerts). One transaction:
    all of it is written or none. ``rule(from_status, to_status)`` gives the refusal (default
    ``refusal``: ``TRANSITIONS`` alone; the device list passes ``page_refusal``)."""
    if to_status not in DeviceStatus.values:
        raise TransitionNotAllowed(_("“%(status)s” is not a device status.") % {"status": to_status}, code="unknown_status")
    at = at or timezone.now()
    now = timezone.now()
    day = timezone.localdate(at) if timezone.is_aware(at) else at.date()
    outcome = BulkOutcome()
    events, dated = [], []
    for device in _lock_devices(devices):
        from_status = device.status
        reason = rule(from_status, to_status)
        if reason:
            outcome.refused.append((device, reason))
            continue
        device.status, device.updated_at = to_status, now
        if to_status == S.OWNERSHIP_TRANSFERRED:
            device.ownership = Ownership.FAMILY
        if to_status == S.HANDED_OVER and from_status == S.ALLOCATED and device.handed_over_on is None:
            device.handed_over_on = day
            dated.append(device.pk)
        outcome.done.append(device)
        events.append(DeviceEvent(device=device, kind=_event_kind(from_status, to_status), from_status=from_status,
                                  to_status=to_status, actor=by, at=at, note=note or ""))
    changes = {"status": to_status, "updated_at": now}
    if to_status == S.OWNERSHIP_TRANSFERRED:
        changes["ownership"] = Ownership.FAMILY
    for i in range(0, len(outcome.done), BULK_BATCH):
        batch = outcome.done[i : i + BULK_BATCH]
        Device.objects.filter(pk__in=[d.pk for d in batch]).update(**changes)
    for i in range(0, len(dated), BULK_BATCH):
        Device.objects.filter(pk__in=dated[i : i + BULK_BATCH]).update(handed_over_on=day)
    Device.history.bulk_history_create(outcome.done, update=True, default_user=by, default_date=now, batch_size=BULK_BATCH)
    DeviceEvent.objects.bulk_create(events, batch_size=BULK_BATCH)
    if to_status in (S.LOST, S.STOLEN):
        for device, event in zip(outcome.done, events):
            _flag_lost_or_stolen(device=device, event=event, by=by)
    return outcome


def put_in_stock(*, devices, by, note=""):
    """The device list's "Put in stock": ``transition_many`` to *in stock* under the device page's
    rules (``page_refusal``: an allocated device is refused, its allocation is cancelled instead)."""
    return transition_many(devices=devices, to_status=S.IN_STOCK, by=by, note=note, rule=page_refusal)


#: Devices whose school follows someone else's record, or that have left the council's hands:
#: their school is not moved by hand (the reason is what the user is told).
SCHOOL_FIXED = {
    S.ALLOCATED: gettext_lazy("It is allocated to a child: it moves school with the child's allocation."),
    S.HANDED_OVER: gettext_lazy("It has been handed over to a child: it moves school with the child's allocation."),
    S.OWNERSHIP_TRANSFERRED: gettext_lazy("It belongs to the family now."),
    S.WRITTEN_OFF: gettext_lazy("It has been written off."),
}


def school_refusal(device, school):
    """Why ``device`` may not be moved to ``school`` ("" when it may)."""
    if device.status in SCHOOL_FIXED:
        return str(SCHOOL_FIXED[device.status])
    if school is not None and school.local_authority_id != device.local_authority_id:
        return _("%(school)s is not in the device's local authority.") % {"school": school.name}
    if device.school_id == (school.pk if school else None):
        return _("It is already there.")
    return ""


@transaction.atomic
def move_to_school(*, devices, school, by, note=""):
    """Move the devices of ``devices`` (a queryset or Device objects; one or many) to ``school``
    (``None``: held by the council, no school). A device allocated or handed over to a child, the
    family's, written off, already there, or in another LA than the school is refused with the
    reason (``school_refusal``). The rows are locked; each moved device gets a custody-log note
    and a history record, written in bulk."""
    now = timezone.now()
    outcome = BulkOutcome()
    for device in _lock_devices(devices):
        reason = school_refusal(device, school)
        if reason:
            outcome.refused.append((device, reason))
        else:
            device.school, device.updated_at = school, now
            outcome.done.append(device)
    text = (_("Moved to %(school)s.") % {"school": school.name}) if school else _("Moved to the council's store (no school).")
    text = f"{text} {note}".strip()
    for i in range(0, len(outcome.done), BULK_BATCH):
        Device.objects.filter(pk__in=[d.pk for d in outcome.done[i : i + BULK_BATCH]]).update(school=school, updated_at=now)
    Device.history.bulk_history_create(outcome.done, update=True, default_user=by, default_date=now, batch_size=BULK_BATCH)
    DeviceEvent.objects.bulk_create(
        [DeviceEvent(device=d, kind=DeviceEvent.Kind.NOTE, from_status=d.status, to_status=d.status, actor=by, at=now, note=text) for d in outcome.done],
        batch_size=BULK_BATCH,
    )
    return outcome
