"""Allocations import: one row per child from a school's or social-care team's spreadsheet.

Columns: school URN, child reference, first and last names, year group, laptop serial,
optional dongle (its ICCID or its serial), guardian name and phone, language, needs (laptop,
connectivity), eligibility.

Guarantees (through ``core.imports.engine``): every row is checked before anything is written;
children are updated or created by (LA, child reference), and a blank optional cell never wipes
what is stored; the school URN is optional (a new child with none belongs to the LA directly, a
care leaver for example; a known child keeps its school) and, when given, must be one of the
officer's LA's schools; a device must be one of
the LA's devices, in stock or delivered, and not actively allocated to another child; each new
allocation is ``planned``, moves its device to ``allocated`` (assigned to the child's school)
and writes an ``allocated`` ``DeviceEvent``; all in one transaction.

Handovers: a row with a "Date handed over" (and optionally "Handed over by") is allocated on
that date and then handed over through ``allocations.services.hand_over``, the page's service,
with its checks (``handover_date_problem``: a real date in 1990-2100, not in the future, not
before the device's delivery or the allocation); a bad date is that row's error. A row without
a date stays planned. A device already planned for the same child is handed over on the date.
"""

from __future__ import annotations

import re

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from core.imports import copy as _copy_lookups  # noqa: F401  (registers __any_of)
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


def chunks(items, size=None):
    """Lists of ``size`` (default: 900 on SQLite, whose statements take few parameters; 20,000
    elsewhere, so 100,000 references are looked up in 5 queries instead of 112)."""
    if size is None:
        from django.db import connection

        size = CHUNK if connection.vendor == "sqlite" else 20_000
    items = list(items)
    for i in range(0, len(items), size):
        yield items[i : i + size]


def lookups(items):
    """``items`` in the lists to look up with ``__any_of``: on PostgreSQL the whole list, one
    array parameter, so 100,000 references are one query (``core.imports.copy.AnyOf``);
    elsewhere chunks of ``chunks``."""
    from django.db import connection

    from core.imports.copy import Values

    items = list(items)
    if connection.vendor != "postgresql":
        yield from chunks(items)
    elif items:
        yield Values(items)


def urn(value):
    n = parsers.integer(value)
    if n is not None and not 100000 <= n <= 999999:
        raise parsers.ParseError(_("A school URN has six digits."))
    return n


class AllocationSpec(ImportSpec):
    kind = "allocations"
    title = _l("Allocations")
    # Aliases: the headings councils, schools and social-care teams write (DfE allocation and
    # "get help with technology" templates, school MIS exports: SIMS, Arbor, Bromcom; Mosaic/LCS
    # case lists). Abbreviations ("No.", "Ref", "Tel"), "/" and "&", "?" and word order are
    # folded by core.imports.headers.match_key, so only distinct wordings are listed.
    fields = (
        Field("school_urn", _l("School URN"), urn, (
            "urn", "school", "school urn", "establishment urn", "dfe urn", "sch urn", "school urn number", "urn of school",
            "unique reference number", "school unique reference number", "school (urn)", "establishment", "school/urn", "setting urn",
        )),
        Field("reference", _l("Child reference"), parsers.text_max(40), (
            "reference", "child ref", "child id", "ref", "pupil reference", "upn", "unique pupil number", "child reference number",
            "id", "pupil id", "student id", "pupil number", "case reference", "case number", "la reference", "council reference",
            "mosaic id", "lcs id", "person id", "child number", "reference number", "admission number", "adno", "mis id",
            "child's reference", "young person reference", "cyp reference", "learner reference",
        ), required=True),
        Field("first_name", _l("First name"), parsers.text_max(80), (
            "forename", "given name", "first names", "child first name", "pupil forename", "legal forename", "preferred forename",
            "child forename", "christian name", "firstname", "first", "young person first name",
        )),
        Field("last_name", _l("Last name"), parsers.text_max(80), (
            "surname", "family name", "child surname", "child last name", "legal surname", "pupil surname", "lastname",
            "last", "young person surname",
        )),
        Field("year_group", _l("Year group"), parsers.year_group, (
            "year", "yr", "ncy", "nc year", "school year", "curriculum year", "national curriculum year", "yr grp", "current year group",
            "year group (nc)", "year of study",
        )),
        Field("laptop_serial", _l("Laptop serial"), parsers.serial, (
            "laptop", "laptop serial number", "device serial", "serial", "serial number", "tablet serial", "laptop s/n", "device s/n",
            "laptop/tablet serial", "chromebook serial", "device serial number", "serial number of laptop", "laptop or tablet",
            "laptop allocated", "device allocated", "laptop id",
        )),
        Field("dongle", _l("Dongle ICCID or serial"), parsers.text_max(60), (
            "dongle", "router", "dongle serial", "dongle iccid", "router serial", "sim", "iccid", "4g dongle", "4g router", "sim number",
            "sim serial", "dongle/router", "mifi", "hotspot", "router/dongle serial", "4g device", "dongle allocated", "dongle or router serial",
            "sim iccid",
        )),
        Field("guardian_name", _l("Parent or carer's name"), parsers.text_max(120), (
            "guardian", "guardian name", "parent", "parent name", "carer", "carer name", "parent/carer", "contact name", "parent or guardian",
            "parent/guardian name", "main contact", "primary contact", "priority contact", "contact 1 name", "name of parent/carer",
            "parent/carer full name", "adult receiving device", "parent carer guardian name",
        )),
        Field("guardian_phone", _l("Parent or carer's phone"), parsers.uk_phone, (
            "phone", "guardian phone", "parent phone", "telephone", "contact number", "mobile", "phone number", "tel", "contact tel",
            "mobile number", "parent mobile", "contact phone", "home phone", "contact 1 phone", "contact telephone number",
            "primary contact number", "parent/carer tel no", "parent contact number", "parent/carer mobile", "parent phone number",
        )),
        Field("guardian_email", _l("Parent or carer's email"), parsers.email, (
            "email", "guardian email", "parent email", "e-mail", "email address", "contact email", "parent/carer email address",
            "contact 1 email",
        )),
        Field("language", _l("Language"), parsers.language, (
            "home language", "preferred language", "family language", "first language", "language spoken", "language spoken at home",
            "main language", "language of parent/carer", "lang", "spoken language", "preferred language for contact", "parent language",
            "home lang", "first language (not english)",
        )),
        Field("needs_laptop", _l("Needs a laptop"), parsers.boolean, (
            "needs laptop", "laptop needed", "needs device", "laptop required", "device needed", "requires laptop", "device required",
            "needs laptop/tablet", "needs a device", "laptop or tablet needed",
        )),
        Field("needs_connectivity", _l("Needs connectivity"), parsers.boolean, (
            "needs connectivity", "needs internet", "connectivity needed", "needs dongle", "internet needed", "needs 4g",
            "internet access needed", "dongle required", "requires connectivity", "needs router", "connectivity required", "4g needed",
            "needs data", "needs internet access", "dongle needed", "needs wifi",
        )),
        Field("eligibility", _l("Eligibility"), parsers.choice(ELIGIBILITY_WORDS, _l("“%(value)s” is not an eligibility reason: use free school meals, social worker, care leaver, shielding or other.")), (
            "eligibility reason", "reason", "criteria", "eligibility criteria", "reason for eligibility", "eligibility category", "cohort",
            "reason for allocation", "eligible because", "why eligible",
        )),
        Field("handed_over_on", _l("Date handed over"), parsers.date, (
            "handover date", "handed over", "handed over on", "date of handover", "date issued", "issued on", "issue date", "date given",
            "date given to family", "date collected", "collected on", "date received", "received on", "handed over date",
            "date device handed over", "date provided", "date delivered to family", "date device given", "handover",
        ), help=_l("Leave blank for a device not yet handed over: it is recorded as planned.")),
        Field("handed_over_by", _l("Handed over by"), parsers.text_max(120), (
            "issued by", "given by", "handover by", "handed over by (name)", "staff member handing over", "handed out by", "provided by",
        )),
    )
    done_labels = {
        "children_create": (_l("Children added"), "allocations:child_list"),
        "children_update": (_l("Children updated"), "allocations:child_list"),
        "allocations_create": (_l("Allocations made"), "allocations:allocation_list"),
        "handovers": (_l("Handovers recorded"), "allocations:allocation_list"),
    }
    count_labels = {
        "children_create": _l("Children to create"),
        "children_update": _l("Children to update"),
        "allocations_create": _l("Allocations to create"),
        "already_allocated": _l("Already allocated to the same child (no change)"),
        "handovers": _l("Handovers to record"),
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
            pending=[],  # (row number, reference, [(field, key)], handover date): rows with a device or a date
            plain=[],  # the references of the other good rows (no device, no handover)
        )

    def check_block(self, ctx, numbers, columns):
        """``check`` for a block at once where that needs no row's own message: every URN one
        of the LA's schools and no reference seen before (in the block or earlier), so no school
        or duplicate error can arise; then only the rows with a device or a handover cell go
        through ``check``. Otherwise every row of the block does (the same errors as before)."""
        st = ctx.state
        refs = columns["reference"]
        urns = columns["school_urn"]
        if urns is not None and not st["schools"].keys() >= set(urns) - {None}:
            return None
        seen = st["refs"]
        if len(set(refs)) != len(refs) or not seen.keys().isdisjoint(refs):
            return None
        seen.update(zip(refs, numbers))
        cells = [c for c in (columns["laptop_serial"], columns["dongle"], columns["handed_over_by"]) if c is not None and any(c)]
        on = columns["handed_over_on"]
        if on is not None and on.count(None) < len(on):
            cells.append([v is not None for v in on])
        if not cells:
            st["plain"].extend(refs)
            return ()
        todo = [j for j, row in enumerate(zip(*cells)) if any(row)]
        skip = set(todo)
        st["plain"].extend(ref for j, ref in enumerate(refs) if j not in skip)
        return todo

    def check(self, ctx, row):
        d = row.data
        st = ctx.state
        ok = True
        if d.get("school_urn") is not None and d["school_urn"] not in st["schools"]:
            ctx.error(row, "school_urn", _("No school with URN %(urn)s belongs to your council.") % {"urn": d["school_urn"]})
            ok = False
        ref = d["reference"]
        first = st["refs"].setdefault(ref, row.number)  # ``check_block`` may have recorded this row
        if first != row.number:
            ctx.error(row, "reference", _("This child is also on row %(row)s.") % {"row": first})
            ctx.count("duplicates")
            ok = False
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
        on = d.get("handed_over_on")
        if on is not None:
            from allocations.services import handover_date_problem

            problem = handover_date_problem(on)
            if problem:
                ctx.error(row, "handed_over_on", problem[1])
                ok = False
            elif not wanted:
                ctx.error(row, "handed_over_on", _("A handover date needs the device handed over (its laptop serial or dongle) on the same row."))
                ok = False
        elif d.get("handed_over_by"):
            ctx.error(row, "handed_over_by", _("Give the date it was handed over too, or leave this blank."))
            ok = False
        for name, key in wanted:
            first = st["serials"].get(key)
            if first is not None:
                ctx.error(row, name, _("This device is also on row %(row)s.") % {"row": first})
                ctx.count("duplicates")
                ok = False
            else:
                st["serials"][key] = row.number
        if ok:
            if wanted or on is not None:
                st["pending"].append((row.number, ref, wanted, on))
            else:
                st["plain"].append(ref)

    def finish(self, ctx):
        from allocations.models import ACTIVE_ALLOCATION_STATUSES, Allocation, Child
        from connectivity.models import Sim
        from devices.models import Device
        from devices.services import can_transition

        st = ctx.state
        la_id = ctx.local_authority.pk
        serials = [k[1] for k in st["serials"] if k[0] == "serial"]
        iccids = [k[1] for k in st["serials"] if k[0] == "iccid"]
        devices = {}  # key -> (pk, la_id, status, kind, delivered_on)
        # Only this LA's devices are read: whether a serial exists in another LA is not this
        # officer's to learn, so "not found" is the same answer for both.
        for chunk in lookups(serials):
            for pk, serial_, la, status, kind, delivered in Device.objects.filter(serial__any_of=chunk, local_authority_id=la_id).values_list(
                "pk", "serial", "local_authority_id", "status", "kind", "delivered_on"
            ):
                devices[("serial", serial_)] = (pk, la, status, kind, delivered)
        for chunk in lookups(iccids):
            for iccid_, pk, la, status, kind, delivered in Sim.objects.filter(iccid__any_of=chunk, device__isnull=False, device__local_authority_id=la_id).values_list(
                "iccid", "device_id", "device__local_authority_id", "device__status", "device__kind", "device__delivered_on"
            ):
                devices[("iccid", iccid_)] = (pk, la, status, kind, delivered)
        device_ids = [v[0] for v in devices.values() if v[1] == la_id]
        active = {}  # device pk -> child reference
        active_alloc = {}  # device pk -> (allocation pk, status, planned_on)
        for chunk in lookups(device_ids):
            for device_id, ref, alloc_pk, alloc_status, planned_on in Allocation.objects.filter(
                device_id__any_of=chunk, status__in=ACTIVE_ALLOCATION_STATUSES
            ).values_list("device_id", "child__reference", "pk", "status", "planned_on"):
                active[device_id] = ref
                active_alloc[device_id] = (alloc_pk, alloc_status, planned_on)
        existing = set()
        for chunk in lookups(st["refs"]):
            existing.update(Child.objects.filter(local_authority_id=la_id, reference__any_of=chunk).values_list("reference", flat=True))
        from allocations.services import handover_date_problem

        tally = dict.fromkeys(("children_create", "children_update", "allocations_create"), 0)  # counted once at the end
        plan = {}  # row number -> [device pk to allocate]
        handovers = {}  # row number -> [existing planned allocation pk to hand over]
        for number, ref, wanted, on in st["pending"]:
            row_ok = True
            to_allocate = []
            to_hand_over = []
            for name, key in wanted:
                found = devices.get(key)
                if found is None or found[1] != la_id:
                    ctx.error(number, name, _("No device with this serial or ICCID is recorded for your council."))
                    ctx.count("not_found")
                    row_ok = False
                    continue
                pk, _la, status, kind, delivered = found
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
                    alloc_pk, alloc_status, planned_on = active_alloc[pk]
                    if on is not None and alloc_status == "planned":
                        problem = handover_date_problem(on, planned_on=planned_on, delivered_on=delivered)
                        if problem:
                            ctx.error(number, "handed_over_on", problem[1])
                            row_ok = False
                            continue
                        to_hand_over.append(alloc_pk)
                    else:
                        ctx.count("already_allocated")
                    continue
                if on is not None:
                    problem = handover_date_problem(on, delivered_on=delivered)
                    if problem:
                        ctx.error(number, "handed_over_on", problem[1])
                        row_ok = False
                        continue
                if status not in ALLOCATABLE or not can_transition(status, "allocated"):
                    ctx.error(number, name, _("This device's status is “%(status)s”; only delivered, in-stock or returned devices can be allocated.") % {"status": status})
                    row_ok = False
                    continue
                to_allocate.append(pk)
            if row_ok:
                plan[number] = to_allocate
                if to_hand_over:
                    handovers[number] = to_hand_over
                tally["children_update" if ref in existing else "children_create"] += 1
                tally["allocations_create"] += len(to_allocate)
                if on is not None:
                    ctx.count("handovers", len(to_allocate) + len(to_hand_over))
        # The rows without a device or a date: created or updated, nothing else.
        plain = st.pop("plain")
        updated = len(existing.intersection(plain))
        tally["children_update"] += updated
        tally["children_create"] += len(plain) - updated
        for key, n in tally.items():
            if n or (key == "allocations_create" and (plan or plain)):  # the keys a row-by-row count made
                ctx.count(key, n)
        st["plan"] = plan
        st["handovers"] = handovers
        st["existing"] = existing
        del st["pending"]

    def write(self, ctx):
        """Children in batches (create or update, with history), then allocations, device
        status and custody events in batches. Only ids are kept between batches, so memory
        stays flat however many rows there are."""
        from simple_history.utils import bulk_create_with_history, bulk_update_with_history

        from core.imports.copy import Values, create_columns_with_history, use_copy

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
        handovers = st["handovers"]
        pairs = []  # (child pk, child school pk, child reference, device pk, handover date, handed over by)
        to_hand_over = []  # (allocation pk, date, by): handed over through allocations.services.hand_over
        fast = use_copy(Child)  # PostgreSQL: new children written column by column with COPY
        defaults = {f.attname: f.get_default() for f in Child._meta.concrete_fields}
        defaults["preferred_language"] = "en"
        table = ctx.table  # every row, column by column (``core.imports.engine.Table``)
        numbers = table.numbers
        cols = {name: table.column(name) for name in (*optional, "reference", "school_urn", "dongle", "handed_over_on", "handed_over_by")}
        refs = cols["reference"]
        size = self.copy_batch_size if fast else self.batch_size
        for start in range(0, len(table), size):
            stop = min(start + size, len(table))
            old = [ref for ref in refs[start:stop] if ref in st["existing"]]
            existing = {c.reference: c for c in Child.objects.filter(local_authority=la, reference__any_of=Values(old))} if old else {}
            new, changed, by_row, objs = [], [], [], []  # by_row: (row index, child pk, school pk, reference)
            part = range(start, stop)
            if fast:
                # New children as columns: each optional value where given, else the default
                # (a blank cell never wipes anything, and a new child has nothing to wipe).
                if existing:
                    fresh = [j for j in part if refs[j] not in existing]

                    def take(name, fresh=fresh):
                        values = cols[name]
                        return [values[j] for j in fresh]

                    part = [j for j in part if refs[j] in existing]
                else:
                    fresh = part

                    def take(name, start=start, stop=stop):
                        return cols[name][start:stop]

                    part = ()
                columns = {}
                for name in optional:
                    key, default = attr.get(name, name), defaults[attr.get(name, name)]
                    columns[key] = [default if v is None or v == "" else v for v in take(name)]
                # A dongle on the row and no answer about connectivity: it is needed.
                dongles = take("dongle")
                if any(dongles):
                    columns["needs_connectivity"] = [
                        True if (given is None and dongle) else v for given, dongle, v in zip(take("needs_connectivity"), dongles, columns["needs_connectivity"])
                    ]
                columns["reference"] = take("reference")
                # No URN: the child belongs to the importing LA directly.
                columns["school_id"] = [None if u is None else schools[u] for u in take("school_urn")]
                ids = create_columns_with_history(Child, len(fresh), columns=columns, constants={"local_authority_id": la.pk}, user=user)
                by_row.extend(zip(fresh, ids, columns["school_id"], columns["reference"]))
            for j in part:
                d = table.row(j).data
                child = existing.get(d["reference"])
                if child is None:
                    child = Child(local_authority=la, reference=d["reference"], preferred_language="en")
                    if d.get("dongle") and d.get("needs_connectivity") is None:
                        child.needs_connectivity = True
                    new.append(child)
                else:
                    changed.append(child)
                if d.get("school_urn") is not None:  # blank: a new child belongs to the LA directly; a known one keeps its school
                    child.school_id = schools[d["school_urn"]]
                for name in optional:
                    value = d.get(name)
                    if value is not None and value != "":
                        setattr(child, attr.get(name, name), value)
                child.updated_at = now
                objs.append((j, child))
            if new:
                bulk_create_with_history(new, Child, batch_size=self.batch_size, default_user=user)
                if new[0].pk is None:  # backends that do not return ids
                    ids = dict(Child.objects.filter(local_authority=la, reference__in=[c.reference for c in new]).values_list("reference", "pk"))
                    for c in new:
                        c.pk = ids[c.reference]
            if changed:
                bulk_update_with_history(changed, Child, update_fields, batch_size=self.batch_size, default_user=user)
            by_row.extend((j, child.pk, child.school_id, child.reference) for j, child in objs)
            if not plan and not handovers:
                continue
            for j, child_pk, school_pk, reference in by_row:
                number = numbers[j]
                wanted, hands = plan.get(number), handovers.get(number)
                if not wanted and not hands:
                    continue
                on, by = cols["handed_over_on"][j], cols["handed_over_by"][j] or ""
                for device_pk in wanted or ():
                    pairs.append((child_pk, school_pk, reference, device_pk, on, by))
                for alloc_pk in hands or ():
                    to_hand_over.append((alloc_pk, on, by))
        note = _("Imported from %(file)s") % {"file": ctx.filename}
        for part in chunks(pairs, self.batch_size):
            devices = {d.pk: d for d in Device.objects.select_for_update().filter(pk__in=[p[3] for p in part])}
            # A handed-over row is planned on its handover date, then handed over below.
            allocations = [
                Allocation(child_id=child_pk, device_id=device_pk, status=AllocationStatus.PLANNED, planned_on=on or today, created_by=user, note=note)
                for child_pk, _s, _r, device_pk, on, _by in part
            ]
            bulk_create_with_history(allocations, Allocation, batch_size=self.batch_size, default_user=user)
            for allocation, (_c, _s, _r, device_pk, on, by) in zip(allocations, part):
                if on is not None:
                    if allocation.pk is None:  # backends that do not return ids
                        allocation = Allocation.objects.active().get(device_id=device_pk)
                    to_hand_over.append((allocation.pk, on, by))
            events = []
            for allocation, (_child_pk, school_pk, _reference, device_pk, _on, _by) in zip(allocations, part):
                device = devices[device_pk]
                if device.status not in ALLOCATABLE:  # changed since the check: refuse the whole file
                    raise RuntimeError(f"device {device_pk} changed status during the import")
                if allocation.pk is None:  # backends that do not return ids
                    allocation = Allocation.objects.active().get(device_id=device_pk)
                # The child is linked, never written into the note (the custody log is shown
                # to every school that later holds the device).
                events.append(
                    DeviceEvent(device=device, kind=DeviceEvent.Kind.ALLOCATED, from_status=device.status, to_status=DeviceStatus.ALLOCATED, actor=user, at=now, note=note, allocation=allocation)
                )
                device.status = DeviceStatus.ALLOCATED
                device.school_id = school_pk
                device.updated_at = now
            bulk_update_with_history(list(devices.values()), Device, ["status", "school", "updated_at"], batch_size=self.batch_size, default_user=user)
            DeviceEvent.objects.bulk_create(events, batch_size=self.batch_size)
        # Handovers through the same service as the handover page, with the same checks (a
        # refusal here, e.g. the database changed since the check, rolls the whole file back).
        from allocations.services import hand_over

        for alloc_pk, on, by in to_hand_over:
            hand_over(allocation=Allocation(pk=alloc_pk), on=on, handed_over_by=by, received_by="", by=user)


SPEC = AllocationSpec()
