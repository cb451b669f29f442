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

#: Devices (or children) refreshed per statement by the refresh functions (bounded statements
#: at national scale).
REFRESH_BATCH = 50_000

_EVENTS = (
    ("INSERT", "NEW TABLE AS new_rows", ["NEW"]),
    ("UPDATE", "NEW TABLE AS new_rows OLD TABLE AS old_rows", ["NEW", "OLD"]),
    ("DELETE", "OLD TABLE AS old_rows", ["OLD"]),
)


def _sql_list(values):
    return ", ".join(f"'{v}'" for v in values)


def _active_statuses():
    from allocations.models import ACTIVE_ALLOCATION_STATUSES

    return _sql_list(ACTIVE_ALLOCATION_STATUSES)


def _cover_terms(alias):
    """``[(column, expression)]`` of the device cover columns, for the device row ``alias``."""
    return [
        ("licence_cover_end", f'''(SELECT MAX(l."end") FROM devices_licence l WHERE l.device_id = {alias}.id)'''),
        (
            "plan_cover_end",
            f'''(SELECT MAX(p."end") FROM devices_dataplan p JOIN devices_sim s ON s.id = p.sim_id
    WHERE s.device_id = {alias}.id)''',
        ),
        (
            "child_needs_data",
            f"""EXISTS (SELECT 1 FROM allocations_allocation a JOIN allocations_child c ON c.id = a.child_id
    WHERE a.device_id = {alias}.id AND a.status IN ({_active_statuses()}) AND c.needs_connectivity)""",
        ),
    ]


def _child_terms(alias):
    """``[(column, expression)]`` of the child flags, for the child row ``alias``."""
    from devices.models import LAPTOP_KINDS

    laptop = (
        "SELECT 1 FROM allocations_allocation a JOIN devices_device d ON d.id = a.device_id "
        f"WHERE a.child_id = {alias}.id AND d.kind IN ({_sql_list(LAPTOP_KINDS)})"
    )
    return [
        ("has_active_laptop", f"EXISTS ({laptop} AND a.status IN ({_active_statuses()}))"),
        ("laptop_handed_over", f"EXISTS ({laptop} AND a.status = 'handed_over')"),
    ]


def _conn(schema_editor):
    return schema_editor.connection if schema_editor is not None else connection


def _execute(statements, schema_editor):
    with _conn(schema_editor).cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def _sqlite_update(table, terms, where):
    """SQL recomputing ``terms`` for the rows of ``table`` matching ``where``."""
    sets = ", ".join(f"{column} = {expression}" for column, expression in terms(table))
    return f"UPDATE {table} SET {sets} WHERE {where}"


def _pg_refresh_function(name, table, terms):
    """A function ``name(ids bigint[])`` recomputing ``terms`` for those rows of ``table``,
    writing only rows that change; returns how many did."""
    computed = terms("src")
    columns = [column for column, _e in computed]
    return f"""
CREATE OR REPLACE FUNCTION {name}(ids bigint[]) RETURNS integer LANGUAGE plpgsql AS $$
DECLARE changed integer;
BEGIN
  UPDATE {table} t
  SET {", ".join(f"{c} = f.{c}" for c in columns)}
  FROM (SELECT src.id, {", ".join(f"{e} AS {c}" for c, e in computed)} FROM {table} src WHERE src.id = ANY(ids)) f
  WHERE t.id = f.id
    AND ({", ".join(f"t.{c}" for c in columns)}) IS DISTINCT FROM ({", ".join(f"f.{c}" for c in columns)});
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END $$;
"""


def _pg_statement_triggers(table, prefix, refresh, ids_sql):
    """A trigger function and AFTER INSERT / UPDATE / DELETE statement-level triggers on
    ``table`` calling ``refresh`` with the ids ``ids_sql`` selects from the transition table
    ``{rows}``."""
    new, old = ids_sql.format(rows="new_rows"), ids_sql.format(rows="old_rows")
    function = f"{prefix}_trg"
    statements = [f"""
CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM {refresh}(ARRAY({new}));
  ELSIF TG_OP = 'DELETE' THEN
    PERFORM {refresh}(ARRAY({old}));
  ELSE
    PERFORM {refresh}(ARRAY({new} UNION {old}));
  END IF;
  RETURN NULL;
END $$;
"""]
    for event, referencing, _rows in _EVENTS:
        name = f"{prefix}_{event.lower()}"
        statements.append(f"DROP TRIGGER IF EXISTS {name} ON {table}")
        statements.append(
            f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {referencing} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()"
        )
    return statements


def _sqlite_row_triggers(table, prefix, update):
    """AFTER INSERT / UPDATE / DELETE row triggers on ``table`` running ``update(row)`` for NEW
    and/or OLD."""
    statements = []
    for event, _referencing, rows in _EVENTS:
        name = f"{prefix}_{event.lower()}"
        body = "; ".join(update(row) for row in rows)
        statements.append(f"DROP TRIGGER IF EXISTS {name}")
        statements.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {body}; END")
    return statements


def _drop(names_by_table, functions, schema_editor):
    postgresql = _conn(schema_editor).vendor == "postgresql"
    statements = [
        f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if postgresql else "")
        for table, names in names_by_table.items()
        for name in names
    ]
    if postgresql:
        statements += [f"DROP FUNCTION IF EXISTS {function}" for function in functions]
    _execute(statements, schema_editor)


def _refresh(table, terms, pg_function, ids, schema_editor):
    """Recompute ``terms`` for ``ids`` (or every row) of ``table``; returns how many rows were
    wrong. PostgreSQL: ``pg_function`` per batch; SQLite: find the wrong rows, then update them."""
    conn = _conn(schema_editor)
    changed = 0
    with conn.cursor() as cursor:
        if ids is None:
            cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table}")
            low, high = cursor.fetchone()
            if low is None:
                return 0
            batches = [("BETWEEN %s AND %s", [start, start + REFRESH_BATCH - 1]) for start in range(low, high + 1, REFRESH_BATCH)]
        else:
            ids = sorted({int(i) for i in ids})
            batches = []
            for i in range(0, len(ids), REFRESH_BATCH):
                chunk = ids[i : i + REFRESH_BATCH]
                batches.append((f"IN ({', '.join(str(x) for x in chunk) or 'NULL'})", []))
        for condition, params in batches:
            if conn.vendor == "postgresql":
                cursor.execute(f"SELECT {pg_function}(ARRAY(SELECT id FROM {table} WHERE id {condition}))", params)
                changed += cursor.fetchone()[0]
                continue
            wrong = " OR ".join(f"src.{column} IS NOT {expression}" for column, expression in terms("src"))
            cursor.execute(f"SELECT src.id FROM {table} src WHERE src.id {condition} AND ({wrong})", params)
            stale = [row[0] for row in cursor.fetchall()]
            for i in range(0, len(stale), 500):
                cursor.execute(_sqlite_update(table, terms, f"id IN ({', '.join(str(int(x)) for x in stale[i : i + 500])})"))
            changed += len(stale)
    return changed


def keep_database_columns(instance, kwargs, columns):
    """For ``save()`` of a model with trigger-kept ``columns``: an UPDATE of an existing row
    leaves them out, since this instance's copy may be older than a write made since it was
    loaded. Returns the ``save`` keyword arguments to use."""
    if not instance._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
        kwargs["update_fields"] = [
            f.name for f in instance._meta.concrete_fields if not f.primary_key and f.name not in columns
        ]
    return kwargs


# --- Device cover columns -------------------------------------------------------------------

# table -> SQL selecting the affected device ids from a transition table ``{rows}``
# (PostgreSQL), and the devices to refresh for a row ``{row}`` (NEW or OLD, SQLite).
_COVER_SOURCES = {
    "devices_licence": ("SELECT device_id FROM {rows}", "id = {row}.device_id"),
    "devices_dataplan": (
        "SELECT s.device_id FROM devices_sim s WHERE s.id IN (SELECT sim_id FROM {rows})",
        "id = (SELECT s.device_id FROM devices_sim s WHERE s.id = {row}.sim_id)",
    ),
    "devices_sim": ("SELECT device_id FROM {rows}", "id = {row}.device_id"),
    "allocations_allocation": ("SELECT device_id FROM {rows}", "id = {row}.device_id"),
}
_COVER_CHILD_TRIGGER = "allocations_child_cover_update"


def install_triggers(schema_editor=None):
    """Create (or re-create) the cover triggers and, on PostgreSQL, ``devices_refresh_cover``."""
    if _conn(schema_editor).vendor == "postgresql":
        statements = [_pg_refresh_function("devices_refresh_cover", "devices_device", _cover_terms)]
        for table, (ids_sql, _where) in _COVER_SOURCES.items():
            statements += _pg_statement_triggers(table, f"{table}_cover", "devices_refresh_cover", ids_sql)
        # A child's need for connectivity changing: its devices' data flag changes.
        statements += [
            """
CREATE OR REPLACE FUNCTION allocations_child_cover_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM devices_refresh_cover(ARRAY(
    SELECT a.device_id FROM allocations_allocation a WHERE a.child_id IN (
      SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE n.needs_connectivity IS DISTINCT FROM o.needs_connectivity)));
  RETURN NULL;
END $$;
""",
            f"DROP TRIGGER IF EXISTS {_COVER_CHILD_TRIGGER} ON allocations_child",
            f"CREATE TRIGGER {_COVER_CHILD_TRIGGER} AFTER UPDATE ON allocations_child "
            "REFERENCING NEW TABLE AS new_rows OLD TABLE AS old_rows "
            "FOR EACH STATEMENT EXECUTE FUNCTION allocations_child_cover_trg()",
        ]
    else:
        statements = []
        for table, (_ids_sql, where) in _COVER_SOURCES.items():
            statements += _sqlite_row_triggers(
                table, f"{table}_cover", lambda row, where=where: _sqlite_update("devices_device", _cover_terms, where.format(row=row))
            )
        statements += [
            f"DROP TRIGGER IF EXISTS {_COVER_CHILD_TRIGGER}",
            f"CREATE TRIGGER {_COVER_CHILD_TRIGGER} AFTER UPDATE OF needs_connectivity ON allocations_child BEGIN "
            + _sqlite_update("devices_device", _cover_terms, "id IN (SELECT device_id FROM allocations_allocation WHERE child_id = NEW.id)")
            + "; END",
        ]
    _execute(statements, schema_editor)


def drop_triggers(schema_editor=None):
    names = {table: [f"{table}_cover_{e.lower()}" for e, _r, _rows in _EVENTS] for table in _COVER_SOURCES}
    names["allocations_child"] = [_COVER_CHILD_TRIGGER]
    functions = [f"{table}_cover_trg()" for table in _COVER_SOURCES]
    functions += ["allocations_child_cover_trg()", "devices_refresh_cover(bigint[])"]
    _drop(names, functions, schema_editor)


def refresh_cover(device_ids=None, schema_editor=None):
    """Recompute the cover columns (of ``device_ids``, or of every device) from the source tables.

    Returns how many rows changed. The triggers make this unnecessary in normal running; the
    daily checks call it as a safety net, and the migration that added the columns used it to
    fill them.
    """
    return _refresh("devices_device", _cover_terms, "devices_refresh_cover", device_ids, schema_editor)


# --- Per-child device flags ------------------------------------------------------------------
#
# ``Child.has_active_laptop`` / ``Child.laptop_handed_over``: whether the child has an active
# (planned or handed-over) allocation of a laptop or tablet, and whether one is handed over.
# Kept by triggers on allocations (insert, update, delete) and on a device's kind changing.

_FLAGS_PREFIX = "allocations_allocation_flags"
_KIND_TRIGGER = "devices_device_kind_flags"
_KIND_CHILDREN = "id IN (SELECT child_id FROM allocations_allocation WHERE device_id = NEW.id)"


def install_child_flag_triggers(schema_editor=None):
    if _conn(schema_editor).vendor == "postgresql":
        statements = [_pg_refresh_function("allocations_refresh_child_flags", "allocations_child", _child_terms)]
        statements += _pg_statement_triggers(
            "allocations_allocation", _FLAGS_PREFIX, "allocations_refresh_child_flags", "SELECT child_id FROM {rows}"
        )
        # A device's kind corrected (rare): a row trigger that fires only when kind changes.
        statements += [
            f"""
CREATE OR REPLACE FUNCTION {_KIND_TRIGGER}_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM allocations_refresh_child_flags(ARRAY(SELECT child_id FROM allocations_allocation WHERE device_id = NEW.id));
  RETURN NULL;
END $$;
""",
            f"DROP TRIGGER IF EXISTS {_KIND_TRIGGER} ON devices_device",
            f"CREATE TRIGGER {_KIND_TRIGGER} AFTER UPDATE OF kind ON devices_device FOR EACH ROW "
            f"WHEN (OLD.kind IS DISTINCT FROM NEW.kind) EXECUTE FUNCTION {_KIND_TRIGGER}_trg()",
        ]
    else:
        statements = _sqlite_row_triggers(
            "allocations_allocation", _FLAGS_PREFIX, lambda row: _sqlite_update("allocations_child", _child_terms, f"id = {row}.child_id")
        )
        statements += [
            f"DROP TRIGGER IF EXISTS {_KIND_TRIGGER}",
            f"CREATE TRIGGER {_KIND_TRIGGER} AFTER UPDATE OF kind ON devices_device WHEN OLD.kind IS NOT NEW.kind BEGIN "
            + _sqlite_update("allocations_child", _child_terms, _KIND_CHILDREN)
            + "; END",
        ]
    _execute(statements, schema_editor)


def drop_child_flag_triggers(schema_editor=None):
    names = {
        "allocations_allocation": [f"{_FLAGS_PREFIX}_{e.lower()}" for e, _r, _rows in _EVENTS],
        "devices_device": [_KIND_TRIGGER],
    }
    functions = [f"{_FLAGS_PREFIX}_trg()", f"{_KIND_TRIGGER}_trg()", "allocations_refresh_child_flags(bigint[])"]
    _drop(names, functions, schema_editor)


def refresh_child_flags(child_ids=None, schema_editor=None):
    """Recompute ``has_active_laptop`` / ``laptop_handed_over`` (of ``child_ids``, or of every
    child) from the allocations; returns how many rows changed (0 in normal running)."""
    return _refresh("allocations_child", _child_terms, "allocations_refresh_child_flags", child_ids, schema_editor)
