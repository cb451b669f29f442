"""Summary tables for the national figures, kept by the database.

At two million devices the London view, the cliff edge and the children figures cannot be
worked out from the source tables within a page's budget. These tables hold the counts instead:

* ``reports_devicecount``: devices per LA, kind and status;
* ``reports_childcount``: children (not anonymised) per LA and combination of ``needs_laptop``,
  ``needs_connectivity``, ``has_active_laptop``, ``laptop_handed_over`` and ``has_data``;
* ``reports_horizoncount``: devices in service per LA and horizon terms (``devices.horizon``);
* ``allocations_child.has_data``: a plan active on the *data date* on the SIM of a device
  actively allocated to the child (``reports_summarystate.data_date``, rolled to today by the
  scheduler: ``roll_data_date``).

They are kept **as the device cover columns are** (``devices/cover.py``, and for the same
reason: the writes are many, in several apps, and include ``COPY``): database triggers on
``devices_device`` and ``allocations_child`` (whose trigger-kept columns change whenever a
licence, plan, SIM or allocation does), and on allocations, SIMs and plans for ``has_data``.
PostgreSQL: statement-level triggers with transition tables; SQLite: row triggers.

**Ledgers, not counters.** A trigger never updates a count in place: it appends the
statement's net change per key (``n`` = +k / -k). Two transactions writing devices of the same
school never wait for each other (an ``UPDATE`` of a shared counter row would hold its lock
until commit, serialising every writer of an LA behind a long import, with deadlocks possible).
A figure is ``SUM(n)`` per key; ``compact()`` folds each key's rows into one (the scheduler
runs it every few minutes; a concurrent writer's uncommitted rows are not visible to it, so
they are kept for the next pass). ``rebuild()`` recomputes everything from the source tables
(``manage.py rebuild_summaries``; the daily checks run it and report how many keys were wrong,
0 expected).

Any date can be asked of the device counts and the horizon (the terms that depend on today, a
device with no dates, are stored as -1 and resolved when read). ``has_data`` is for one date:
the figures use it when asked about the data date and fall back to the direct query otherwise.
"""

from django.db import connection, transaction
from django.utils import timezone

from devices.cover import _EVENTS, _execute, _pg_refresh_function, _pg_statement_triggers, _refresh, _sql_list, _sqlite_row_triggers, _sqlite_update

#: Whether the figures read the summary tables (tests switch it off to compare with the
#: direct queries).
ENABLED = True

#: Stand-in for a month index SQLite cannot compute (a cover end of 9999-12-31): covered.
FAR_MONTH = 999_999


def _pg():
    return connection.vendor == "postgresql"


def _mi(expr):
    """Month index (``year * 12 + month - 1``) of a date expression; as ``devices.horizon``
    computes it, without its lookup array (built once per query, too dear per statement)."""
    if _pg():
        return f"(CAST(date_part('year', {expr}) AS INTEGER) * 12 + CAST(date_part('month', {expr}) AS INTEGER) - 1)"
    return f"COALESCE(CAST(strftime('%Y', {expr}) AS INTEGER) * 12 + CAST(strftime('%m', {expr}) AS INTEGER) - 1, {FAR_MONTH})"


def _next_day(expr):
    return f"({expr} + 1)" if _pg() else f"date({expr}, '+1 day')"


def _inactive():
    from devices.models import INACTIVE_STATUSES

    return _sql_list(INACTIVE_STATUSES)


def _active_allocations():
    from allocations.models import ACTIVE_ALLOCATION_STATUSES

    return _sql_list(ACTIVE_ALLOCATION_STATUSES)


class Ledger:
    """One summary table: its key ``columns`` and, for a source row ``alias``, their
    expressions and the condition for the row to count."""

    def __init__(self, table, source, columns, expressions, condition=None):
        self.table, self.source, self.columns = table, source, columns
        self._expressions, self._condition = expressions, condition

    def expressions(self, alias):
        return self._expressions(alias)

    def condition(self, alias):
        return self._condition(alias) if self._condition else "1 = 1"

    def grouped(self, alias, rows, sign=""):
        """``SELECT keys, ±COUNT(*) FROM rows alias WHERE condition GROUP BY keys``."""
        keys = ", ".join(self.expressions(alias))
        groups = ", ".join(str(i + 1) for i in range(len(self.columns)))
        return f"SELECT {keys}, {sign}COUNT(*) FROM {rows} {alias} WHERE {self.condition(alias)} GROUP BY {groups}"

    def insert(self, select):
        return f"INSERT INTO {self.table} ({', '.join(self.columns)}, n) {select}"


def _device_keys(a):
    return [f"{a}.local_authority_id", f"{a}.kind", f"{a}.status"]


def _horizon_keys(a):
    started = f"COALESCE({a}.handed_over_on, {a}.delivered_on)"
    delivered = f"COALESCE({a}.delivered_on, {a}.handed_over_on)"
    return [
        f"{a}.local_authority_id",
        f"CASE WHEN {started} IS NULL THEN -1 ELSE {_mi(started)} END",
        f"CASE WHEN {a}.licence_cover_end IS NOT NULL THEN {_mi(_next_day(f'{a}.licence_cover_end'))} "
        f"WHEN {delivered} IS NULL THEN -1 ELSE {_mi(delivered)} END",
        f"({a}.licence_cover_end IS NULL)",
        f"CASE WHEN {a}.plan_cover_end IS NULL THEN -1 ELSE {_mi(_next_day(f'{a}.plan_cover_end'))} END",
        f"({a}.kind = 'router' OR {a}.child_needs_data)",
    ]


def _child_keys(a):
    return [
        f"{a}.local_authority_id", f"{a}.needs_laptop", f"{a}.needs_connectivity", f"{a}.has_active_laptop",
        f"{a}.laptop_handed_over", f"{a}.has_data",
    ]


def _school_device_keys(a):
    return [f"{a}.local_authority_id", f"COALESCE({a}.school_id, 0)", f"{a}.kind", f"{a}.status"]


def _school_child_keys(a):
    # A child with no school (one who belongs to the LA directly) is kept under school 0, as
    # a device with none is; ``reports.figures.shortfall_by`` reads 0 as that line.
    keys = _child_keys(a)
    return keys[:1] + [f"COALESCE({a}.school_id, 0)"] + keys[1:]


CHILD_FLAGS = ["needs_laptop", "needs_connectivity", "has_active_laptop", "laptop_handed_over", "has_data"]

LEDGERS = [
    Ledger("reports_devicecount", "devices_device", ["local_authority_id", "kind", "status"], _device_keys),
    Ledger("reports_schooldevicecount", "devices_device", ["local_authority_id", "school_id", "kind", "status"], _school_device_keys),
    Ledger(
        "reports_schoolchildcount", "allocations_child", ["local_authority_id", "school_id", *CHILD_FLAGS],
        _school_child_keys, lambda a: f"{a}.anonymised_at IS NULL",
    ),
    Ledger(
        "reports_horizoncount", "devices_device",
        ["local_authority_id", "start_month", "licence_month", "licence_default", "data_month", "needs_data"],
        _horizon_keys, lambda a: f"{a}.status NOT IN ({_inactive()})",
    ),
    Ledger(
        "reports_childcount", "allocations_child",
        ["local_authority_id", "needs_laptop", "needs_connectivity", "has_active_laptop", "laptop_handed_over", "has_data"],
        _child_keys, lambda a: f"{a}.anonymised_at IS NULL",
    ),
]

#: Source columns whose change can move a row between keys (SQLite's UPDATE triggers fire on
#: these only).
_WATCHED = {
    "devices_device": [
        "local_authority_id", "school_id", "kind", "status", "handed_over_on", "delivered_on", "licence_cover_end", "plan_cover_end",
        "child_needs_data",
    ],
    "allocations_child": [
        "local_authority_id", "school_id", "needs_laptop", "needs_connectivity", "has_active_laptop", "laptop_handed_over", "has_data",
        "anonymised_at",
    ],
}


# --- has_data -----------------------------------------------------------------------------------

_DATA_DATE = "(SELECT data_date FROM reports_summarystate ORDER BY id LIMIT 1)"


def _data_terms(alias):
    return [(
        "has_data",
        f"""EXISTS (SELECT 1 FROM allocations_allocation a JOIN devices_sim s ON s.device_id = a.device_id
    JOIN devices_dataplan p ON p.sim_id = s.id
    WHERE a.child_id = {alias}.id AND a.status IN ({_active_allocations()})
      AND p.start <= {_DATA_DATE} AND p."end" >= {_DATA_DATE})""",
    )]


def _covers_data_date(alias):
    return f'({alias}.start <= {_DATA_DATE} AND {alias}."end" >= {_DATA_DATE})'


# table -> (PostgreSQL: the affected children from a transition table ``{rows}``; SQLite: the
# children to refresh for the row ``{row}``). A plan matters only if it covers the data date.
_DATA_SOURCES = {
    "allocations_allocation": ("SELECT child_id FROM {rows}", "id = {row}.child_id"),
    "devices_sim": (
        "SELECT a.child_id FROM allocations_allocation a WHERE a.device_id IN (SELECT device_id FROM {rows})",
        "id IN (SELECT child_id FROM allocations_allocation WHERE device_id = {row}.device_id)",
    ),
    "devices_dataplan": (
        "SELECT a.child_id FROM allocations_allocation a JOIN devices_sim s ON s.device_id = a.device_id "
        "WHERE s.id IN (SELECT r.sim_id FROM {rows} r WHERE " + _covers_data_date("r") + ")",
        "id IN (SELECT a.child_id FROM allocations_allocation a JOIN devices_sim s ON s.device_id = a.device_id "
        "WHERE s.id = {row}.sim_id AND " + _covers_data_date("{row}") + ")",
    ),
}
_DATA_FUNCTION = "reports_refresh_child_data"


def refresh_has_data(child_ids=None, schema_editor=None):
    """Recompute ``Child.has_data`` (of ``child_ids``, or every child); returns rows changed."""
    return _refresh("allocations_child", _data_terms, _DATA_FUNCTION, child_ids, schema_editor)


# --- triggers -----------------------------------------------------------------------------------


def _pg_ledger_function(source):
    ledgers = [ledger for ledger in LEDGERS if ledger.source == source]
    inserts, deletes, updates = [], [], []
    for ledger in ledgers:
        inserts.append(ledger.insert(ledger.grouped("r", "new_rows")))
        deletes.append(ledger.insert(ledger.grouped("r", "old_rows", "-")))
        keys = ledger.expressions("r")
        cols = [f"k{i}" for i in range(len(keys))]
        aliased = ", ".join(f"{k} AS {c}" for k, c in zip(keys, cols))
        both = (
            f"SELECT {aliased}, 1 AS d FROM new_rows r WHERE {ledger.condition('r')} "
            f"UNION ALL SELECT {aliased}, -1 AS d FROM old_rows r WHERE {ledger.condition('r')}"
        )
        updates.append(ledger.insert(
            f"SELECT {', '.join(cols)}, SUM(d) FROM ({both}) x GROUP BY {', '.join(cols)} HAVING SUM(d) <> 0"
        ))
    return f"""
CREATE OR REPLACE FUNCTION {source}_ledger_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    {"; ".join(inserts)};
  ELSIF TG_OP = 'DELETE' THEN
    {"; ".join(deletes)};
  ELSE
    {"; ".join(updates)};
  END IF;
  RETURN NULL;
END $$;
"""


def _sqlite_ledger_triggers(source):
    ledgers = [ledger for ledger in LEDGERS if ledger.source == source]
    statements = []
    for event, _referencing, rows in _EVENTS:
        name = f"{source}_ledger_{event.lower()}"
        body = []
        for row in rows:
            sign = "-1" if row == "OLD" else "1"
            for ledger in ledgers:
                body.append(ledger.insert(f"SELECT {', '.join(ledger.expressions(row))}, {sign} WHERE {ledger.condition(row)}"))
        when, of = "", ""
        if event == "UPDATE":
            watched = _WATCHED[source]
            of = " OF " + ", ".join(watched)
            when = " WHEN " + " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in watched)
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        statements.append(f"CREATE TRIGGER {name} AFTER {event}{of} ON {source}{when} BEGIN {'; '.join(body)}; END")
    return statements


def install_triggers(schema_editor=None):
    """Create (or re-create) the ``has_data`` and ledger triggers; idempotent."""
    conn = schema_editor.connection if schema_editor is not None else connection
    statements = []
    if conn.vendor == "postgresql":
        statements.append(_pg_refresh_function(_DATA_FUNCTION, "allocations_child", _data_terms))
        for table, (ids_sql, _where) in _DATA_SOURCES.items():
            statements += _pg_statement_triggers(table, f"{table}_data", _DATA_FUNCTION, ids_sql)
        for source in _WATCHED:
            statements.append(_pg_ledger_function(source))
            for event, referencing, _rows in _EVENTS:
                name = f"{source}_ledger_{event.lower()}"
                statements.append(f"DROP TRIGGER IF EXISTS {name} ON {source}")
                statements.append(
                    f"CREATE TRIGGER {name} AFTER {event} ON {source} REFERENCING {referencing} "
                    f"FOR EACH STATEMENT EXECUTE FUNCTION {source}_ledger_trg()"
                )
    else:
        for table, (_ids_sql, where) in _DATA_SOURCES.items():
            statements += _sqlite_row_triggers(
                table, f"{table}_data", lambda row, where=where: _sqlite_update("allocations_child", _data_terms, where.format(row=row))
            )
        for source in _WATCHED:
            statements += _sqlite_ledger_triggers(source)
    _execute(statements, schema_editor)


def trigger_names():
    """``{table: [trigger names]}`` this module installs (for checks and ``drop_triggers``)."""
    names = {}
    for table in list(_DATA_SOURCES) + list(_WATCHED):
        names.setdefault(table, [])
    for table in _DATA_SOURCES:
        names[table] += [f"{table}_data_{e.lower()}" for e, _r, _rows in _EVENTS]
    for table in _WATCHED:
        names[table] += [f"{table}_ledger_{e.lower()}" for e, _r, _rows in _EVENTS]
    return names


def drop_triggers(schema_editor=None):
    from devices.cover import _drop

    functions = [f"{table}_data_trg()" for table in _DATA_SOURCES] + [f"{table}_ledger_trg()" for table in _WATCHED]
    functions.append(f"{_DATA_FUNCTION}(bigint[])")
    _drop(trigger_names(), functions, schema_editor)


# --- the data date ------------------------------------------------------------------------------


def data_date():
    """The date ``Child.has_data`` is computed for (``None`` before the first roll)."""
    from reports.models import SummaryState

    return SummaryState.objects.order_by("pk").values_list("data_date", flat=True).first()


def roll_data_date(today=None):
    """Make ``today`` the data date and refresh ``has_data`` for the children whose plans
    started or ended in between (every child when the dates are far apart). Returns how many
    children changed. Idempotent; the scheduler calls it every few minutes."""
    from reports.models import SummaryState

    today = today or timezone.localdate()
    with transaction.atomic():
        state = SummaryState.objects.select_for_update().order_by("pk").first() or SummaryState.objects.create()
        old = state.data_date
        if old == today:
            return 0
        SummaryState.objects.filter(pk=state.pk).update(data_date=today)
        if old is None or abs((today - old).days) > 62:
            return refresh_has_data()
        low, high = min(old, today), max(old, today)
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT DISTINCT a.child_id FROM allocations_allocation a
                JOIN devices_sim s ON s.device_id = a.device_id JOIN devices_dataplan p ON p.sim_id = s.id
                WHERE (p.start > %s AND p.start <= %s) OR (p."end" >= %s AND p."end" < %s)""",
                [low, high, low, high],
            )
            ids = [row[0] for row in cursor.fetchall()]
        return refresh_has_data(ids) if ids else 0


# --- maintenance --------------------------------------------------------------------------------


def _current(ledger, cursor):
    cols = ", ".join(ledger.columns)
    cursor.execute(f"SELECT {cols}, SUM(n) FROM {ledger.table} GROUP BY {cols} HAVING SUM(n) <> 0")
    return {tuple(_norm(v) for v in row[:-1]): int(row[-1]) for row in cursor.fetchall()}


def _norm(value):
    return int(value) if isinstance(value, bool) else value


def compact():
    """Fold each key's ledger rows into one (dropping keys that sum to 0). Returns rows removed."""
    removed = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for ledger in LEDGERS:
            cols = ", ".join(ledger.columns)
            if _pg():
                match = " AND ".join(f"t.{c} = k.{c}" for c in ledger.columns)
                cursor.execute(f"""
WITH k AS (SELECT {cols} FROM {ledger.table} GROUP BY {cols} HAVING COUNT(*) > 1 OR SUM(n) = 0),
gone AS (DELETE FROM {ledger.table} t USING k WHERE {match} RETURNING {", ".join(f"t.{c}" for c in ledger.columns)}, t.n),
kept AS ({ledger.insert(f"SELECT {cols}, SUM(n) FROM gone GROUP BY {cols} HAVING SUM(n) <> 0")} RETURNING 1)
SELECT (SELECT COUNT(*) FROM gone) - (SELECT COUNT(*) FROM kept)""")
                removed += cursor.fetchone()[0]
            else:
                # SQLite has one writer at a time: rewrite the table in this transaction.
                cursor.execute(f"SELECT COUNT(*) FROM {ledger.table}")
                before = cursor.fetchone()[0]
                cursor.execute(f"CREATE TEMP TABLE summary_compact AS SELECT {cols}, SUM(n) AS n FROM {ledger.table} GROUP BY {cols} HAVING SUM(n) <> 0")
                cursor.execute(f"DELETE FROM {ledger.table}")
                cursor.execute(ledger.insert(f"SELECT {cols}, n FROM summary_compact"))
                cursor.execute("DROP TABLE summary_compact")
                cursor.execute(f"SELECT COUNT(*) FROM {ledger.table}")
                removed += before - cursor.fetchone()[0]
    return removed


def rebuild(stdout=None, tables=None):
    """Recompute ``has_data`` and every summary table (or those named in ``tables``) from the
    source tables. Returns how many keys were wrong (0 in normal running: the triggers keep
    them)."""
    wrong = 0
    with transaction.atomic():
        if data_date() is None:
            roll_data_date()
        changed = refresh_has_data()
        if stdout and changed:
            stdout.write(f"has_data corrected for {changed} children")
        with connection.cursor() as cursor:
            for ledger in LEDGERS:
                if tables is not None and ledger.table not in tables:
                    continue
                if _pg():
                    # Writers append to the ledger from their triggers: make them wait while it is
                    # replaced, so none of their deltas is lost or counted twice.
                    cursor.execute(f"LOCK TABLE {ledger.table} IN EXCLUSIVE MODE")
                current = _current(ledger, cursor)
                groups = ", ".join(str(i + 1) for i in range(len(ledger.columns)))
                fresh_sql = (
                    f"SELECT {', '.join(ledger.expressions('a'))}, COUNT(*) FROM {ledger.source} a "
                    f"WHERE {ledger.condition('a')} GROUP BY {groups}"
                )
                cursor.execute(fresh_sql)
                fresh = {tuple(_norm(v) for v in row[:-1]): int(row[-1]) for row in cursor.fetchall()}
                bad = sum(1 for key in set(current) | set(fresh) if current.get(key) != fresh.get(key))
                wrong += bad
                if stdout:
                    stdout.write(f"{ledger.table}: {len(fresh)} keys, {bad} corrected")
                cursor.execute(f"DELETE FROM {ledger.table}")
                cursor.execute(ledger.insert(fresh_sql))
    return wrong


# --- reading ------------------------------------------------------------------------------------


def _la_where(la_ids, column="local_authority_id"):
    if la_ids is None:
        return ""
    return f"WHERE {column} IN ({', '.join(str(int(i)) for i in la_ids) or 'NULL'})"


def device_counts(la_ids=None, by_school=False):
    """``[(la_id, kind, status, n)]`` of every device, from ``reports_devicecount``; with
    ``by_school``, ``[(school_id or None, kind, status, n)]`` from ``reports_schooldevicecount``."""
    table, key = ("reports_schooldevicecount", "school_id") if by_school else ("reports_devicecount", "local_authority_id")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, kind, status, SUM(n) FROM {table} {_la_where(la_ids)} GROUP BY {key}, kind, status HAVING SUM(n) <> 0")
        return [(None if by_school and key_value == 0 else key_value, kind, status, int(n)) for key_value, kind, status, n in cursor.fetchall()]


def child_counts(la_ids=None, by_school=False):
    """The ``reports.figures`` children figures for the data date, per LA from
    ``reports_childcount`` (or per school from ``reports_schoolchildcount``, school 0 for the
    children with no school): ``[{local_authority (or school), need_device, with_device,
    handed, need_conn, connected, conn_gap}]``."""
    def when(condition):
        return f"SUM(CASE WHEN {condition} THEN n ELSE 0 END)"

    table, key, name = (
        ("reports_schoolchildcount", "school_id", "school") if by_school else ("reports_childcount", "local_authority_id", "local_authority")
    )
    t = "= TRUE" if _pg() else "= 1"
    sql = f"""
SELECT {key},
  {when(f"needs_laptop {t}")}, {when(f"needs_laptop {t} AND has_active_laptop {t}")},
  {when(f"needs_laptop {t} AND laptop_handed_over {t}")}, {when(f"needs_connectivity {t}")},
  {when(f"needs_connectivity {t} AND has_data {t}")},
  {when(f"needs_connectivity {t} AND has_active_laptop {t} AND NOT has_data {t}")},
  SUM(n)
FROM {table} {_la_where(la_ids)}
GROUP BY {key} HAVING SUM(n) <> 0"""
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    keys = ("need_device", "with_device", "handed", "need_conn", "connected", "conn_gap")
    return [dict(zip(keys, (int(v or 0) for v in row[1:7])), **{name: row[0]}) for row in rows]


def horizon_rows_sql(today, la_ids, dfe_months):
    """SQL of ``(la, s, fl, fd, nd, n)`` rows for ``devices.horizon``'s aggregate, from
    ``reports_horizoncount``, with the terms that depend on ``today`` resolved.

    The ledger rows are read as they are, without grouping them by key first: every figure of
    the aggregate is a sum of ``n`` times a function of the key, so a key's deltas add up
    there (``devices.horizon`` drops an LA whose devices sum to 0)."""
    from devices.horizon import month_index

    t = month_index(today)
    true = "TRUE" if _pg() else "1"
    return f"""
SELECT local_authority_id AS la,
  CASE WHEN start_month = -1 THEN {t} ELSE start_month END AS s,
  CASE WHEN licence_default = {true} THEN (CASE WHEN licence_month = -1 THEN {t} ELSE licence_month END) + {int(dfe_months)}
    ELSE licence_month END AS fl,
  data_month AS fd,
  CASE WHEN needs_data = {true} THEN 1 ELSE 0 END AS nd,
  n
FROM reports_horizoncount {_la_where(la_ids)}"""


# --- SQLite migrations ----------------------------------------------------------------------------
#
# SQLite rebuilds a table for many schema changes, which drops that table's triggers, and
# refuses to while other tables' triggers name it. So that another app's migration does not
# have to know about these triggers, on SQLite they are dropped before ``migrate`` and put back
# after it (with a rebuild, the tables not having been kept meanwhile; SQLite holds small data
# sets). PostgreSQL keeps triggers across ``ALTER TABLE``: nothing to do there.

_LAST_MIGRATION = ("reports", "0004_school_summary_tables")


def _installed(conn):
    from django.db.migrations.recorder import MigrationRecorder

    if "reports_schoolchildcount" not in conn.introspection.table_names():
        return False
    return MigrationRecorder(conn).migration_qs.filter(app=_LAST_MIGRATION[0], name=_LAST_MIGRATION[1]).exists()


def missing_triggers(conn=None):
    conn = conn or connection
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        installed = {row[0] for row in cursor.fetchall()}
    return sorted({name for names in trigger_names().values() for name in names} - installed)


def before_migrate(sender, using="default", **kwargs):
    if using != "default" or connection.vendor == "postgresql" or not _installed(connection):
        return
    drop_triggers()


def after_migrate(sender, using="default", **kwargs):
    if using != "default" or connection.vendor == "postgresql" or not _installed(connection):
        return
    if missing_triggers():
        install_triggers()
        rebuild()
