"""Demo children and allocations in Camden (202) and Hackney (204), in several languages, with
allocations in every state, and in Camden two care leavers who belong to the council directly. Uses the devices demo data when it exists (devices seeds first);
otherwise creates a few laptops of its own. Safe to run twice: a child that already has an
allocation is left alone."""

import datetime

from django.utils import timezone

from accounts.models import LocalAuthority, School, User
from allocations import services
from allocations.models import Child
from devices.models import Device, DeviceKind, DeviceStatus

# reference suffix, first name, last name, year group, language, eligibility, needs connectivity, story
CHILDREN = [
    ("001", "Hodan", "Warsame", "7", "so", "fsm", True, "transferred"),
    ("002", "Ayaan", "Hussain", "9", "ur", "social_worker", False, "handed_over"),
    ("003", "Zofia", "Nowak", "5", "pl", "fsm", True, "planned"),
    ("004", "Rahim", "Uddin", "11", "bn", "fsm", False, "replaced"),
    ("005", "Maryam", "Ali", "8", "ar", "care_leaver", False, "returned"),
    ("006", "Emre", "Yilmaz", "10", "tr", "shielding", False, "cancelled"),
    ("007", "Fartun", "Abdi", "3", "so", "fsm", True, "waiting"),
    ("008", "Bilal", "Khan", "12", "ur", "other", False, "waiting"),
    ("009", "Ana", "Popescu", "6", "ro", "fsm", False, "transferred"),
    ("010", "Tom", "Brown", "4", "en", "fsm", False, "handed_over"),
]
#: Children who belong to the council directly (no school): care leavers, one with a laptop
#: handed over and one waiting; added in Camden only.
COUNCIL_CHILDREN = [
    ("101", "Jordan", "Mensah", "", "en", "care_leaver", False, "handed_over"),
    ("102", "Leyla", "Ahmed", "", "so", "care_leaver", True, "waiting"),
]
GUARDIANS = {"so": "Mrs Warsame", "ur": "Mr Hussain", "pl": "Pani Nowak", "bn": "Mrs Uddin"}


def seed(stdout, style):
    stdout.write(style.MIGRATE_HEADING("Children and allocations"))
    today = timezone.localdate()
    for code in ("202", "204"):
        la = LocalAuthority.objects.filter(code=code).first()
        schools = list(School.objects.filter(local_authority=la).open().order_by("urn")) if la else []
        if not schools:
            stdout.write(f"  LA {code}: no schools yet, skipped")
            continue
        officer = User.objects.filter(role="council_officer", local_authority=la).order_by("pk").first()
        made = 0
        rows = [(row, schools[index % len(schools)]) for index, row in enumerate(CHILDREN)]
        rows += [(row, None) for row in COUNCIL_CHILDREN] if code == "202" else []
        for (suffix, first, last, year, lang, eligibility, connectivity, story), school in rows:
            reference = f"{code}-DEMO-{suffix}"
            child = Child.objects.filter(local_authority=la, reference=reference).first()
            if child is None:
                child = services.save_child(
                    child=Child(
                        school=school, local_authority=la, reference=reference, first_name=first, last_name=last,
                        year_group=year, preferred_language=lang, eligibility=eligibility, needs_laptop=True,
                        needs_connectivity=connectivity, guardian_name=GUARDIANS.get(lang, f"Parent of {first}"),
                        guardian_phone=f"+447700900{int(code) % 10}{suffix[-2:]}",
                    ),
                    by=officer,
                )
                made += 1
            if story != "waiting" and not child.allocations.exists():
                _tell(story, child, la, officer, today)
        stdout.write(f"  {la.name}: {made} children added, {Child.objects.filter(local_authority=la).count()} in all")


def _free_device(la, by):
    """A device in stock (or delivered) with no allocation, making a laptop when none is left."""
    device = (
        Device.objects.filter(local_authority=la, kind=DeviceKind.LAPTOP, status__in=[DeviceStatus.IN_STOCK, DeviceStatus.DELIVERED])
        .exclude(allocations__status__in=["planned", "handed_over"])
        .order_by("pk")
        .first()
    )
    if device is not None:
        return device
    from devices.services import mark_in_stock

    number = Device.objects.filter(serial__startswith=f"DEMO-{la.code}-LT-").count() + 1
    device = Device.objects.create(
        kind=DeviceKind.LAPTOP, make="Lenovo", model="300e Chromebook", serial=f"DEMO-{la.code}-LT-{number:03d}",
        local_authority=la, delivered_on=datetime.date(2026, 1, 15),
    )
    mark_in_stock(device=device, by=by, note="Demo stock")
    return device


def _tell(story, child, la, by, today):
    planned = today - datetime.timedelta(days=120)
    handed = today - datetime.timedelta(days=110)
    allocation = services.allocate(child=child, device=_free_device(la, by), by=by, on=planned)
    if story == "planned":
        return
    if story == "cancelled":
        services.cancel(allocation=allocation, by=by)
        return
    allocation = services.hand_over(
        allocation=allocation, on=handed, handed_over_by="School office" if child.school_id else "Leaving care team", received_by=child.guardian_name, by=by
    )
    if story == "transferred":
        from allocations.models import ReadinessItem

        services.record_acceptance(allocation=allocation, kit_items=["device", "charger"], guardian_name=child.guardian_name or "Parent",
                                   signature="", by=by)
        services.record_readiness(allocation=allocation, items=ReadinessItem.values, by=by)
        services.transfer_ownership(allocation=allocation, by=by, on=today - datetime.timedelta(days=30))
    elif story == "returned":
        from allocations.models import kit_for

        services.return_device(allocation=allocation, on=today - datetime.timedelta(days=10), by=by, reason="Family moved away",
                               kit_conditions={item: "good" for item in kit_for(allocation.device)}, wipe_method="factory_reset",
                               wipe_reference="DEMO-WIPE-1")
    elif story == "replaced":
        services.replace_device(allocation=allocation, new_device=_free_device(la, by), by=by, reason="Screen cracked")
