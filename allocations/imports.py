"""Allocations import: one row per child from a school's or social-care team's spreadsheet.

Columns: school URN, child reference, first and last names, year group, laptop serial,
optional dongle (its ICCID or its serial), guardian name and phone, language, needs (laptop,
connectivity), eligibility.

Guarantees (through ``core.imports.engine``): every row is checked before anything is written;
children are updated or created by (LA, child reference), and a blank optional cell never wipes
what is stored; the school must be one of the officer's LA's schools; a device must be one of
the LA's devices, in stock or delivered, and not actively allocated to another child; each new
allocation is ``planned``, moves its device to ``allocated`` (assigned to the child's school)
and writes an ``allocated`` ``DeviceEvent``; all in one transaction.
"""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from core.imports import parsers
from core.imports.engine import Field, ImportSpec

CHUNK = 900

ELIGIBILITY_WORDS = {
    "fsm": "fsm",
    "free school meals": "fsm",
    "free school meal": "fsm",
    "pupil premium": "fsm",
    "social worker": "social_worker",
    "has a social worker": "social_worker",
    "sw": "social_worker",
    "cin": "social_worker",
    "child in need": "social_worker",
    "care leaver": "care_leaver",
    "care leavers": "care_leaver",
    "looked after": "care_leaver",
    "shielding": "shielding",
    "other": "other",
}

#: Statuses a device may be newly allocated from (each also allowed by devices.services.TRANSITIONS).
ALLOCATABLE = ("delivered", "in_stock", "returned")


def chunks(items, size=CHUNK):
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def urn(value):
    n = parsers.integer(value)
    if n is not None and not 100000 <= n <= 999999:
        raise parsers.ParseError(_("A school URN has six digits."))
    return n


class AllocationSpec(ImportSpec):
    kind = "allocations"
    title = _l("Allocations")
    fields = (
        Field("school_urn", _l("School URN"), urn, ("urn", "school", "school urn", "establishment urn", "dfe urn"), required=True),
        Field("reference", _l("Child reference"), parsers.text_max(40), ("reference", "child ref", "child id", "ref", "pupil reference", "upn", "child reference number", "id"), required=True),
        Field("first_name", _l("First name"), parsers.text_max(80), ("forename", "given name", "first names", "child first name")),
        Field("last_name", _l("Last name"), parsers.text_max(80), ("surname", "family name", "child surname", "child last name")),
        Field("year_group", _l("Year group"), parsers.year_group, ("year", "yr", "ncy", "nc year", "school year")),
        Field("laptop_serial", _l("Laptop serial"), parsers.serial, ("laptop", "laptop serial number", "device serial", "serial", "serial number", "tablet serial")),
        Field("dongle", _l("Dongle ICCID or serial"), parsers.text_max(60), ("dongle", "router", "dongle serial", "dongle iccid", "router serial", "sim", "iccid", "4g dongle")),
        Field("guardian_name", _l("Parent or carer's name"), parsers.text_max(120), ("guardian", "guardian name", "parent", "parent name", "carer", "carer name", "parent/carer", "contact name")),
        Field("guardian_phone", _l("Parent or carer's phone"), parsers.uk_phone, ("phone", "guardian phone", "parent phone", "telephone", "contact number", "mobile", "phone number", "tel")),
        Field("guardian_email", _l("Parent or carer's email"), parsers.email, ("email", "guardian email", "parent email", "e-mail")),
        Field("language", _l("Language"), parsers.language, ("home language", "preferred language", "family language", "first language", "language spoken")),
        Field("needs_laptop", _l("Needs a laptop"), parsers.boolean, ("needs laptop", "laptop needed", "needs device")),
        Field("needs_connectivity", _l("Needs connectivity"), parsers.boolean, ("needs connectivity", "needs internet", "connectivity needed", "needs dongle", "internet needed", "needs 4g")),
        Field("eligibility", _l("Eligibility"), parsers.choice(ELIGIBILITY_WORDS, _l("“%(value)s” is not an eligibility reason: use free school meals, social worker, care leaver, shielding or other.")), ("eligibility reason", "reason", "criteria")),
    )
    count_labels = {
        "children_create": _l("Children to create"),
        "children_update": _l("Children to update"),
        "allocations_create": _l("Allocations to create"),
        "already_allocated": _l("Already allocated to the same child (no change)"),
        "not_found": _l("Devices not found (errors)"),
        "allocated_elsewhere": _l("Devices already allocated to another child (errors)"),
        "duplicates": _l("Repeated within the file (errors)"),
    }

    def begin(self, ctx):
        from accounts.models import School

        ctx.state.update(
            schools=dict(School.objects.filter(local_authority=ctx.local_authority).values_list("urn", "pk")),
            refs={},  # reference -> row number
            serials={},  # laptop serial or dongle key -> (row number, field)
            dongle_iccids={},
            pending=[],  # (row number, reference, [(field, key, kind)])
        )

    def check(self, ctx, row):
        d = row.data
        st = ctx.state
        ok = True
        if d["school_urn"] not in st["schools"]:
            ctx.error(row, "school_urn", _("No school with URN %(urn)s belongs to your council.") % {"urn": d["school_urn"]})
            ok = False
        ref = d["reference"]
        if ref in st["refs"]:
            ctx.error(row, "reference", _("This child is also on row %(row)s.") % {"row": st["refs"][ref]})
            ctx.count("duplicates")
            ok = False
        else:
            st["refs"][ref] = row.number
        wanted = []
        if d.get("laptop_serial"):
            wanted.append(("laptop_serial", ("serial", d["laptop_serial"])))
        dongle = d.get("dongle")
        if dongle:
            digits = re.sub(r"[\s\-]", "", dongle)
            if digits.isdigit() and 19 <= len(digits) <= 20:
                try:
                    key = ("iccid", parsers.iccid(digits))
                except parsers.ParseError as exc:
                    ctx.error(row, "dongle", exc.message)
                    ok = False
                    key = None
            else:
                key = ("serial", parsers.serial(dongle))
            if key:
                wanted.append(("dongle", key))
        for name, key in wanted:
            first = st["serials"].get(key)
            if first is not None:
                ctx.error(row, name, _("This device is also on row %(row)s.") % {"row": first})
                ctx.count("duplicates")
                ok = False
            else:
                st["serials"][key] = row.number
        if ok:
            st["pending"].append((row.number, ref, wanted))
            if ctx.committing:
                ctx.rows.append(row)

    def finish(self, ctx):
        from allocations.models import ACTIVE_ALLOCATION_STATUSES, Allocation, Child
        from devices.models import Device, Sim
        from devices.services import can_transition

        st = ctx.state
        la_id = ctx.local_authority.pk
        serials = [k[1] for k in st["serials"] if k[0] == "serial"]
        iccids = [k[1] for k in st["serials"] if k[0] == "iccid"]
        devices = {}  # key -> (pk, la_id, status, kind)
        for chunk in chunks(serials):
            for pk, serial_, la, status, kind in Device.objects.filter(serial__in=chunk).values_list("pk", "serial", "local_authority_id", "status", "kind"):
                devices[("serial", serial_)] = (pk, la, status, kind)
        for chunk in chunks(iccids):
            for iccid_, pk, la, status, kind in Sim.objects.filter(iccid__in=chunk, device__isnull=False).values_list(
                "iccid", "device_id", "device__local_authority_id", "device__status", "device__kind"
            ):
                devices[("iccid", iccid_)] = (pk, la, status, kind)
        device_ids = [v[0] for v in devices.values() if v[1] == la_id]
        active = {}  # device pk -> child reference
        for chunk in chunks(device_ids):
            for device_id, ref in Allocation.objects.filter(device_id__in=chunk, status__in=ACTIVE_ALLOCATION_STATUSES).values_list("device_id", "child__reference"):
                active[device_id] = ref
        existing = set()
        for chunk in chunks(st["refs"]):
            existing.update(Child.objects.filter(local_authority_id=la_id, reference__in=chunk).values_list("reference", flat=True))
        plan = {}  # row number -> [device pk to allocate]
        for number, ref, wanted in st["pending"]:
            row_ok = True
            to_allocate = []
            for name, key in wanted:
                found = devices.get(key)
                if found is None or found[1] != la_id:
                    ctx.error(number, name, _("No device with this serial or ICCID is recorded for your council."))
                    ctx.count("not_found")
                    row_ok = False
                    continue
                pk, _la, status, kind = found
                if name == "dongle" and kind != "router":
                    ctx.error(number, name, _("This device is a %(kind)s, not a dongle or router.") % {"kind": kind})
                    row_ok = False
                    continue
                if name == "laptop_serial" and kind == "router":
                    ctx.error(number, name, _("This device is a router or dongle: put it in the dongle column."))
                    row_ok = False
                    continue
                holder = active.get(pk)
                if holder is not None and holder != ref:
                    ctx.error(number, name, _("This device is already allocated to child %(ref)s.") % {"ref": holder})
                    ctx.count("allocated_elsewhere")
                    row_ok = False
                    continue
                if holder == ref:
                    ctx.count("already_allocated")
                    continue
                if status not in ALLOCATABLE or not can_transition(status, "allocated"):
                    ctx.error(number, name, _("This device's status is “%(status)s”; only delivered, in-stock or returned devices can be allocated.") % {"status": status})
                    row_ok = False
                    continue
                to_allocate.append(pk)
            if row_ok:
                plan[number] = to_allocate
                ctx.count("children_update" if ref in existing else "children_create")
                ctx.count("allocations_create", len(to_allocate))
        st["plan"] = plan
        st["existing"] = existing
        del st["pending"]

    def write(self, ctx):
        """Children in batches (create or update, with history), then allocations, device
        status and custody events in batches. Only ids are kept between batches, so memory
        stays flat however many rows there are."""
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        from allocations.models import Allocation, AllocationStatus, Child
        from devices.models import Device, DeviceEvent, DeviceStatus

        st, la, user = ctx.state, ctx.local_authority, ctx.user
        now = timezone.now()
        today = timezone.localdate()
        schools = st["schools"]
        optional = ("first_name", "last_name", "year_group", "guardian_name", "guardian_phone", "guardian_email", "language", "eligibility", "needs_laptop", "needs_connectivity")
        attr = {"language": "preferred_language"}
        update_fields = ["school", "first_name", "last_name", "year_group", "guardian_name", "guardian_phone", "guardian_email", "preferred_language", "eligibility", "needs_laptop", "needs_connectivity", "updated_at"]
        plan = st["plan"]
        pairs = []  # (child pk, child school pk, child reference, device pk)
        for part in chunks(ctx.rows, self.batch_size):
            refs = [r.data["reference"] for r in part if r.data["reference"] in st["existing"]]
            existing = {c.reference: c for c in Child.objects.filter(local_authority=la, reference__in=refs)} if refs else {}
            new, changed, by_row = [], [], []
            for r in part:
                d = r.data
                child = existing.get(d["reference"])
                if child is None:
                    child = Child(local_authority=la, reference=d["reference"], preferred_language="en")
                    if d.get("dongle") and d.get("needs_connectivity") is None:
                        child.needs_connectivity = True
                    new.append(child)
                else:
                    changed.append(child)
                child.school_id = schools[d["school_urn"]]
                for name in optional:
                    value = d.get(name)
                    if value is not None and value != "":
                        setattr(child, attr.get(name, name), value)
                child.updated_at = now
                by_row.append((r.number, child))
            if new:
                bulk_create_with_history(new, Child, batch_size=self.batch_size, default_user=user)
                if new[0].pk is None:  # backends that do not return ids
                    ids = dict(Child.objects.filter(local_authority=la, reference__in=[c.reference for c in new]).values_list("reference", "pk"))
                    for c in new:
                        c.pk = ids[c.reference]
            if changed:
                bulk_update_with_history(changed, Child, update_fields, batch_size=self.batch_size, default_user=user)
            for number, child in by_row:
                for device_pk in plan.get(number, ()):
                    pairs.append((child.pk, child.school_id, child.reference, device_pk))
        note = _("Imported from %(file)s") % {"file": ctx.filename}
        for part in chunks(pairs, self.batch_size):
            devices = {d.pk: d for d in Device.objects.select_for_update().filter(pk__in=[p[3] for p in part])}
            allocations = [Allocation(child_id=child_pk, device_id=device_pk, status=AllocationStatus.PLANNED, planned_on=today, created_by=user, note=note) for child_pk, _s, _r, device_pk in part]
            bulk_create_with_history(allocations, Allocation, batch_size=self.batch_size, default_user=user)
            events = []
            for _child_pk, school_pk, reference, device_pk in part:
                device = devices[device_pk]
                if device.status not in ALLOCATABLE:  # changed since the check: refuse the whole file
                    raise RuntimeError(f"device {device_pk} changed status during the import")
                events.append(
                    DeviceEvent(device=device, kind=DeviceEvent.Kind.ALLOCATED, from_status=device.status, to_status=DeviceStatus.ALLOCATED, actor=user, at=now, note=reference)
                )
                device.status = DeviceStatus.ALLOCATED
                device.school_id = school_pk
                device.updated_at = now
            bulk_update_with_history(list(devices.values()), Device, ["status", "school", "updated_at"], batch_size=self.batch_size, default_user=user)
            DeviceEvent.objects.bulk_create(events, batch_size=self.batch_size)


SPEC = AllocationSpec()
