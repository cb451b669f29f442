"""Status updates from a network, many at once: the checks and the writes shared by the CSV
upload (``connectivity.status_imports``, through the import engine), the API's bulk update
(``connectivity.api.NetworkStatusUpdateView``) and the ``network_statuses`` benchmark.

Each row names a request by its reference (``NR-000123``) or by its SIM's ICCID (the SIM's one
open request), a new status, a problem code (with "Problem" only) and a note. The rules are
those of ``connectivity.services``: the move must be in ``services.MOVES`` for the network's
side (``services.check_move``, the same function ``move_request`` calls). A request of another
network is refused in the same words as a request that does not exist, so a network cannot
learn another's references or ICCIDs. All or nothing: ``apply`` writes only a plan without a
single error, and refuses (writing nothing) if any request changed since it was checked.

The writes are set-based, not ``move_request`` per row (measured in docs/performance.md,
"Network status files"): the requests are locked in primary-key order and their statuses
compared with the checked ones, then one ``UPDATE`` per (status, problem), the events by
``COPY`` on PostgreSQL (``bulk_create`` elsewhere), and what a finished request does to its SIM
(``services.SIM_STATUS_WHEN_DONE``) with the SIMs' history.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connections, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connectivity import services
from connectivity.models import NetworkRequest, NetworkRequestEvent, Sim
from core.imports.copy import Values

R = NetworkRequest.Status
MAX_NOTE = 2000
BATCH = 20_000


def _fold(value):
    return " ".join(str(value or "").replace("_", " ").replace("-", " ").lower().split())


#: Typed text -> status code: the code ("in_progress") or the label, in English or the reader's language.
def status_options():
    options = {}
    for code, label in R.choices:
        options[_fold(code)] = code
        options[_fold(label)] = code
    return options


def problem_options():
    options = {}
    for code, label in NetworkRequest.Problem.choices:
        options[_fold(code)] = code
        options[_fold(label)] = code
    return options


class RowProblem(Exception):
    """One row's problem: ``column`` is the field name (reference, status, problem, note)."""

    def __init__(self, column, message):
        super().__init__(message)
        self.column, self.message = column, message


@dataclass(slots=True)
class Planned:
    pk: int
    from_status: str
    to_status: str
    problem: str
    note: str
    kind: str
    sim_id: int | None


@dataclass
class Checker:
    """Checks rows against one network's requests, loaded in two queries."""

    network_id: int
    requests: dict = field(default_factory=dict)  # pk -> (status, kind, sim_id)
    open_by_iccid: dict = field(default_factory=dict)  # iccid -> [pk of open requests]
    seen: dict = field(default_factory=dict)  # pk -> first row number naming it
    plan: list = field(default_factory=list)

    def __post_init__(self):
        self._status_options, self._problem_options = status_options(), problem_options()
        # services.MOVES for the network's side, read once: a row whose move is allowed needs no
        # call; any other row goes through services.check_move for its reason.
        self._allowed = {status: frozenset(services.allowed_moves(status, services.NETWORK)) for status in services.MOVES}
        self._folded = {}
        rows = NetworkRequest.objects.filter(network_id=self.network_id).values_list("pk", "status", "kind", "sim_id", "sim__iccid")
        open_ = set(NetworkRequest.OPEN_STATUSES)
        for pk, status, kind, sim_id, iccid in rows.iterator(chunk_size=10_000):
            self.requests[pk] = (status, kind, sim_id)
            if iccid and status in open_:
                self.open_by_iccid.setdefault(iccid, []).append(pk)

    def _fold(self, value):
        folded = self._folded.get(value)
        if folded is None:
            folded = self._folded[value] = _fold(value)
        return folded

    def resolve(self, reference):
        text = "".join(str(reference or "").split()).upper()
        if not text:
            raise RowProblem("reference", _("Give the request's reference (like NR-000123) or the SIM's ICCID."))
        if text.startswith("NR-") or text.startswith("NR"):
            digits = text[3:] if text.startswith("NR-") else text[2:]
            if digits.isdigit() and int(digits) in self.requests:
                return int(digits)
            if digits.isdigit():
                raise RowProblem("reference", _("There is no request %(ref)s for your network.") % {"ref": text[:20]})
        digits = text.replace("-", "")
        if digits.isdigit() and 18 <= len(digits) <= 22:
            pks = self.open_by_iccid.get(digits, [])
            if not pks:
                raise RowProblem("reference", _("No open request for a SIM with ICCID %(iccid)s is on your network.") % {"iccid": digits})
            if len(pks) > 1:
                raise RowProblem("reference", _("SIM %(iccid)s has %(n)s open requests: give the request's reference instead.") % {"iccid": digits, "n": len(pks)})
            return pks[0]
        raise RowProblem("reference", _("“%(value)s” is neither a request reference (like NR-000123) nor an ICCID.") % {"value": str(reference)[:30]})

    def check(self, number, reference, status, problem="", note=""):
        """Check one row; returns the ``Planned`` move, or raises ``RowProblem``."""
        pk = self.resolve(reference)
        to_status = self._status_options.get(self._fold(status))
        if not to_status:
            raise RowProblem("status", _("“%(value)s” is not a request status.") % {"value": str(status or "")[:30]} if status else _("Give the new status."))
        code = ""
        if problem not in (None, ""):
            code = self._problem_options.get(self._fold(problem))
            if not code:
                raise RowProblem("problem", _("“%(value)s” is not one of the problem codes.") % {"value": str(problem)[:30]})
        note = str(note or "").strip()
        if len(note) > MAX_NOTE:
            raise RowProblem("note", _("The note is longer than %(max)s characters.") % {"max": MAX_NOTE})
        if pk in self.seen:
            raise RowProblem("reference", _("Request %(ref)s is also on row %(row)s: give each request once.") % {"ref": f"NR-{pk:06d}", "row": self.seen[pk]})
        self.seen[pk] = number
        from_status, kind, sim_id = self.requests[pk]
        fine = to_status in self._allowed.get(from_status, ()) and (bool(code) == (to_status == R.PROBLEM))
        try:
            if not fine:
                services.check_move(_Request(pk, from_status), to_status, side=services.NETWORK, problem=code)
        except services.MoveNotAllowed as exc:
            column = "problem" if to_status in services.allowed_moves(from_status, services.NETWORK) else "status"
            raise RowProblem(column, " ".join(exc.messages))
        planned = Planned(pk, from_status, to_status, code, note, kind, sim_id)
        self.plan.append(planned)
        return planned


class _Request:
    """What ``services.check_move`` reads of a request, without loading the row."""

    __slots__ = ("pk", "status")

    def __init__(self, pk, status):
        self.pk, self.status = pk, status

    @property
    def reference(self):
        return f"NR-{self.pk:06d}"


class Changed(Exception):
    """A request moved between the check and the write: nothing was written."""


@transaction.atomic
def apply(plan, *, by=None, at=None):
    """Write a checked plan, all or nothing: lock the requests (primary-key order), refuse with
    ``Changed`` if any status differs from the one checked, then update, log and finish.
    Returns the number of requests moved."""
    if not plan:
        return 0
    at = at or timezone.now()
    actor_id = by.pk if getattr(by, "pk", None) else None
    expected = {p.pk: p.from_status for p in plan}
    pks = sorted(expected)
    for i in range(0, len(pks), BATCH):
        chunk = pks[i:i + BATCH]
        locked = NetworkRequest.objects.select_for_update().filter(pk__any_of=Values(chunk)).order_by("pk").values_list("pk", "status")
        for pk, status in locked:
            if expected[pk] != status:
                raise Changed(_("Request %(ref)s changed while the file was being checked: check the file again.") % {"ref": f"NR-{pk:06d}"})
    groups = defaultdict(list)
    for p in plan:
        groups[(p.to_status, p.problem)].append(p.pk)
    for (to_status, problem), ids in groups.items():
        for i in range(0, len(ids), BATCH):
            NetworkRequest.objects.filter(pk__any_of=Values(ids[i:i + BATCH])).update(status=to_status, problem=problem, changed_at=at)
    _log(plan, actor_id=actor_id, at=at)
    _finish_sims(plan, by=by)
    _tell_families(plan, by=by)
    return len(plan)


def _tell_families(plan, *, by):
    """Text the families, as ``services.move_request`` does for one request (the same rule,
    ``services.family_text``, and the same idempotency keys): those of requests about a child
    that are now done, or have a problem the family can put right. Set-wise: per 20,000
    requests, one query for the requests with their children, one for their latest events,
    then one batched ``send_to_families`` per kind of text."""
    from messaging.services import send_to_families

    ids = [p.pk for p in plan if p.to_status == R.DONE or (p.to_status == R.PROBLEM and p.problem in NetworkRequest.FAMILY_PROBLEMS)]
    sent_by = by if getattr(by, "pk", None) else None
    for i in range(0, len(ids), BATCH):
        chunk = ids[i:i + BATCH]
        requests = list(
            NetworkRequest.objects.filter(pk__any_of=Values(chunk), child__isnull=False, child__anonymised_at__isnull=True)
            .select_related("child", "network", "local_authority", "school")
        )
        if not requests:
            continue
        latest = dict(
            NetworkRequestEvent.objects.order_by().filter(request_id__any_of=Values([r.pk for r in requests]))
            .values("request_id").annotate(last=Max("pk")).values_list("request_id", "last")
        )
        texts = defaultdict(list)
        for request in requests:
            found = services.family_text(request, latest.get(request.pk))
            if found is not None:
                texts[found[0]].append(found[1])
        for template, items in texts.items():
            send_to_families(template=template, channel="sms", items=items, sent_by=sent_by)


def _log(plan, *, actor_id, at):
    from core.imports.copy import _copy, use_copy

    if use_copy(NetworkRequestEvent):
        meta = NetworkRequestEvent._meta
        names = ["request", "from_status", "to_status", "problem", "note", "actor", "by_network", "at"]
        fields = [meta.get_field(n) for n in names]
        rows = ((p.pk, p.from_status, p.to_status, p.problem, p.note, actor_id, True, at) for p in plan)
        _copy(connections[NetworkRequestEvent.objects.db], meta.db_table, fields, rows)
        return
    if connections[NetworkRequestEvent.objects.db].vendor == "sqlite":
        _log_on_sqlite(plan, actor_id=actor_id, at=at)
        return
    NetworkRequestEvent.objects.bulk_create(
        (NetworkRequestEvent(request_id=p.pk, from_status=p.from_status, to_status=p.to_status, problem=p.problem,
                             note=p.note, actor_id=actor_id, by_network=True, at=at) for p in plan),
        batch_size=2000,
    )


def _log_on_sqlite(plan, *, actor_id, at):
    """The events as plain rows through ``executemany`` (one prepared INSERT): the ORM's
    ``bulk_create`` builds a model instance and prepares every field of every row, two thirds
    of a 100,000-row commit on SQLite. The values are the same (the column defaults are none:
    every column is given)."""
    connection = connections[NetworkRequestEvent.objects.db]
    meta = NetworkRequestEvent._meta
    qn = connection.ops.quote_name
    names = ["request", "from_status", "to_status", "problem", "note", "actor", "by_network", "at"]
    columns = ", ".join(qn(meta.get_field(n).column) for n in names)
    sql = f"INSERT INTO {qn(meta.db_table)} ({columns}) VALUES ({', '.join(['%s'] * len(names))})"
    when = connection.ops.adapt_datetimefield_value(at)
    rows = [(p.pk, p.from_status, p.to_status, p.problem, p.note[:2000], actor_id, True, when) for p in plan]
    with connection.cursor() as cursor:
        for i in range(0, len(rows), BATCH):
            cursor.executemany(sql, rows[i:i + BATCH])


def _finish_sims(plan, *, by):
    """What a finished request does to its SIM, as ``services.move_request`` does for one."""
    from simple_history.utils import bulk_update_with_history

    wanted = {}
    for p in plan:
        new_status = services.SIM_STATUS_WHEN_DONE.get(p.kind)
        if p.to_status == R.DONE and new_status and p.sim_id:
            wanted[p.sim_id] = new_status
    if not wanted:
        return
    ids = sorted(wanted)
    from core.imports.copy import use_copy

    if use_copy(Sim) or connections[Sim.objects.db].vendor == "sqlite":
        _finish_sims_setwise(wanted, ids, by=by)
        return
    sims = []
    for i in range(0, len(ids), BATCH):
        for sim in Sim.objects.select_for_update().filter(pk__any_of=Values(ids[i:i + BATCH])).order_by("pk"):
            if sim.status != wanted[sim.pk]:
                sim.status = wanted[sim.pk]
                sims.append(sim)
    if sims:
        bulk_update_with_history(sims, Sim, ["status"], batch_size=2000, default_user=by if getattr(by, "pk", None) else None)


def _finish_sims_setwise(wanted, ids, *, by):
    """One locked ``UPDATE`` per new status, and the SIMs' "~" history rows made by the server
    from the rows just updated (``INSERT ... SELECT``, as ``core.imports.copy`` does for "+"),
    on PostgreSQL and on SQLite (3.35+ for ``RETURNING``; the ids, integers we hold, are
    written into the statement there)."""
    connection = connections[Sim.objects.db]
    pg = connection.vendor == "postgresql"
    history = Sim.history.model
    qn = connection.ops.quote_name
    tracked = [f.column for f in history._meta.concrete_fields if not f.attname.startswith("history_")]
    own = ["history_date", "history_type", "history_change_reason", "history_user_id"]
    reason = "" if not history._meta.get_field("history_change_reason").null else None
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    by_status = defaultdict(list)
    for pk in ids:
        by_status[wanted[pk]].append(pk)
    for new_status, pks in by_status.items():
        for i in range(0, len(pks), BATCH):
            chunk = ",".join(str(int(pk)) for pk in pks[i:i + BATCH])
            with connection.cursor() as cursor:
                if pg:
                    where, params = "id = ANY(string_to_array(%s, ',')::bigint[])", [chunk]
                else:
                    where, params = f"id IN ({chunk})", []
                cursor.execute(
                    f"UPDATE {qn(Sim._meta.db_table)} SET {qn('status')} = %s WHERE {where} "
                    f"AND {qn('status')} <> %s RETURNING id",
                    [new_status, *params, new_status],
                )
                changed = sorted(int(row[0]) for row in cursor.fetchall())
                if not changed:
                    continue
                done = ",".join(map(str, changed))
                where, params = ("id = ANY(string_to_array(%s, ',')::bigint[])", [done]) if pg else (f"id IN ({done})", [])
                cursor.execute(
                    f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(qn(c) for c in tracked)}, {', '.join(qn(history._meta.get_field(n).column) for n in own)}) "
                    f"SELECT {', '.join(qn(c) for c in tracked)}, %s, '~', %s, %s FROM {qn(Sim._meta.db_table)} "
                    f"WHERE {where} ORDER BY id",
                    [now, reason, getattr(by, "pk", None), *params],
                )


def check_rows(network_id, rows):
    """Check ``rows`` (dicts with reference, status, problem, note), numbered from 1; returns
    (plan, errors) with errors as dicts of row, column and message."""
    checker, errors = Checker(network_id), []
    for number, row in enumerate(rows, start=1):
        try:
            checker.check(number, row.get("reference"), row.get("status"), row.get("problem", ""), row.get("note", ""))
        except RowProblem as exc:
            errors.append({"row": number, "column": exc.column, "message": str(exc.message)})
    return checker.plan, errors


COLUMN_LABELS = {
    "reference": gettext_lazy("Request or ICCID"),
    "status": gettext_lazy("Status"),
    "problem": gettext_lazy("Problem code"),
    "note": gettext_lazy("Note"),
}
