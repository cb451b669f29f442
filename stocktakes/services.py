"""Domain writes for stocktakes: start (snapshot the expected set), record a scan, close.

The lifecycle is declared once, in ``MOVES``: a stocktake is open, then closed, and a closed
stocktake is never reopened (it is kept as its report). Every write here checks it.

What is *expected* where (``expected_devices``):

- **a school**: the council's devices at that school that should be on its shelves: delivered,
  in stock, allocated to a child but not yet handed over, or returned. Devices handed over,
  owned by the family, in repair, lost, stolen, written off or replaced are not expected.
- **the LA's store room** (no school): the LA's devices with no school, delivered, in stock or
  returned.

The expected set is copied into the stocktake's items when it starts, so devices that move
during the count do not change what it was measured against.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from devices.models import Device, DeviceStatus, Ownership
from stocktakes.models import Stocktake, StocktakeItem, StocktakeScan, normalise_code

#: The allowed moves of a stocktake's status: open -> closed, and nothing out of closed.
MOVES = {
    Stocktake.Status.OPEN: {Stocktake.Status.CLOSED},
    Stocktake.Status.CLOSED: set(),
}

#: Roles that run stocktakes (start, scan, close); CIOs read them; admins may do anything.
RUNNER_ROLES = ("council_officer", "school_staff")
READER_ROLES = ("council_officer", "school_staff", "cio")

EXPECTED_AT_SCHOOL = (DeviceStatus.DELIVERED, DeviceStatus.IN_STOCK, DeviceStatus.ALLOCATED, DeviceStatus.RETURNED)
EXPECTED_IN_STORE_ROOM = (DeviceStatus.DELIVERED, DeviceStatus.IN_STOCK, DeviceStatus.RETURNED)

MAX_CODE_LENGTH = 60


class StocktakeError(ValidationError):
    """A refused stocktake write, with a message to show the person as it is."""


@dataclass
class ScanOutcome:
    result: str  # StocktakeScan.Result
    item: StocktakeItem
    message: str


def expected_devices(*, local_authority, school=None):
    """The devices expected on the shelves of ``school``, or of the LA's store room."""
    qs = Device.objects.filter(local_authority=local_authority, ownership=Ownership.LA)
    if school is not None:
        return qs.filter(school=school, status__in=EXPECTED_AT_SCHOOL)
    return qs.filter(school__isnull=True, status__in=EXPECTED_IN_STORE_ROOM)


def _is_admin(user):
    return user.is_superuser or user.role == "admin"


def check_can_run(*, by, local_authority, school=None):
    """Refuse anyone who may not run a stocktake of this place: school staff only of their
    own school, officers of any school of their LA and of its store room."""
    if _is_admin(by):
        return
    if by.role not in RUNNER_ROLES:
        raise PermissionDenied(_("You cannot run stocktakes."))
    if by.role == "school_staff":
        if school is None or school.pk != by.school_id:
            raise PermissionDenied(_("You can only run stocktakes of your own school."))
    elif local_authority.pk != by.local_authority_id or (school is not None and school.local_authority_id != by.local_authority_id):
        raise PermissionDenied(_("You can only run stocktakes in your own council."))


def _check_move(stocktake, to_status):
    if to_status not in MOVES.get(stocktake.status, set()):
        if stocktake.status == Stocktake.Status.CLOSED:
            raise StocktakeError(_("This stocktake is closed. A closed stocktake cannot be changed or reopened."))
        raise StocktakeError(_("This stocktake cannot be moved to that status."))


def start_stocktake(*, by, local_authority, school=None, note=""):
    """Start a stocktake of ``school`` (or the LA's store room) and snapshot what is expected.

    One open stocktake per place (a database constraint): a second start is refused with a
    clear message, whoever raced for it."""
    check_can_run(by=by, local_authority=local_authority, school=school)
    if school is not None and school.local_authority_id != local_authority.pk:
        raise StocktakeError(_("That school is not in this council."))
    now = timezone.now()
    try:
        with transaction.atomic():
            stocktake = Stocktake(local_authority=local_authority, school=school, started_at=now, started_by=by, note=note)
            stocktake.full_clean(validate_constraints=False)
            stocktake.save()
            rows = expected_devices(local_authority=local_authority, school=school).values_list(
                "pk", "serial", "imei", "asset_tag", "kind", "make", "model", "status"
            )
            kinds = dict(Device._meta.get_field("kind").flatchoices)
            StocktakeItem.objects.bulk_create(
                [
                    StocktakeItem(
                        stocktake=stocktake,
                        device_id=pk,
                        expected=True,
                        code=normalise_code(serial),
                        imei=normalise_code(imei),
                        asset_tag=normalise_code(asset_tag),
                        description=" ".join(str(p) for p in (kinds.get(kind, kind), make, model) if p),
                        status_at_start=status,
                    )
                    for pk, serial, imei, asset_tag, kind, make, model, status in rows.iterator(chunk_size=2000)
                ],
                batch_size=1000,
            )
    except IntegrityError:
        raise StocktakeError(
            _("A stocktake of %(place)s is already open. Carry on with that one, or close it first.")
            % {"place": school.name if school else _("the store room")}
        ) from None
    return stocktake


def record_scan(*, stocktake, code, by):
    """Record one scanned or typed code in an open stocktake and say what it was.

    Matches the expected items by serial, IMEI or asset tag, ignoring case and whitespace.
    A code already scanned is a duplicate, never counted twice, even when two people scan it
    at the same moment: marking an item found is a conditional UPDATE (one winner), and a new
    unexpected line is an INSERT guarded by a unique constraint (the loser's IntegrityError is
    taken as a duplicate). A code that matches no device ``by`` may see is unexpected and
    stores nothing about any device. A constant number of queries, whatever the size."""
    check_can_run(by=by, local_authority=stocktake.local_authority, school=stocktake.school)
    _check_move_allows_scans(stocktake)
    typed = (code or "").strip()[:MAX_CODE_LENGTH]
    key = normalise_code(code)
    if not key:
        raise StocktakeError(_("Scan a barcode, or type a serial number, IMEI or asset tag."))
    if len(key) > MAX_CODE_LENGTH:
        raise StocktakeError(_("That code is too long to be a serial number, IMEI or asset tag (at most 60 characters)."))
    now = timezone.now()
    with transaction.atomic():
        item = _matching_item(stocktake, key)
        if item is None:
            item, created = _add_unexpected(stocktake=stocktake, key=key, typed=typed, by=by, now=now)
            if created:
                result = StocktakeScan.Result.UNEXPECTED
            else:
                result = StocktakeScan.Result.DUPLICATE
        elif item.expected and item.found_at is None:
            won = StocktakeItem.objects.filter(pk=item.pk, found_at__isnull=True).update(
                found_at=now, found_by=by, scans=F("scans") + 1
            )
            result = StocktakeScan.Result.FOUND if won else StocktakeScan.Result.DUPLICATE
            if won:
                item.found_at, item.found_by, item.scans = now, by, item.scans + 1
            else:
                StocktakeItem.objects.filter(pk=item.pk).update(scans=F("scans") + 1)
                item.refresh_from_db(fields=["found_at", "found_by", "scans"])
        else:
            StocktakeItem.objects.filter(pk=item.pk).update(scans=F("scans") + 1)
            item.scans += 1
            result = StocktakeScan.Result.DUPLICATE
        StocktakeScan.objects.create(stocktake=stocktake, item=item, typed=typed, result=result, at=now, by=by)
    return ScanOutcome(result=result, item=item, message=_outcome_message(result, item))


def _check_move_allows_scans(stocktake):
    if stocktake.status != Stocktake.Status.OPEN:
        raise StocktakeError(_("This stocktake is closed. A closed stocktake cannot be changed or reopened."))


def _matching_item(stocktake, key):
    # One indexed query: the code is the serial (or an unexpected code), else an IMEI or tag.
    return (
        StocktakeItem.objects.filter(stocktake=stocktake)
        .filter(Q(code=key) | Q(imei=key) | Q(asset_tag=key))
        .order_by("-expected", "pk")
        .first()
    )


def _add_unexpected(*, stocktake, key, typed, by, now):
    # Exact lookups only (each on an index): serials are stored normalised, IMEIs are digits,
    # and an asset tag is tried as normalised and as typed (upper, lower): an LA's devices
    # are never scanned for a case-insensitive match.
    stripped = typed.strip()
    tags = {key, stripped, stripped.upper(), stripped.lower()}
    device = (
        Device.objects.visible_to(by)
        .filter(Q(serial=key) | Q(imei=key) | Q(asset_tag__in=tags))
        .only("pk", "serial", "kind", "make", "model", "status")
        .first()
    )
    item = StocktakeItem(stocktake=stocktake, expected=False, code=key, found_at=now, found_by=by, scans=1)
    if device is not None:
        item.device = device
        item.description = " ".join(p for p in (device.get_kind_display(), device.make, device.model) if p)
        item.status_at_start = device.status
    try:
        with transaction.atomic():
            item.save()
        return item, True
    except IntegrityError:
        # Someone scanned the same code a moment ago: theirs is the line, this is a duplicate.
        existing = StocktakeItem.objects.filter(stocktake=stocktake).filter(
            Q(code=key) | (Q(device=device) if device is not None else Q(pk__in=[]))
        ).first()
        StocktakeItem.objects.filter(pk=existing.pk).update(scans=F("scans") + 1)
        existing.scans += 1
        return existing, False


def _outcome_message(result, item):
    if result == StocktakeScan.Result.FOUND:
        return _("Found: %(code)s") % {"code": item.code}
    if result == StocktakeScan.Result.DUPLICATE:
        return _("Already scanned: %(code)s (not counted again)") % {"code": item.code}
    return _("Unexpected: %(code)s is not on the list for this stocktake") % {"code": item.code}


def close_stocktake(*, stocktake, by):
    """Close an open stocktake: its lines are frozen as the report. It cannot be reopened."""
    check_can_run(by=by, local_authority=stocktake.local_authority, school=stocktake.school)
    with transaction.atomic():
        locked = Stocktake.objects.select_for_update().get(pk=stocktake.pk)
        _check_move(locked, Stocktake.Status.CLOSED)
        locked.status = Stocktake.Status.CLOSED
        locked.closed_at = timezone.now()
        locked.closed_by = by
        locked.save(update_fields=["status", "closed_at", "closed_by"])
    return locked
