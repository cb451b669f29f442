"""Per-device cover ends, kept by the database.

The horizon aggregates (``devices.horizon.cliff_edge``) need, per device, the latest end of its
licences, the latest end of its SIM's data plans, and whether its active allocation is to a
child who needs connectivity. Computing those by joining the licence, plan, SIM, allocation and
child tables costs about 10 s at two million devices; reading three columns of
``devices_device`` costs a fraction of that. The columns are

* ``Device.licence_cover_end``: ``MAX(Licence.end)`` of the device (``NULL``: no licence rows),
* ``Device.plan_cover_end``: ``MAX(DataPlan.end)`` over the plans of the SIM in the device,
* ``Device.child_needs_data``: an active (planned or handed-over) allocation of the device to a
  child with ``needs_connectivity``.

They are kept by **database triggers**, so that every write keeps them right, whoever makes
it: the services, the bulk imports (``bulk_create``/``bulk_update``), the admin, the API, the
test factories and the synthetic data generator's ``COPY``. Triggers fire on insert, update
and delete of ``devices_licence``, ``devices_dataplan``, ``devices_sim`` (a SIM moved between
devices), ``allocations_allocation`` and on updates of ``allocations_child``. On PostgreSQL they
are statement-level triggers with transition tables (one refresh per statement, however many
rows it wrote); SQLite has only row-level triggers.

Python never writes these columns (``Device.save`` leaves them out of its ``UPDATE``). The
daily checks run ``refresh_cover()`` over every device as a safety net and report how many rows
it had to correct (it should be none). On SQLite, a migration that rebuilds one of the five
tables drops its triggers: the migration must call ``install_triggers`` again (the tests in
``devices/tests/test_cover.py`` fail otherwise).
"""

from django.db import connection

ACTIVE_ALLOCATION_STATUSES = ("planned", "handed_over")

_LICENCE = """(SELECT MAX(l."end") FROM devices_licence l WHERE l.device_id = {d}.id)"""
_PLAN = """(SELECT MAX(p."end") FROM devices_dataplan p JOIN devices_sim s ON s.id = p.sim_id
    WHERE s.device_id = {d}.id)"""
_NEED = """EXISTS (SELECT 1 FROM allocations_allocation a JOIN allocations_child c ON c.id = a.child_id
    WHERE a.device_id = {d}.id AND a.status IN ({statuses}) AND c.needs_connectivity)"""


def _terms(alias):
    statuses = ", ".join(f"'{s}'" for s in ACTIVE_ALLOCATION_STATUSES)
    return _LICENCE.format(d=alias), _PLAN.format(d=alias), _NEED.format(d=alias, statuses=statuses)


def _sqlite_update(where):
    licence, plan, need = _terms("devices_device")
    return (
        f"UPDATE devices_device SET licence_cover_end = {licence}, plan_cover_end = {plan}, "
        f"child_needs_data = {need} WHERE {where}"
    )


def _pg_refresh_function():
    licence, plan, need = _terms("dv")
    return f"""
CREATE OR REPLACE FUNCTION devices_refresh_cover(ids bigint[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE changed integer;
BEGIN
  UPDATE devices_device d
  SET licence_cover_end = c.le, plan_cover_end = c.pe, child_needs_data = c.nd
  FROM (
    SELECT dv.id, {licence} AS le, {plan} AS pe, {need} AS nd
    FROM devices_device dv WHERE dv.id = ANY(ids)
  ) c
  WHERE d.id = c.id
    AND (d.licence_cover_end, d.plan_cover_end, d.child_needs_data) IS DISTINCT FROM (c.le, c.pe, c.nd);
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END $$;
"""


# (table, SQL selecting the affected device ids from a transition table / row, events)
# ``{rows}`` is a transition table on PostgreSQL; on SQLite ``{row}`` is NEW or OLD.
_PG_SOURCES = {
    "devices_licence": "SELECT device_id FROM {rows}",
    "devices_dataplan": "SELECT s.device_id FROM devices_sim s WHERE s.id IN (SELECT sim_id FROM {rows})",
    "devices_sim": "SELECT device_id FROM {rows}",
    "allocations_allocation": "SELECT device_id FROM {rows}",
}

_SQLITE_SOURCES = {
    "devices_licence": "id = {row}.device_id",
    "devices_dataplan": "id = (SELECT s.device_id FROM devices_sim s WHERE s.id = {row}.sim_id)",
    "devices_sim": "id = {row}.device_id",
    "allocations_allocation": "id = {row}.device_id",
}

_CHILD_PG = (
    "SELECT a.device_id FROM allocations_allocation a WHERE a.child_id IN ("
    "SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "
    "WHERE n.needs_connectivity IS DISTINCT FROM o.needs_connectivity)"
)


def _pg_statements():
    statements = [_pg_refresh_function()]
    for table, select in _PG_SOURCES.items():
        function = f"{table}_cover_trg"
        new, old = select.format(rows="new_rows"), select.format(rows="old_rows")
        statements.append(f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM devices_refresh_cover(ARRAY({new}));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM devices_refresh_cover(ARRAY({old}));
  ELSE
    PERFORM devices_refresh_cover(ARRAY({new} UNION {old}));
  END IF;
  RETURN NULL;
END $$;
""")
        for event, ref in (
            ("INSERT", "NEW TABLE AS new_rows"),
            ("UPDATE", "NEW TABLE AS new_rows OLD TABLE AS old_rows"),
            ("DELETE", "OLD TABLE AS old_rows"),
        ):
            name = f"{table}_cover_{event.lower()}"
            statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            statements.append(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {ref} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
            )
    statements.append(f"""
CREATE OR REPLACE FUNCTION allocations_child_cover_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM devices_refresh_cover(ARRAY({_CHILD_PG}));
  RETURN NULL;
END $$;
""")
    statements.append("DROP TRIGGER IF EXISTS allocations_child_cover_update ON allocations_child")
    statements.append(
        "CREATE TRIGGER allocations_child_cover_update AFTER UPDATE ON allocations_child "
        "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION allocations_child_cover_trg()"
    )
    return statements


def _sqlite_statements():
    statements = []
    for table, where in _SQLITE_SOURCES.items():
        for event, rows in (("INSERT", ["NEW"]), ("UPDATE", ["NEW", "OLD"]), ("DELETE", ["OLD"])):
            name = f"{table}_cover_{event.lower()}"
            body = "; ".join(_sqlite_update(where.format(row=row)) for row in rows)
            statements.append(f"DROP TRIGGER IF EXISTS {name}")
            statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END")
    statements.append("DROP TRIGGER IF EXISTS allocations_child_cover_update")
    statements.append(
        "CREATE TRIGGER allocations_child_cover_update AFTER UPDATE OF needs_connectivity ON allocations_child "
        "BEGIN "
        + _sqlite_update("id IN (SELECT device_id FROM allocations_allocation WHERE child_id = NEW.id)")
        + "; END"
    )
    return statements


def install_triggers(schema_editor=None):
    """Create (or re-create) the triggers and, on PostgreSQL, the refresh function."""
    conn = schema_editor.connection if schema_editor is not None else connection
    statements = _pg_statements() if conn.vendor == "postgresql" else _sqlite_statements()
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_triggers(schema_editor=None):
    conn = schema_editor.connection if schema_editor is not None else connection
    tables = list(_PG_SOURCES)
    with conn.cursor() as cursor:
        for table in tables:
            for event in ("insert", "update", "delete"):
                if conn.vendor == "postgresql":
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_cover_{event} ON {table}")
                else:
                    cursor.execute(f"DROP TRIGGER IF EXISTS {table}_cover_{event}")
        if conn.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS allocations_child_cover_update ON allocations_child")
            for table in tables + ["allocations_child"]:
                cursor.execute(f"DROP FUNCTION IF EXISTS {table}_cover_trg()")
            cursor.execute("DROP FUNCTION IF EXISTS devices_refresh_cover(bigint[])")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS allocations_child_cover_update")


#: Devices refreshed per statement by ``refresh_cover`` (bounded transactions at national scale).
REFRESH_BATCH = 50_000


def refresh_cover(device_ids=None, schema_editor=None):
    """Recompute the cover columns (of ``device_ids``, or of every device) from the source tables.

    Returns how many rows changed. The triggers make this unnecessary in normal running; the
    daily checks call it as a safety net, and the migration that added the columns used it to
    fill them.
    """
    conn = schema_editor.connection if schema_editor is not None else connection
    changed = 0
    with conn.cursor() as cursor:
        if device_ids is None:
            cursor.execute("SELECT MIN(id), MAX(id) FROM devices_device")
            low, high = cursor.fetchone()
            if low is None:
                return 0
            ranges = [(start, start + REFRESH_BATCH - 1) for start in range(low, high + 1, REFRESH_BATCH)]
        else:
            ids = sorted({int(i) for i in device_ids})
            ranges = None
        if conn.vendor == "postgresql":
            if ranges is None:
                for i in range(0, len(ids), REFRESH_BATCH):
                    cursor.execute("SELECT devices_refresh_cover(%s)", [ids[i : i + REFRESH_BATCH]])
                    changed += cursor.fetchone()[0]
            else:
                for start, end in ranges:
                    cursor.execute(
                        "SELECT devices_refresh_cover(ARRAY(SELECT id FROM devices_device WHERE id BETWEEN %s AND %s))",
                        [start, end],
                    )
                    changed += cursor.fetchone()[0]
            return changed
        # SQLite: compare first so that the count reports only the rows that were wrong.
        licence, plan, need = _terms("dv")
        if ranges is None:
            chunks = [ids[i : i + 500] for i in range(0, len(ids), 500)]
            wheres = [("dv.id IN ({})".format(", ".join(str(i) for i in chunk)), None) for chunk in chunks]
        else:
            wheres = [("dv.id BETWEEN %s AND %s", (start, end)) for start, end in ranges]
        for where, params in wheres:
            cursor.execute(
                f"SELECT dv.id FROM devices_device dv WHERE {where} AND ("
                f"dv.licence_cover_end IS NOT {licence} OR dv.plan_cover_end IS NOT {plan} "
                f"OR dv.child_needs_data IS NOT {need})",
                params,
            )
            stale = [row[0] for row in cursor.fetchall()]
            for i in range(0, len(stale), 500):
                chunk = stale[i : i + 500]
                cursor.execute(_sqlite_update("id IN ({})".format(", ".join(str(int(x)) for x in chunk))))
            changed += len(stale)
    return changed


# --- Per-child device flags ------------------------------------------------------------------
#
# ``Child.has_active_laptop`` / ``Child.laptop_handed_over``: whether the child has an active
# (planned or handed-over) allocation of a laptop or tablet, and whether one is handed over.
# Kept by triggers on allocations (insert, update, delete) and on a device's kind changing.

LAPTOP_KINDS = ("laptop", "tablet")


def _child_terms(alias):
    statuses = ", ".join(f"'{s}'" for s in ACTIVE_ALLOCATION_STATUSES)
    kinds = ", ".join(f"'{k}'" for k in LAPTOP_KINDS)
    base = (
        "SELECT 1 FROM allocations_allocation a JOIN devices_device d ON d.id = a.device_id "
        f"WHERE a.child_id = {alias}.id AND d.kind IN ({kinds}) AND a.status IN ({{statuses}})"
    )
    return f"EXISTS ({base.format(statuses=statuses)})", f"EXISTS ({base.format(statuses=chr(39) + 'handed_over' + chr(39))})"


def _sqlite_child_update(where):
    active, handed = _child_terms("allocations_child")
    return f"UPDATE allocations_child SET has_active_laptop = {active}, laptop_handed_over = {handed} WHERE {where}"


def _pg_child_statements():
    active, handed = _child_terms("ch")
    statements = [f"""
CREATE OR REPLACE FUNCTION allocations_refresh_child_flags(ids bigint[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE changed integer;
BEGIN
  UPDATE allocations_child c
  SET has_active_laptop = f.hl, laptop_handed_over = f.ho
  FROM (SELECT ch.id, {active} AS hl, {handed} AS ho FROM allocations_child ch WHERE ch.id = ANY(ids)) f
  WHERE c.id = f.id AND (c.has_active_laptop, c.laptop_handed_over) IS DISTINCT FROM (f.hl, f.ho);
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END $$;
""", """
CREATE OR REPLACE FUNCTION allocations_allocation_flags_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM allocations_refresh_child_flags(ARRAY(SELECT child_id FROM new_rows));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM allocations_refresh_child_flags(ARRAY(SELECT child_id FROM old_rows));
  ELSE
    PERFORM allocations_refresh_child_flags(ARRAY(SELECT child_id FROM new_rows UNION SELECT child_id FROM old_rows));
  END IF;
  RETURN NULL;
END $$;
""", """
CREATE OR REPLACE FUNCTION devices_device_kind_flags_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM allocations_refresh_child_flags(ARRAY(SELECT child_id FROM allocations_allocation WHERE device_id = NEW.id));
  RETURN NULL;
END $$;
"""]
    for event, ref in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("UPDATE", "NEW TABLE AS new_rows OLD TABLE AS old_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
    ):
        name = f"allocations_allocation_flags_{event.lower()}"
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON allocations_allocation")
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON allocations_allocation REFERENCING {ref} "
            "FOR EACH STATEMENT EXECUTE FUNCTION allocations_allocation_flags_trg()"
        )
    statements.append("DROP TRIGGER IF EXISTS devices_device_kind_flags ON devices_device")
    statements.append(
        "CREATE TRIGGER devices_device_kind_flags AFTER UPDATE OF kind ON devices_device FOR EACH ROW "
        "WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION devices_device_kind_flags_trg()"
    )
    return statements


def _sqlite_child_statements():
    statements = []
    for event, rows in (("INSERT", ["NEW"]), ("UPDATE", ["NEW", "OLD"]), ("DELETE", ["OLD"])):
        name = f"allocations_allocation_flags_{event.lower()}"
        body = "; ".join(_sqlite_child_update(f"id = {row}.child_id") for row in rows)
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        statements.append(f"CREATE TRIGGER {name} AFTER {event} ON allocations_allocation BEGIN {body}; END")
    statements.append("DROP TRIGGER IF EXISTS devices_device_kind_flags")
    statements.append(
        "CREATE TRIGGER devices_device_kind_flags AFTER UPDATE OF kind ON devices_device "
        "WHEN OLD.kind IS NOT NEW.kind BEGIN "
        + _sqlite_child_update("id IN (SELECT child_id FROM allocations_allocation WHERE device_id = NEW.id)")
        + "; END"
    )
    return statements


def install_child_flag_triggers(schema_editor=None):
    conn = schema_editor.connection if schema_editor is not None else connection
    statements = _pg_child_statements() if conn.vendor == "postgresql" else _sqlite_child_statements()
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop_child_flag_triggers(schema_editor=None):
    conn = schema_editor.connection if schema_editor is not None else connection
    with conn.cursor() as cursor:
        for event in ("insert", "update", "delete"):
            on = " ON allocations_allocation" if conn.vendor == "postgresql" else ""
            cursor.execute(f"DROP TRIGGER IF EXISTS allocations_allocation_flags_{event}{on}")
        on = " ON devices_device" if conn.vendor == "postgresql" else ""
        cursor.execute(f"DROP TRIGGER IF EXISTS devices_device_kind_flags{on}")
        if conn.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS allocations_allocation_flags_trg()")
            cursor.execute("DROP FUNCTION IF EXISTS devices_device_kind_flags_trg()")
            cursor.execute("DROP FUNCTION IF EXISTS allocations_refresh_child_flags(bigint[])")


def refresh_child_flags(child_ids=None, schema_editor=None):
    """Recompute ``has_active_laptop`` / ``laptop_handed_over`` (of ``child_ids``, or of every
    child) from the allocations; returns how many rows changed (0 in normal running)."""
    conn = schema_editor.connection if schema_editor is not None else connection
    changed = 0
    with conn.cursor() as cursor:
        if child_ids is None:
            cursor.execute("SELECT MIN(id), MAX(id) FROM allocations_child")
            low, high = cursor.fetchone()
            if low is None:
                return 0
            ranges = [(start, start + REFRESH_BATCH - 1) for start in range(low, high + 1, REFRESH_BATCH)]
        else:
            ids = sorted({int(i) for i in child_ids})
            ranges = [(i, None) for i in range(0, len(ids), REFRESH_BATCH)]
        for start, end in ranges:
            if conn.vendor == "postgresql":
                if end is None:
                    cursor.execute("SELECT allocations_refresh_child_flags(%s)", [ids[start : start + REFRESH_BATCH]])
                else:
                    cursor.execute(
                        "SELECT allocations_refresh_child_flags(ARRAY(SELECT id FROM allocations_child WHERE id BETWEEN %s AND %s))",
                        [start, end],
                    )
                changed += cursor.fetchone()[0]
                continue
            active, handed = _child_terms("ch")
            if end is None:
                where, params = "ch.id IN ({})".format(", ".join(str(i) for i in ids[start : start + REFRESH_BATCH]) or "NULL"), None
            else:
                where, params = "ch.id BETWEEN %s AND %s", (start, end)
            cursor.execute(
                f"SELECT ch.id FROM allocations_child ch WHERE {where} AND "
                f"(ch.has_active_laptop IS NOT {active} OR ch.laptop_handed_over IS NOT {handed})",
                params,
            )
            stale = [row[0] for row in cursor.fetchall()]
            for i in range(0, len(stale), 500):
                cursor.execute(_sqlite_child_update("id IN ({})".format(", ".join(str(int(x)) for x in stale[i : i + 500]))))
            changed += len(stale)
    return changed
