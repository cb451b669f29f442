"""Domain writes for organisations: loading the GIAS school register.

``import_gias_schools`` reads an establishments extract from Get Information About Schools
(GIAS, https://get-information-schools.service.gov.uk/Downloads): a quoted CSV of about 140
columns, Windows-1252 as downloaded, or UTF-8 with or without a byte-order mark, with dates
written dd-mm-yyyy. It creates local authorities from ``LA (code)`` / ``LA (name)`` (GSS code
from ``GSSLACode (name)``) and upserts schools by ``URN``.

Guarantees:

- all-or-nothing: the whole file is read and checked before anything is written, and the
  writes run in one transaction, so a bad file writes nothing;
- idempotent: a second run of the same file creates and changes nothing;
- every error is reported as ``row N, column: message`` (N as a spreadsheet program numbers
  rows, the header being row 1);
- bulk writes (a few hundred statements for the 50,000-row national register), with a
  django-simple-history record for every created or changed row.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import LocalAuthority, School

#: Columns a file must have to be treated as a GIAS establishments extract.
REQUIRED_COLUMNS = (
    "URN",
    "LA (code)",
    "LA (name)",
    "EstablishmentName",
    "EstablishmentStatus (name)",
    "PhaseOfEducation (name)",
    "TypeOfEstablishment (name)",
    "Postcode",
    "OpenDate",
    "CloseDate",
)
#: Optional: older extracts and hand-trimmed files may lack it.
GSS_COLUMN = "GSSLACode (name)"

STATUS_MAP = {
    "open": School.Status.OPEN,
    "open, but proposed to close": School.Status.OPEN,
    "closed": School.Status.CLOSED,
    "proposed to open": School.Status.PROPOSED,
}
GSS_RE = re.compile(r"^[EWSN]\d{8}$")
LA_CODE_RE = re.compile(r"^\d{3}$")
# GIAS writes "Not applicable" where a field does not apply; store it as blank.
NOT_APPLICABLE = {"not applicable", "n/a"}
SCHOOL_FIELDS = ("name", "local_authority_id", "phase", "type", "status", "postcode", "open_date", "close_date")
MAX_ERRORS_REPORTED = 200
CHANGE_REASON = "GIAS import"


class GiasImportError(Exception):
    """The file is not a usable GIAS extract. ``errors`` lists every problem found."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass
class GiasImportResult:
    """What an import did (or, with ``dry_run``, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    las_created: int = 0
    las_updated: int = 0
    rows: int = 0
    dry_run: bool = False
    warnings: list = field(default_factory=list)
    #: schools the extract moves to another LA while they hold children, devices or tickets
    la_changes: list = field(default_factory=list)

    def summary(self):
        return f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}"


def decode_gias_bytes(data):
    """Text of a GIAS file: UTF-8 (with or without BOM) or Windows-1252, else an error."""
    if not data or not data.strip():
        raise GiasImportError([_("The file is empty.")])
    if b"\x00" in data[:8192]:
        raise GiasImportError([_("The file is not a CSV text file (it contains binary data). Download the establishments extract as CSV from GIAS.")])
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise GiasImportError([_("The file starts as UTF-8 but is not valid UTF-8 (byte %(pos)s).") % {"pos": exc.start + 3}]) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise GiasImportError(
            [_("The file's text encoding cannot be read (byte %(pos)s is neither UTF-8 nor Windows-1252).") % {"pos": exc.start}]
        ) from None


def _parse_date(value):
    value = value.strip()
    if not value:
        return None
    for fmt in ("%d-%m-%Y", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    raise ValueError(_("%(value)s is not a date in the form dd-mm-yyyy") % {"value": value})


def _clean_text(value):
    value = value.strip()
    return "" if value.lower() in NOT_APPLICABLE else value


def _max_length(model, name):
    return model._meta.get_field(name).max_length


def parse_gias_text(text):
    """Rows of a GIAS extract as dicts of clean values, and the LAs they name.

    Raises ``GiasImportError`` listing every problem (``row N, column: message``).
    """
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except (StopIteration, csv.Error):
        raise GiasImportError([_("The file is empty.")]) from None
    header = [h.strip().lstrip("\ufeff") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise GiasImportError(
            [
                _("This is not a GIAS establishments extract: missing column(s) %(columns)s.")
                % {"columns": ", ".join(f'"{c}"' for c in missing)}
            ]
        )
    index = {name: header.index(name) for name in REQUIRED_COLUMNS}
    gss_index = header.index(GSS_COLUMN) if GSS_COLUMN in header else None
    width = max(index.values()) + 1

    limits = {
        "EstablishmentName": _max_length(School, "name"),
        "PhaseOfEducation (name)": _max_length(School, "phase"),
        "TypeOfEstablishment (name)": _max_length(School, "type"),
        "Postcode": _max_length(School, "postcode"),
        "LA (name)": _max_length(LocalAuthority, "name"),
    }
    errors = []
    schools = []
    las = {}
    seen_urns = {}

    def error(row, column, message):
        errors.append(f"row {row}, {column}: {message}")

    try:
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            if len(cells) < width:
                error(line, "URN", _("the row has %(n)s columns but the header has %(m)s") % {"n": len(cells), "m": len(header)})
                continue
            get = {name: cells[i] for name, i in index.items()}
            row_errors = len(errors)
            for column, limit in limits.items():
                if len(get[column].strip()) > limit:
                    error(line, column, _("longer than %(limit)s characters") % {"limit": limit})

            urn_text = get["URN"].strip()
            urn = int(urn_text) if urn_text.isdigit() and 0 < int(urn_text) < 2**31 else None
            if urn is None:
                error(line, "URN", _("%(value)s is not a URN (a whole number)") % {"value": urn_text or _("blank")})
            elif urn in seen_urns:
                error(line, "URN", _("%(urn)s appears twice (also on row %(other)s)") % {"urn": urn, "other": seen_urns[urn]})
            else:
                seen_urns[urn] = line

            la_code = get["LA (code)"].strip()
            la_name = get["LA (name)"].strip()
            if not LA_CODE_RE.match(la_code):
                error(line, "LA (code)", _("%(value)s is not a three-digit LA code") % {"value": la_code or _("blank")})
            if not la_name:
                error(line, "LA (name)", _("blank"))
            name = get["EstablishmentName"].strip()
            if not name:
                error(line, "EstablishmentName", _("blank"))
            status_text = get["EstablishmentStatus (name)"].strip()
            status = STATUS_MAP.get(status_text.lower())
            if status is None:
                error(
                    line,
                    "EstablishmentStatus (name)",
                    _("%(value)s is not a GIAS status (Open, Closed, Open but proposed to close, Proposed to open)")
                    % {"value": status_text or _("blank")},
                )
            dates = {}
            for column in ("OpenDate", "CloseDate"):
                try:
                    dates[column] = _parse_date(get[column])
                except ValueError as exc:
                    error(line, column, str(exc))
            gss = cells[gss_index].strip() if gss_index is not None and gss_index < len(cells) else ""
            if len(errors) > row_errors:
                if len(errors) >= MAX_ERRORS_REPORTED:
                    errors.append(_("Stopped after %(n)s errors.") % {"n": MAX_ERRORS_REPORTED})
                    break
                continue
            if la_code not in las:
                las[la_code] = {"name": la_name, "gss_code": gss if GSS_RE.match(gss) else ""}
            schools.append(
                {
                    "row": line,
                    "urn": urn,
                    "la_code": la_code,
                    "name": name,
                    "phase": _clean_text(get["PhaseOfEducation (name)"]),
                    "type": _clean_text(get["TypeOfEstablishment (name)"]),
                    "status": status,
                    "postcode": get["Postcode"].strip().upper(),
                    "open_date": dates["OpenDate"],
                    "close_date": dates["CloseDate"],
                }
            )
    except csv.Error as exc:
        errors.append(_("row %(row)s: the CSV cannot be read (%(error)s)") % {"row": reader.line_num, "error": exc})
    if errors:
        raise GiasImportError(errors)
    if not schools:
        raise GiasImportError([_("The file has a GIAS header but no establishments.")])
    return schools, las


class GiasLaChangeRefused(GiasImportError):
    """The extract moves schools that hold children, devices or tickets to another LA, and the
    change was not confirmed (``accept_la_changes``). ``changes`` lists them (``LaChange``)."""

    def __init__(self, changes):
        self.changes = list(changes)
        super().__init__([c.message() for c in self.changes])


@dataclass
class LaChange:
    row: int
    urn: int
    name: str
    from_la: str
    to_la: str
    children: int = 0
    devices: int = 0
    tickets: int = 0

    def holdings(self):
        return _("%(children)s children, %(devices)s devices and %(tickets)s tickets") % {
            "children": self.children,
            "devices": self.devices,
            "tickets": self.tickets,
        }

    def message(self):
        return _(
            "row %(row)s, LA (code): school %(urn)s %(name)s would move from %(from)s to %(to)s, but it holds %(holdings)s. "
            "Check the change with GIAS; to make it, import again confirming the LA changes (--accept-la-changes)."
        ) % {"row": self.row, "urn": self.urn, "name": self.name, "from": self.from_la, "to": self.to_la, "holdings": self.holdings()}


def school_holdings(school_ids):
    """school pk -> (children, devices, tickets) for the given schools (three grouped queries)."""
    from django.apps import apps
    from django.db.models import Count

    out = {pk: [0, 0, 0] for pk in school_ids}
    sources = [("allocations", "Child", 0), ("devices", "Device", 1), ("support", "Ticket", 2)]
    ids = list(school_ids)
    for app_label, model_name, slot in sources:
        try:
            model = apps.get_model(app_label, model_name)
        except LookupError:
            continue
        for i in range(0, len(ids), 900):
            for school_id, n in model._base_manager.filter(school_id__in=ids[i : i + 900]).values("school_id").annotate(n=Count("pk")).values_list("school_id", "n"):
                out[school_id][slot] = n
    return {pk: tuple(v) for pk, v in out.items()}


def _la_changes(schools, existing, existing_las, las):
    """Schools the extract moves to another LA that hold children, devices or tickets."""
    moves = []
    for row in schools:
        current = existing.get(row["urn"])
        if current is None:
            continue
        target = existing_las.get(row["la_code"])
        if target is None or target.pk != current[1][1]:
            moves.append((row, current))
    if not moves:
        return []
    holdings = school_holdings([current[0] for _row, current in moves])
    la_by_id = LocalAuthority.objects.in_bulk({current[1][1] for _row, current in moves})
    changes = []
    for row, current in moves:
        children, devices, tickets = holdings[current[0]]
        if children or devices or tickets:
            old = la_by_id.get(current[1][1])
            changes.append(
                LaChange(
                    row=row["row"],
                    urn=row["urn"],
                    name=row["name"],
                    from_la=f"{old.name} ({old.code})" if old else "?",
                    to_la=f"{las[row['la_code']]['name']} ({row['la_code']})",
                    children=children,
                    devices=devices,
                    tickets=tickets,
                )
            )
    return changes


def import_gias_schools(*, data, dry_run=False, by=None, accept_la_changes=False):
    """Load a GIAS extract (``data``: the file's bytes). Upsert LAs by code, schools by URN.

    Nothing is written when the file has any error (``GiasImportError``) or with ``dry_run``.
    A school that holds children, devices or tickets is never moved to another LA silently:
    unless ``accept_la_changes`` (``True`` for every such move, or the URNs of the moves the
    admin confirmed: a move not among them, such as one that appeared since the check,
    refuses the whole file), such moves raise ``GiasLaChangeRefused`` (nothing written; a dry
    run lists them in ``result.la_changes``). When accepted, the school's children move
    to its new LA with it (a child's LA is its school's); devices stay owned by the LA that
    received them. ``by`` is recorded as the acting user in the audit history.
    """
    schools, las = parse_gias_text(decode_gias_bytes(data))
    result = GiasImportResult(rows=len(schools), dry_run=dry_run)

    with transaction.atomic():
        existing_las = {la.code: la for la in LocalAuthority.objects.select_for_update().filter(code__in=list(las))}
        new_las, changed_las = [], []
        for code, values in las.items():
            la = existing_las.get(code)
            if la is None:
                new_las.append(LocalAuthority(code=code, **values))
                continue
            gss = values["gss_code"] or la.gss_code
            if la.name != values["name"] or la.gss_code != gss:
                la.name, la.gss_code = values["name"], gss
                changed_las.append(la)
        result.las_created, result.las_updated = len(new_las), len(changed_las)

        existing = {}
        for row in School.objects.values_list("pk", "urn", *SCHOOL_FIELDS).iterator(chunk_size=5000):
            existing[row[1]] = (row[0], row[2:])

        result.la_changes = _la_changes(schools, existing, existing_las, las)
        if accept_la_changes is True:
            unconfirmed = []
        else:
            confirmed = set(accept_la_changes or ())
            unconfirmed = [c for c in result.la_changes if c.urn not in confirmed]
        if unconfirmed and not dry_run:
            raise GiasLaChangeRefused(unconfirmed)

        if dry_run:
            la_ids = {code: la.pk for code, la in existing_las.items()}
            for row in schools:
                current = existing.get(row["urn"])
                if current is None:
                    result.created += 1
                elif la_ids.get(row["la_code"]) is None or current[1] != _values(row, la_ids[row["la_code"]]):
                    result.updated += 1
                else:
                    result.unchanged += 1
            transaction.set_rollback(True)
            return result

        if new_las:
            bulk_create_with_history(new_las, LocalAuthority, default_user=by, default_change_reason=CHANGE_REASON)
        if changed_las:
            bulk_update_with_history(
                changed_las, LocalAuthority, ["name", "gss_code"], default_user=by, default_change_reason=CHANGE_REASON
            )
        la_ids = dict(LocalAuthority.objects.filter(code__in=list(las)).values_list("code", "pk"))

        to_create, to_update = [], []
        for row in schools:
            la_id = la_ids[row["la_code"]]
            values = _values(row, la_id)
            current = existing.get(row["urn"])
            if current is None:
                to_create.append(School(urn=row["urn"], **dict(zip(SCHOOL_FIELDS, values))))
            elif current[1] != values:
                to_update.append(School(pk=current[0], urn=row["urn"], **dict(zip(SCHOOL_FIELDS, values))))
            else:
                result.unchanged += 1
        if to_create:
            bulk_create_with_history(
                to_create, School, batch_size=2000, default_user=by, default_change_reason=CHANGE_REASON
            )
        if to_update:
            bulk_update_with_history(
                to_update, School, list(SCHOOL_FIELDS), batch_size=500, default_user=by, default_change_reason=CHANGE_REASON
            )
        result.created, result.updated = len(to_create), len(to_update)
        if result.la_changes:
            _move_children_with_schools([c.urn for c in result.la_changes], by)
    return result


def _move_children_with_schools(urns, by):
    """After accepted LA changes: each child of those schools belongs to the school's new LA."""
    from allocations.models import Child

    schools = dict(School.objects.filter(urn__in=urns).values_list("pk", "local_authority_id"))
    moved = []
    for child in Child.objects.filter(school_id__in=list(schools)):
        if child.local_authority_id != schools[child.school_id]:
            child.local_authority_id = schools[child.school_id]
            moved.append(child)
    if moved:
        bulk_update_with_history(moved, Child, ["local_authority"], batch_size=500, default_user=by, default_change_reason=CHANGE_REASON)


def _values(row, la_id):
    return (
        row["name"],
        la_id,
        row["phase"],
        row["type"],
        row["status"],
        row["postcode"],
        row["open_date"],
        row["close_date"],
    )


# --------------------------------------------------------------------------- closed schools and their successors


def parse_gias_links(data):
    """(closed URN, successor URN) pairs from a GIAS links download (``URN``, ``LinkURN``,
    ``LinkType``: "Successor", "Successor - merged", ...). Raises ``GiasImportError``."""
    text = decode_gias_bytes(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [f.strip().lstrip("\ufeff") for f in (reader.fieldnames or [])]
    if not {"URN", "LinkURN", "LinkType"} <= set(fields):
        raise GiasImportError([_("This is not a GIAS links file: it needs the columns URN, LinkURN and LinkType.")])
    reader.fieldnames = fields
    pairs = []
    for row in reader:
        urn, link, kind = (row.get("URN") or "").strip(), (row.get("LinkURN") or "").strip(), (row.get("LinkType") or "").strip().lower()
        if urn.isdigit() and link.isdigit() and kind.startswith("successor") and len(urn) < 10 and len(link) < 10:
            pairs.append((int(urn), int(link)))
    return pairs


def closed_with_successor(links_data):
    """Closed schools that still hold children, devices or tickets and have a successor:
    ``[(school, successor, (children, devices, tickets))]``, by URN."""
    pairs = dict(parse_gias_links(links_data))
    schools = School.objects.select_related("local_authority").in_bulk({*pairs, *pairs.values()}, field_name="urn")
    closed = {urn: s for urn, s in schools.items() if urn in pairs and s.status == School.Status.CLOSED and pairs[urn] in schools}
    holdings = school_holdings([s.pk for s in closed.values()])
    out = []
    for urn in sorted(closed):
        school = closed[urn]
        held = holdings[school.pk]
        if any(held):
            out.append((school, schools[pairs[urn]], held))
    return out


def record_successors(*, data, by=None):
    """Record each school's GIAS successor from a links download (``parse_gias_links``) on
    ``School.successor``, with a history record per change. Pairs naming a URN we do not hold
    are skipped. Returns ``(recorded, unchanged, skipped)``. Raises ``GiasImportError``."""
    pairs = parse_gias_links(data)
    with transaction.atomic():
        urns = {urn for pair in pairs for urn in pair}
        found = list(School.objects.filter(urn__in=list(urns)).only("pk", "urn", "successor_id"))
        schools = {s.urn: s for s in found}
        changed, unchanged, skipped = [], 0, 0
        for urn, link in pairs:
            school, successor = schools.get(urn), schools.get(link)
            if school is None or successor is None or school.pk == successor.pk:
                skipped += 1
            elif school.successor_id == successor.pk:
                unchanged += 1
            else:
                school.successor_id = successor.pk
                changed.append(school)
        if changed:
            bulk_update_with_history(changed, School, ["successor"], batch_size=500, default_user=by, default_change_reason=_("GIAS links"))
    return len(changed), unchanged, skipped


class SuccessorMoveRefused(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def successor_move_problems(*, school, successor):
    """Why ``school``'s children and devices cannot move to ``successor`` (empty: they can).

    The confirmation page shows these as warnings and ``move_to_successor`` refuses with the
    first, so the page and the move apply one rule."""
    from allocations.models import Child
    from devices.models import Device

    problems = []
    if school.status != School.Status.CLOSED:
        problems.append(_("%(name)s is not closed, so its children and devices stay with it.") % {"name": school.name})
    if successor is None:
        return [*problems, _("GIAS names no successor for %(name)s, so there is nowhere to move its children and devices.") % {"name": school.name}]
    if school.pk == successor.pk:
        return [_("A school cannot be its own successor.")]
    if successor.status == School.Status.CLOSED:
        problems.append(_("%(name)s is closed too: choose an open successor.") % {"name": successor.name})
    if school.local_authority_id != successor.local_authority_id:
        problems.append(
            _(
                "%(new)s is in %(la)s, another council. Children and devices cannot move between councils here: the two "
                "councils agree the transfer and an administrator makes it."
            )
            % {"new": successor.name, "la": successor.local_authority.name}
        )
    if not problems and not (Child.objects.filter(school=school).exists() or Device.objects.filter(school=school).exists()):
        problems.append(
            _("%(name)s holds no children or devices: nothing is left to move (they may have been moved already).") % {"name": school.name}
        )
    return problems


@transaction.atomic
def move_to_successor(*, school, successor=None, by=None):
    """Move a closed school's children and devices to its successor (``successor``, or the one
    GIAS names, ``school.successor``), in one transaction.

    Guarantees: ``school`` is closed and ``successor`` is not; both are in the same LA (a move
    between councils is theirs to agree, not an import's); there is something to move (a
    second call moves nothing and is refused); each child and device is re-pointed with a
    history record naming the move; allocations follow their children; tickets stay where
    they were raised. Returns ``(children, devices)`` moved. Refusals raise
    ``SuccessorMoveRefused`` (``successor_move_problems``), with nothing changed.
    """
    from allocations.models import Child
    from devices.models import Device

    school = School.objects.select_for_update().select_related("local_authority").get(pk=school.pk)
    successor_pk = successor.pk if successor is not None else school.successor_id
    successor = School.objects.select_for_update().select_related("local_authority").get(pk=successor_pk) if successor_pk else None
    problems = successor_move_problems(school=school, successor=successor)
    if problems:
        raise SuccessorMoveRefused(problems[0])
    children = list(Child.objects.select_for_update().filter(school=school).order_by("pk"))
    devices = list(Device.objects.select_for_update().filter(school=school).order_by("pk"))
    for c in children:
        c.school = successor
    for d in devices:
        d.school = successor
    reason = _("Moved from closed school %(urn)s to its successor %(new)s") % {"urn": school.urn, "new": successor.urn}
    if children:
        bulk_update_with_history(children, Child, ["school"], batch_size=500, default_user=by, default_change_reason=reason)
    if devices:
        bulk_update_with_history(devices, Device, ["school"], batch_size=500, default_user=by, default_change_reason=reason)
    return len(children), len(devices)


@dataclass
class GiasUploadResult:
    """What an admin's upload of an extract (and optionally the links file) did or would do."""

    schools: GiasImportResult
    successors: tuple = (0, 0, 0)  # recorded, unchanged, skipped (``record_successors``)
    links_pairs: int = 0


def import_gias(*, data, links=None, dry_run=False, accept_la_changes=False, by=None):
    """The admin page's import: ``import_gias_schools`` and, when a links download is given,
    ``record_successors`` after it, in one transaction (all or nothing). A dry run checks
    both files and writes nothing. Raises ``GiasImportError`` / ``GiasLaChangeRefused``."""
    with transaction.atomic():
        result = GiasUploadResult(schools=import_gias_schools(data=data, dry_run=dry_run, accept_la_changes=accept_la_changes, by=by))
        if links:
            result.links_pairs = len(parse_gias_links(links))
            if not dry_run:
                result.successors = record_successors(data=links, by=by)
    return result


# The admins' page checks an extract and imports it on a second request: the files checked are
# kept in storage (private, under MEDIA_ROOT/gias/) with their sha256, so the import is of
# exactly the bytes checked.


def stage_gias_files(*, data, links, result):
    """Keep the checked files; returns what the confirmation needs (a token, the stored paths,
    their sha256, and the URNs of the LA changes the admin was shown)."""
    import hashlib
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    token = uuid.uuid4().hex
    files = {name: content for name, content in (("file", data), ("links", links)) if content is not None}
    return {
        "token": token,
        "paths": {name: default_storage.save(f"gias/{token}-{name}.csv", ContentFile(content)) for name, content in files.items()},
        "sha256": {name: hashlib.sha256(content).hexdigest() for name, content in files.items()},
        "la_changes": [c.urn for c in result.schools.la_changes],
    }


def read_staged_gias(check):
    """``(extract, links)`` as checked, or ``(None, None)`` when a file is gone or changed."""
    import hashlib

    from django.core.files.storage import default_storage

    out = {}
    for name, path in (check or {}).get("paths", {}).items():
        try:
            with default_storage.open(path, "rb") as f:
                content = f.read()
        except OSError:
            return None, None
        if hashlib.sha256(content).hexdigest() != check["sha256"].get(name):
            return None, None
        out[name] = content
    return out.get("file"), out.get("links")


def discard_staged_gias(check):
    from django.core.files.storage import default_storage

    for path in (check or {}).get("paths", {}).values():
        try:
            default_storage.delete(path)
        except OSError:
            pass


# --------------------------------------------------------------------------- single sign-on


@transaction.atomic
def sign_in_with_identity(*, provider, claims):
    """The user for an identity a provider vouched for (``accounts.sso``), with the role and scope
    its organisation claims give, set again at every sign-in.

    The user is found by the provider's subject (``ExternalIdentity``), never by e-mail address;
    a first sign-in creates a user without a usable password. Guarantees: the scope is exactly
    the one the claim gives (``provider.scope_for``), never administration or every LA; an
    unknown organisation, an administrator's or a turned-off account raises ``SsoRefused``."""
    import hashlib

    from django.utils import timezone

    from accounts.models import ExternalIdentity, User
    from accounts.sso import SsoRefused

    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise SsoRefused("claims", "no subject")
    scope = provider.scope_for(claims)
    identity = ExternalIdentity.objects.select_for_update().select_related("user").filter(provider=provider.name, subject=subject).first()

    def text(name, limit):
        value = claims.get(name)
        return value.strip()[:limit] if isinstance(value, str) else ""

    if identity is None:
        digest = hashlib.sha256(f"{provider.name}\n{subject}".encode()).hexdigest()[:24]
        user = User(username=f"sso-{provider.name}-{digest}")
        user.set_unusable_password()
        identity = ExternalIdentity(user=user, provider=provider.name, subject=subject)
    else:
        user = identity.user
        if user.is_superuser or user.is_staff or user.role == "admin":
            raise SsoRefused("administrator", f"user {user.pk} is an administrator")
        if not user.is_active:
            raise SsoRefused("inactive", f"user {user.pk} is turned off")
    user.email = text("email", 254) or user.email
    user.first_name = text("given_name", 150) or user.first_name
    user.last_name = text("family_name", 150) or user.last_name
    user.role = scope.role
    user.local_authority = scope.local_authority
    user.school = scope.school
    user.network_operator = None
    user.is_safeguarding_lead = False if identity.pk is None else user.is_safeguarding_lead
    user.save()
    identity.user = user
    identity.organisation = scope.organisation[:255]
    identity.last_sign_in = timezone.now()
    identity.save()
    return user
