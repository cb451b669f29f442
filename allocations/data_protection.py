"""Subject access: everything held about one child, gathered for export.

What is included: the child's record (personal fields included, since the request comes from
the data subject or their parent or carer), every allocation, the custody-log entries of each
allocated device for the period it was allocated to this child, the child's change history
(which excludes names and contact details by design) and, when the support app records them,
tickets linked to the child.
"""

import datetime
import io

from django.apps import apps
from django.db.models import Q
from django.utils import timezone

from allocations.models import Child
from devices.models import DeviceEvent


def _value(value):
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return value


def _row(obj, fields):
    return {name: _value(getattr(obj, name)) for name in fields}


CHILD_FIELDS = (
    "reference", "first_name", "last_name", "year_group", "preferred_language", "guardian_name", "guardian_phone",
    "guardian_email", "eligibility", "needs_laptop", "needs_connectivity", "created_at", "updated_at", "anonymised_at",
)
ALLOCATION_FIELDS = ("id", "status", "planned_on", "handed_over_on", "handed_over_by", "received_by", "ended_on", "note", "created_at")


def subject_access_data(child, *, user=None):
    """A JSON-ready dict of everything held about ``child``."""
    child = Child.objects.select_related("school", "local_authority").get(pk=child.pk)
    record = _row(child, CHILD_FIELDS)
    # ``None``: the child belongs to the LA directly (no school).
    record["school"] = {"urn": child.school.urn, "name": child.school.name} if child.school_id else None
    record["local_authority"] = {"code": child.local_authority.code, "name": child.local_authority.name}
    allocations = list(child.allocations.select_related("device").order_by("created_at", "pk"))
    events = []
    for allocation in allocations:
        qs = DeviceEvent.objects.filter(device_id=allocation.device_id, at__date__gte=allocation.planned_on or allocation.created_at.date())
        # Not another child's entries (an allocation cancelled and the device reallocated the same day).
        qs = qs.filter(Q(allocation__isnull=True) | Q(allocation=allocation))
        if allocation.ended_on:
            qs = qs.filter(at__date__lte=allocation.ended_on)
        for event in qs.order_by("at", "pk"):
            events.append({
                "allocation": allocation.id, "device_serial": allocation.device.serial, "event": event.kind,
                "from_status": event.from_status, "to_status": event.to_status, "at": _value(event.at), "note": event.note,
            })
    history = [
        {"changed_at": _value(h.history_date), "change": h.get_history_type_display(), **{f: _value(getattr(h, f)) for f in (
            "reference", "year_group", "preferred_language", "eligibility", "needs_laptop", "needs_connectivity", "anonymised_at")}}
        for h in child.history.order_by("history_date")
    ]
    return {
        "generated_at": _value(timezone.now()),
        "generated_by": user.get_username() if user is not None else "",
        "child": record,
        "allocations": [
            {**_row(a, ALLOCATION_FIELDS), "device": {"kind": a.device.kind, "make": a.device.make, "model": a.device.model,
                                                     "serial": a.device.serial, "ownership": a.device.ownership},
             "replaces": a.replaces_id}
            for a in allocations
        ],
        "device_events": events,
        "handover_acceptances": _acceptances(allocations),
        "record_history": history,
        "support_tickets": _tickets(child),
    }


def _acceptances(allocations):
    """The family's signed acceptances: who signed, how, when and for which kit (the signature
    image itself is in the acceptance PDF, which staff can print from the allocation page)."""
    from allocations.models import HandoverAcceptance

    rows = HandoverAcceptance.objects.filter(allocation__in=allocations).order_by("signed_at")
    return [
        {"allocation": a.allocation_id, "language": a.language, "signed_by": a.guardian_name, "method": a.method,
         "kit_items": a.kit_items, "signed_at": _value(a.signed_at), "has_signature_image": bool(a.signature_png),
         "removed_at": _value(a.removed_at)}
        for a in rows
    ]


#: Ticket fields never exported: a credential, not information about the child.
TICKET_FIELDS_EXCLUDED = {"access_token_hash"}


def _tickets(child):
    """Tickets linked to the child, with their public replies.

    Internal staff notes are left out, and a safeguarding ticket is listed without its
    description or messages: both need review by the safeguarding lead before disclosure
    (see docs/data-protection.md).
    """
    try:
        ticket_model = apps.get_model("support", "Ticket")
    except LookupError:
        return []
    if "child" not in {f.name for f in ticket_model._meta.get_fields()}:
        return []
    tickets = []
    for ticket in ticket_model.objects.filter(child=child).prefetch_related("messages").order_by("pk"):
        row = {f.attname: _value(getattr(ticket, f.attname)) for f in ticket._meta.concrete_fields if f.attname not in TICKET_FIELDS_EXCLUDED}
        if getattr(ticket, "is_safeguarding", False):
            row["description"] = "[withheld pending safeguarding review]"
            row["messages"] = "[withheld pending safeguarding review]"
        else:
            row["messages"] = [
                {"sent": _value(m.created_at), "from_requester": m.from_requester, "language": m.language, "body": m.body}
                for m in ticket.messages.all() if m.kind == "public"
            ]
        tickets.append(row)
    return tickets


def subject_access_xlsx(data):
    """The same data as a workbook: one sheet per section."""
    from openpyxl import Workbook

    from core.exports import neutralise

    wb = Workbook()
    ws = wb.active
    ws.title = "Child"
    ws.append(["Field", "Value"])
    for key, value in data["child"].items():
        ws.append([key, neutralise(str(value) if isinstance(value, dict) else value)])
    for title, rows in (("Allocations", data["allocations"]), ("Device events", data["device_events"]),
                        ("Handover acceptances", data.get("handover_acceptances", [])),
                        ("Record history", data["record_history"]), ("Support tickets", data["support_tickets"])):
        sheet = wb.create_sheet(title)
        if not rows:
            sheet.append(["None held"])
            continue
        headers = list(rows[0].keys())
        sheet.append(headers)
        for row in rows:
            sheet.append([neutralise(str(row.get(h)) if isinstance(row.get(h), (dict, list)) else row.get(h)) for h in headers])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
