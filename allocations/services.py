"""Domain writes for children and allocations.

Every function here is keyword-only, runs in one transaction and locks the rows it changes
(``select_for_update``, devices in primary-key order) so two officers acting at once cannot
both succeed. Device status changes and the custody log go through
``devices.services.transition``; this module never writes a ``DeviceEvent`` itself.

A refused action raises ``AllocationError`` (a ``ValidationError``) with a message a user
can act on; views show it instead of failing.
"""

import datetime
import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allocations.models import (
    ACTIVE_ALLOCATION_STATUSES,
    Allocation,
    AllocationStatus,
    Child,
    HandoverAcceptance,
    KitCondition,
    KitItem,
    ReadinessCheck,
    ReadinessItem,
    ReturnInspection,
    SignatureMethod,
    WipeMethod,
    kit_for,
)
from devices.models import Device, DeviceStatus, Ownership


class AllocationError(ValidationError):
    """An allocation action that the rules forbid, with a message for the user."""

    def __str__(self):
        return " ".join(str(m) for m in self.messages)


def _moment(on):
    """The custody-log time for an action dated ``on`` (now when it is today or unset)."""
    if on is None or on == timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(on, datetime.time(12, 0)))


def _transition(*, device, to_status, by, note, allocation, on=None):
    """Move ``device`` to ``to_status`` through the devices service, as a domain error if refused.

    The event is linked to ``allocation`` so that the custody log names the child only to
    viewers who may see that allocation (the note itself never carries a child reference).
    """
    from devices import services as device_services

    try:
        return device_services.transition(device=device, to_status=to_status, by=by, note=note, at=_moment(on), allocation=allocation)
    except ValidationError as exc:  # TransitionNotAllowed: the lifecycle forbids this move
        raise AllocationError(
            _("Device %(serial)s: %(reason)s") % {"serial": device.serial, "reason": " ".join(str(m) for m in exc.messages)},
            code="transition",
        ) from exc


def _lock_allocation(allocation):
    return Allocation.objects.select_for_update().select_related("child", "device").get(pk=allocation.pk)


def _lock_devices(*devices):
    """Lock devices in primary-key order (no deadlock between two concurrent services)."""
    pks = sorted({d.pk for d in devices})
    locked = {d.pk: d for d in Device.objects.select_for_update().filter(pk__in=pks).order_by("pk")}
    return [locked[d.pk] for d in devices]


def _set_device_fields(device, by, **fields):
    """Save fields the allocation owns (school, handover date, ownership) after a transition,
    on a fresh copy so the status the transition wrote is kept and history records both."""
    device.refresh_from_db()
    for name, value in fields.items():
        setattr(device, name, value)
    device._history_user = by
    device.save(update_fields=[*fields, "updated_at"])


def _user_label(user):
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username())[:120]


# Children ---------------------------------------------------------------------------------


@transaction.atomic
def save_child(*, child, by):
    """Validate and save a child (new or edited). The LA always follows the school's LA; a
    child with no school belongs to the LA directly: the LA it already has, or, when new,
    the LA of the officer saving it. A child saved by school staff is always at their school.

    Guarantees: the reference is unique within the LA (a clear error, not a crash) and an
    anonymised record cannot be edited back into personal data.
    """
    if child.pk and Child.objects.filter(pk=child.pk, anonymised_at__isnull=False).exists():
        raise AllocationError(_("This child's record has been anonymised and can no longer be edited."), code="anonymised")
    if getattr(by, "role", None) == "school_staff" and by.school_id:
        # School staff only ever record children on their own school's roll.
        child.school = by.school
    if child.school_id:
        child.local_authority_id = child.school.local_authority_id
    elif not child.local_authority_id:
        child.local_authority_id = getattr(by, "local_authority_id", None)
        if not child.local_authority_id:
            raise AllocationError(
                _("Choose the child's school: only a council officer can add a child who belongs to the council directly."), code="no_la"
            )
    child.full_clean()
    try:
        with transaction.atomic():
            child.save()
    except IntegrityError as exc:
        raise AllocationError(_("Another child in this local authority already has reference %(ref)s.") % {"ref": child.reference}, code="duplicate") from exc
    return child


# Allocations ------------------------------------------------------------------------------


@transaction.atomic
def allocate(*, child, device, by, on=None):
    """Plan to give ``device`` to ``child``.

    Guarantees: the device belongs to the child's LA; it has no other planned or handed-over
    allocation (the database constraint ``one_active_allocation_per_device`` decides, so a
    concurrent allocation elsewhere, by any code path, is a clear error); the device moves to
    *allocated* with a custody-log entry, and is assigned to the child's school.
    """
    child = Child.objects.select_for_update().get(pk=child.pk)
    (device,) = _lock_devices(device)
    if child.anonymised_at:
        raise AllocationError(_("This child's record has been anonymised: devices cannot be allocated."), code="anonymised")
    if device.local_authority_id != child.local_authority_id:
        raise AllocationError(
            _("Device %(serial)s belongs to another local authority and cannot be allocated to this child.") % {"serial": device.serial},
            code="other_la",
        )
    allocation = Allocation(
        child=child, device=device, status=AllocationStatus.PLANNED, planned_on=on or timezone.localdate(), created_by=by
    )
    allocation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            allocation.save()
    except IntegrityError as exc:
        holder = Allocation.objects.active().filter(device=device).values_list("child_id", flat=True).first()
        if holder == child.pk:
            message = _("Device %(serial)s is already allocated to this child.")
        else:
            message = _("Device %(serial)s is already allocated to another child. Return or cancel that allocation first.")
        raise AllocationError(message % {"serial": device.serial}, code="already_allocated") from exc
    _transition(device=device, to_status=DeviceStatus.ALLOCATED, by=by, note="", on=on, allocation=allocation)
    _set_device_fields(device, by, school_id=child.school_id)
    return allocation


def handover_date_problem(on, *, planned_on=None, delivered_on=None):
    """Why ``on`` cannot be a handover date, as ``(code, message)``, or ``None`` when it can.

    The one rule for the handover page and the allocation import: a real date (1990-2100),
    not in the future, not before the allocation was planned nor before the device's delivery.
    """
    from core.imports.parsers import date_range_problem

    if on is None:
        return "future", _("The handover date must be today or in the past.")
    out_of_range = date_range_problem(on)
    if out_of_range:
        return "range", out_of_range
    if on > timezone.localdate():
        return "future", _("The handover date must be today or in the past.")
    if delivered_on and on < delivered_on:
        return "before_delivery", _("The handover date cannot be before the device was delivered (%(day)s).") % {"day": delivered_on.strftime("%d/%m/%Y")}
    if planned_on and on < planned_on:
        return "before_allocation", _("The handover date cannot be before the device was allocated (%(day)s).") % {"day": planned_on.strftime("%d/%m/%Y")}
    return None


@transaction.atomic
def hand_over(*, allocation, on, handed_over_by, received_by, by):
    """Record that the family received the device on ``on``.

    Guarantees: only a planned allocation can be handed over; the device moves to *handed
    over* and its ``handed_over_on`` is set, which starts its three-year horizon.
    """
    allocation = _lock_allocation(allocation)
    if allocation.status != AllocationStatus.PLANNED:
        raise AllocationError(
            _("Only a planned allocation can be handed over; this one is “%(status)s”.") % {"status": allocation.get_status_display()},
            code="not_planned",
        )
    (device,) = _lock_devices(allocation.device)
    problem = handover_date_problem(on, planned_on=allocation.planned_on, delivered_on=device.delivered_on)
    if problem:
        raise AllocationError(problem[1], code=problem[0])
    allocation.status = AllocationStatus.HANDED_OVER
    allocation.handed_over_on = on
    allocation.handed_over_by = (handed_over_by or _user_label(by))[:120]
    allocation.received_by = (received_by or "")[:120]
    allocation.full_clean(validate_constraints=False)
    allocation.save()
    _transition(device=device, to_status=DeviceStatus.HANDED_OVER, by=by, note="", on=on, allocation=allocation)
    _set_device_fields(device, by, handed_over_on=on)
    return allocation


@transaction.atomic
def return_device(*, allocation, on, by, reason, kit_conditions=None, wipe_method=None, wipe_reference=""):
    """The family gives a handed-over device back. The allocation ends as *returned*.

    Guarantees: only a handed-over allocation can be returned (a planned one is cancelled); a device whose ownership has passed to
    the family belongs to them and cannot be returned through an allocation.

    With ``kit_conditions`` (``{kit item: good/damaged/missing}`` for every item of the
    device's kit) and a data-wipe confirmation (``wipe_method``, ``wipe_reference``; ``by`` is
    who confirmed it), a ``ReturnInspection`` is kept and the device goes back into stock (or,
    when the device itself is damaged, is reported faulty); both are required together, and an
    unknown item or condition is refused.
    """
    allocation = _lock_allocation(allocation)
    if allocation.status == AllocationStatus.PLANNED:
        raise AllocationError(_("This device was never handed over: cancel the allocation instead."), code="not_handed_over")
    if allocation.status not in ACTIVE_ALLOCATION_STATUSES:
        raise AllocationError(
            _("This allocation has already ended (“%(status)s”).") % {"status": allocation.get_status_display()}, code="ended"
        )
    (device,) = _lock_devices(allocation.device)
    if device.ownership == Ownership.FAMILY:
        raise AllocationError(_("This device now belongs to the family, so it cannot be returned to the council."), code="owned")
    if on is None or on > timezone.localdate():
        raise AllocationError(_("The return date must be today or in the past."), code="future")
    inspection = None
    if kit_conditions is not None or wipe_method is not None:
        inspection = _return_inspection(allocation, device, kit_conditions, wipe_method, wipe_reference, by)
    _end(allocation, AllocationStatus.RETURNED, on, reason)
    _transition(device=device, to_status=DeviceStatus.RETURNED, by=by, note=reason, on=on, allocation=allocation)
    if inspection is not None:
        inspection.save()
        device.refresh_from_db(fields=["status"])
        if inspection.kit_conditions.get(KitItem.DEVICE) == KitCondition.GOOD:
            note = _("Checked in after return; data wiped (%(method)s, %(ref)s).") % {
                "method": inspection.get_wipe_method_display(), "ref": inspection.wipe_reference}
            _transition(device=device, to_status=DeviceStatus.IN_STOCK, by=by, note=note, allocation=allocation)
        else:
            _transition(device=device, to_status=DeviceStatus.FAULT_REPORTED, by=by, allocation=allocation,
                        note=_("Returned damaged or incomplete."))
    return allocation


def _return_inspection(allocation, device, kit_conditions, wipe_method, wipe_reference, by):
    """The unsaved ``ReturnInspection`` for a return, or ``AllocationError``."""
    kit = [str(item) for item in kit_for(device)]
    conditions = {str(k): str(v) for k, v in (kit_conditions or {}).items()}
    unknown = set(conditions) - set(kit)
    if unknown:
        raise AllocationError(_("%(item)s is not part of this device's kit.") % {"item": ", ".join(sorted(unknown))}, code="kit_item")
    labels = dict(KitItem.choices)
    for item in kit:
        if conditions.get(item) not in KitCondition.values:
            raise AllocationError(_("Say what condition the %(item)s is in: good, damaged or missing.") % {"item": str(labels[item]).lower()},
                                  code="kit_condition")
    if wipe_method not in WipeMethod.values:
        raise AllocationError(_("Say how the device's data was wiped."), code="wipe_method")
    wipe_reference = (wipe_reference or "").strip()
    if not wipe_reference:
        raise AllocationError(_("Enter the data-wipe reference (the certificate, job or ticket number)."), code="wipe_reference")
    inspection = ReturnInspection(
        allocation=allocation, kit_conditions={item: conditions[item] for item in kit}, wipe_method=wipe_method,
        wipe_reference=wipe_reference[:100], wiped_by=by, recorded_at=timezone.now(),
    )
    return inspection


@transaction.atomic
def cancel(*, allocation, by):
    """Cancel a planned allocation (the device never reached the family); the device goes back to stock."""
    allocation = _lock_allocation(allocation)
    if allocation.status != AllocationStatus.PLANNED:
        raise AllocationError(
            _("Only a planned allocation can be cancelled; this one is “%(status)s”. Record a return instead.")
            % {"status": allocation.get_status_display()},
            code="not_planned",
        )
    (device,) = _lock_devices(allocation.device)
    _end(allocation, AllocationStatus.CANCELLED, timezone.localdate(), "")
    _transition(device=device, to_status=DeviceStatus.IN_STOCK, by=by, note="", allocation=allocation)
    return allocation


@transaction.atomic
def replace_device(*, allocation, new_device, by, reason):
    """Swap a faulty device for ``new_device`` without breaking the child's history.

    Guarantees: the old allocation ends as *returned*; the old device goes to repair (fault
    reported, then in repair, as the devices transition table allows); a new allocation for
    the same child links back through ``replaces``; if the old device had been handed over
    the new one is handed over at once, to the same person.
    """
    allocation = _lock_allocation(allocation)
    if allocation.status not in ACTIVE_ALLOCATION_STATUSES:
        raise AllocationError(_("Only a current allocation can have its device replaced."), code="ended")
    if new_device.pk == allocation.device_id:
        raise AllocationError(_("Choose a different device as the replacement."), code="same_device")
    old_device, new_device = _lock_devices(allocation.device, new_device)
    if old_device.ownership == Ownership.FAMILY:
        raise AllocationError(_("This device now belongs to the family; the council cannot replace it through an allocation."), code="owned")
    today = timezone.localdate()
    was_handed_over = allocation.status == AllocationStatus.HANDED_OVER
    _end(allocation, AllocationStatus.RETURNED, today, _("Replaced: %(reason)s") % {"reason": reason})
    note = reason
    if old_device.status != DeviceStatus.FAULT_REPORTED:
        _transition(device=old_device, to_status=DeviceStatus.FAULT_REPORTED, by=by, note=note, allocation=allocation)
        old_device.refresh_from_db(fields=["status"])
    _transition(device=old_device, to_status=DeviceStatus.IN_REPAIR, by=by, note=note, allocation=allocation)
    new_allocation = allocate(child=allocation.child, device=new_device, by=by, on=today)
    Allocation.objects.filter(pk=new_allocation.pk).update(replaces=allocation)
    new_allocation.replaces = allocation
    if was_handed_over:
        new_allocation = hand_over(
            allocation=new_allocation, on=today, handed_over_by=_user_label(by), received_by=allocation.received_by, by=by
        )
    return new_allocation


@transaction.atomic
def transfer_ownership(*, allocation, by, on):
    """Pass ownership of a handed-over device to the family.

    Guarantees: only a handed-over allocation qualifies, and only once every item of the
    readiness list (``ReadinessItem``: factory reset, removed from device management, content
    filter removed, BIOS or admin password cleared) has been recorded through
    ``record_readiness``; the device's ownership becomes
    *family* and its status *ownership transferred*, with a custody-log entry. The
    allocation stays handed over: the child keeps the device.
    """
    allocation = _lock_allocation(allocation)
    if allocation.status != AllocationStatus.HANDED_OVER:
        raise AllocationError(_("Ownership can be transferred only after the device has been handed over."), code="not_handed_over")
    (device,) = _lock_devices(allocation.device)
    if device.ownership == Ownership.FAMILY:
        raise AllocationError(_("Ownership of this device has already been transferred to the family."), code="already")
    if on is None or on > timezone.localdate():
        raise AllocationError(_("The transfer date must be today or in the past."), code="future")
    if on < allocation.handed_over_on:
        raise AllocationError(
            _("Ownership cannot pass before the handover (%(day)s).") % {"day": allocation.handed_over_on.strftime("%d/%m/%Y")},
            code="before_handover",
        )
    missing = readiness_missing(allocation)
    if missing:
        labels = dict(ReadinessItem.choices)
        raise AllocationError(
            _("Ownership cannot pass until the readiness list is complete. Still to do: %(items)s.")
            % {"items": ", ".join(str(labels[item]).lower() for item in missing)},
            code="not_ready",
        )
    # The devices service sets ownership to family with the status change.
    _transition(device=device, to_status=DeviceStatus.OWNERSHIP_TRANSFERRED, by=by, note="", on=on, allocation=allocation)
    return allocation


def _end(allocation, status, on, reason):
    allocation.status = status
    allocation.ended_on = on
    if reason:
        allocation.note = f"{allocation.note}\n{reason}".strip()
    allocation.full_clean(validate_constraints=False)
    allocation.save()


# Data protection --------------------------------------------------------------------------


def anonymous_reference(child):
    """A stable, one-way replacement for the LA's reference: unique within the LA, not reversible
    without the service's secret key, so counts per child survive but the link to the LA's
    own systems is broken."""
    digest = hashlib.sha256(f"{settings.SECRET_KEY}:{child.local_authority_id}:{child.reference}".encode()).hexdigest()
    return f"ANON-{digest[:16].upper()}"


@transaction.atomic
def anonymise_child(*, child, at=None):
    """Remove a child's personal data, keeping the rows that make the counts.

    Guarantees: names, guardian contact details and email are blanked; the reference is
    replaced by ``anonymous_reference``; who handed over and received each device, and
    allocation notes, are blanked; the same fields are purged from the change history
    (the child's history never held names or contacts); the requester's contact details on
    the child's closed support tickets are blanked; the child's network requests are cancelled
    if open and lose the phone number, account holder and reason
    (``connectivity.services.anonymise_requests``); ``anonymised_at`` is set. Idempotent.
    """
    child = Child.objects.select_for_update().get(pk=child.pk)
    if child.anonymised_at:
        return child
    new_reference = anonymous_reference(child)
    child.first_name = child.last_name = ""
    child.guardian_name = child.guardian_phone = child.guardian_email = ""
    child.reference = new_reference
    child.anonymised_at = at or timezone.now()
    child.save()
    Child.history.filter(id=child.pk).update(reference=new_reference)
    allocation_ids = list(child.allocations.values_list("pk", flat=True))
    Allocation.objects.filter(pk__in=allocation_ids).update(handed_over_by="", received_by="", note="")
    Allocation.history.filter(id__in=allocation_ids).update(handed_over_by="", received_by="", note="")
    _anonymise_closed_tickets(child)
    # Signatures and the acceptance PDFs (which print the names) are deleted; the row stays
    # to show that the family accepted the kit, and when.
    HandoverAcceptance.objects.filter(allocation_id__in=allocation_ids).update(
        guardian_name="", signature_png=b"", pdf=b"", pdf_languages="", removed_at=child.anonymised_at
    )
    # --- connection plans: their free-text notes may name the family
    from connectivity.plans import anonymise_plans

    anonymise_plans(child)

    # --- idle SIMs and check-ins: the phone a check-in went to is the guardian's
    from connectivity.models import CheckIn

    CheckIn.objects.filter(child=child).update(phone="")

    # --- network requests: the family's phone number and account holder (open ones cancelled first)
    from connectivity.services import anonymise_requests

    anonymise_requests(child=child, at=child.anonymised_at)
    return child


def _anonymise_closed_tickets(child):
    """Blank the requester's contact details on the child's closed support tickets (open ones
    still need a way to reach the family; the support app owns their retention)."""
    try:
        from support.models import OPEN_STATUSES, Ticket
    except ImportError:
        return
    Ticket.objects.filter(child=child).exclude(status__in=OPEN_STATUSES).update(requester_name="", requester_phone="", requester_email="")


def post_letter(*, allocation, kind, address, by):
    """Send the family's handover or ownership letter by post through the messaging layer (GOV.UK
    Notify's letters in production), in their language with English, as printed. Posting the
    same letter to the same address twice sends it once."""
    import hashlib

    from allocations.letters import letter_text
    from messaging.services import Recipient, send_to_family

    lines = [line.strip() for line in (address or "").splitlines() if line.strip()]
    if len(lines) < 3 or len(lines) > 7:
        raise ValidationError(_("Enter the address on 3 to 7 lines, postcode last."))
    text, kind = letter_text(allocation, kind)
    child = allocation.child
    digest = hashlib.sha256("\n".join(lines).upper().encode()).hexdigest()[:16]
    return send_to_family(
        recipient=Recipient(address="\n".join(lines), name=child.guardian_name), template="family_letter", channel="letter",
        context={"text": text}, language=child.preferred_language, key=f"letter:{allocation.pk}:{kind}:{digest}",
        local_authority=child.local_authority, school=child.school, sent_by=by,
    )


# Handover in person, readiness ----------------------------------------------------------------

def readiness_missing(allocation):
    """The readiness items not yet recorded for ``allocation``, in list order."""
    done = set(ReadinessCheck.objects.filter(allocation_id=allocation.pk).values_list("item", flat=True))
    return [item for item in ReadinessItem.values if item not in done]


@transaction.atomic
def record_readiness(*, allocation, items, by, note=""):
    """Record items of the readiness list as done for ``allocation``'s device, with who and now.

    Guarantees: only a handed-over allocation whose device the council still owns; an unknown
    item is refused; an item already done keeps its first record (recording it again changes
    nothing). Returns the checks created.
    """
    allocation = _lock_allocation(allocation)
    if allocation.status != AllocationStatus.HANDED_OVER or allocation.device.ownership == Ownership.FAMILY:
        raise AllocationError(_("The readiness list is kept only for a handed-over device the council still owns."), code="not_handed_over")
    items = [str(item) for item in items]
    unknown = [item for item in items if item not in ReadinessItem.values]
    if unknown:
        raise AllocationError(_("“%(item)s” is not on the readiness list.") % {"item": unknown[0]}, code="unknown_item")
    if not items:
        raise AllocationError(_("Choose at least one item that has been done."), code="empty")
    done = set(ReadinessCheck.objects.filter(allocation=allocation).values_list("item", flat=True))
    now = timezone.now()
    created = [
        ReadinessCheck(allocation=allocation, item=item, done_by=by, done_at=now, note=(note or "")[:200])
        for item in ReadinessItem.values if item in items and item not in done
    ]
    ReadinessCheck.objects.bulk_create(created, ignore_conflicts=True)
    return created


@transaction.atomic
def record_acceptance(*, allocation, kit_items, guardian_name, signature, by, at=None):
    """Keep the family's signed acceptance of a handed-over device, with its PDF.

    ``signature`` is a PNG data URL drawn on screen, or empty when the guardian typed their
    name instead (``guardian_name`` is then the signature). Guarantees: a signature of nothing
    (an empty canvas and no name) is refused, as is a malformed or oversized image; the kit
    must be items of this device's kit, at least the device; one acceptance per allocation
    (signing again replaces the earlier one, e.g. after a spelling mistake); the PDF holds
    the family's language and English (``allocations.acceptance``).
    """
    from allocations import acceptance as acc

    allocation = _lock_allocation(allocation)
    if allocation.status != AllocationStatus.HANDED_OVER:
        raise AllocationError(_("Record the handover before the family signs for the device."), code="not_handed_over")
    if allocation.child.anonymised_at:
        raise AllocationError(_("This child's record has been anonymised."), code="anonymised")
    guardian_name = " ".join((guardian_name or "").split())[:120]
    png = b""
    if signature:
        try:
            png = acc.clean_signature(signature)
        except ValidationError as exc:
            raise AllocationError(exc.messages[0], code=exc.code or "signature") from exc
    if not guardian_name:
        raise AllocationError(
            _("Type the name of the parent or carer who is signing.") if png
            else _("Sign in the box, or type the name of the person receiving the device."),
            code="empty",
        )
    kit = [str(item) for item in kit_for(allocation.device)]
    chosen = [str(item) for item in kit_items]
    if any(item not in kit for item in chosen):
        raise AllocationError(_("Choose only items that come with this device."), code="kit_item")
    if KitItem.DEVICE not in chosen:
        raise AllocationError(_("The device itself must be among the items handed over."), code="no_device")
    chosen = [item for item in kit if item in chosen]
    signed_at = at or timezone.now()
    sections = acc.acceptance_sections(allocation, chosen)
    try:
        pdf, languages = acc.render_pdf(
            allocation=allocation, sections=sections, guardian_name=guardian_name,
            method=SignatureMethod.DRAWN if png else SignatureMethod.TYPED, signature_png=png, signed_at=signed_at,
            witness_name=_user_label(by),
        )
    except ValidationError as exc:
        raise AllocationError(exc.messages[0], code="pdf") from exc
    HandoverAcceptance.objects.filter(allocation=allocation).delete()
    acceptance = HandoverAcceptance(
        allocation=allocation, language=sections[0]["code"], guardian_name=guardian_name,
        method=SignatureMethod.DRAWN if png else SignatureMethod.TYPED, signature_png=png, kit_items=chosen,
        signed_at=signed_at, witnessed_by=by, pdf=pdf, pdf_languages=",".join(languages),
    )
    acceptance.save()
    return acceptance


def send_acceptance(*, acceptance, address, by):
    """Send the family their signed acceptance by post (as a letter, in their language with
    English, through ``messaging.services.send_to_family``; the messaging layer carries text,
    not attachments, so a letter is the printed acceptance). Sending the same acceptance to the
    same address twice sends once."""
    from allocations import acceptance as acc
    from messaging.services import Recipient, send_to_family

    lines = [line.strip() for line in (address or "").splitlines() if line.strip()]
    if len(lines) < 3 or len(lines) > 7:
        raise AllocationError(_("Enter the address on 3 to 7 lines, postcode last."), code="address")
    if acceptance.removed_at:
        raise AllocationError(_("This acceptance was removed when the child's record was anonymised."), code="removed")
    allocation = acceptance.allocation
    parts = []
    for section in acc.acceptance_sections(allocation, acceptance.kit_items):
        parts.append("\n".join([*section["paragraphs"], section["kit_heading"], *section["kit"], section["statement"]]))
    parts.append(_("Signed by %(name)s on %(when)s.") % {"name": acceptance.guardian_name,
                                                         "when": timezone.localtime(acceptance.signed_at).strftime("%d/%m/%Y")})
    child = allocation.child
    digest = hashlib.sha256("\n".join(lines).upper().encode()).hexdigest()[:16]
    return send_to_family(
        recipient=Recipient(address="\n".join(lines), name=acceptance.guardian_name), template="family_letter", channel="letter",
        context={"text": "\n\n".join(parts)}, language=child.preferred_language,
        key=f"acceptance:{acceptance.pk}:{digest}", local_authority=child.local_authority, school=child.school, sent_by=by,
    )
