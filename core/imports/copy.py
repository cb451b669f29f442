"""Bulk inserts with PostgreSQL ``COPY``, history rows included.

``create_with_history(objs, model, user=...)`` does what
``simple_history.utils.bulk_create_with_history`` does (the rows, then one "+" history row
each, recorded as ``user``), but on PostgreSQL it streams both with ``COPY ... FROM STDIN``
instead of building multi-row ``INSERT`` statements: ids come from the table's sequence up
front, so the caller gets ``obj.pk`` set, and Django's per-value preparation is skipped for the
plain column types (text, numbers, booleans, dates, foreign keys). Other databases fall back
to ``bulk_create_with_history``. Triggers fire as for any insert (``COPY`` runs them).

On PostgreSQL the rows may be plain dicts (``new_row``): each row's values are then taken
with one ``operator.itemgetter`` call, so no model instance and no per-field Python call is
made for a row of plain columns. The history rows are written by the server from the rows
just copied (``INSERT INTO history ... SELECT ... FROM table WHERE id IN (the new ids)``),
except in ``create_columns_with_history`` with plain columns, which copies them in binary from
the very columns the rows were copied from: the same values either way, with ``history_date``
the write's time, ``history_type`` "+" and ``history_user_id`` the importing user, as
``bulk_create_with_history`` sets them.

``field__any_of=values`` (``AnyOf``, registered on every field when this module is imported)
looks a long list up as one array parameter on PostgreSQL.
"""

from __future__ import annotations

import functools
import itertools
import operator

from django.db import connections, models
from django.db.models import Lookup
from django.utils import timezone

#: Field types whose Python value psycopg adapts directly.
_PLAIN = (
    models.CharField,
    models.TextField,
    models.BooleanField,
    models.IntegerField,
    models.DateTimeField,
    models.DateField,
    models.ForeignKey,
    models.AutoField,
)


def _preparers(fields, connection):
    out = []
    for f in fields:
        if isinstance(f, _PLAIN) and not isinstance(f, (models.GenericIPAddressField,)):
            out.append((f.attname, None))
        else:
            out.append((f.attname, f))
    return out


#: PostgreSQL column types (as ``Field.db_type`` names them, before any "(n)") -> the type
#: name a binary ``COPY`` is told; binary values are not converted by the server, so a column
#: of any other type makes the copy textual.
_BINARY_TYPES = {
    "varchar": "varchar",
    "text": "text",
    "bigint": "int8",
    "integer": "int4",
    "smallint": "int2",
    "boolean": "bool",
    "date": "date",
    "timestamp with time zone": "timestamptz",
}


def _binary_types(fields, connection):
    """The binary ``COPY`` type of each field's column, or ``None`` when one has no plain one."""
    types = []
    for f in fields:
        name = (f.db_type(connection) or "").split("(")[0].strip()
        if name not in _BINARY_TYPES:
            return None
        types.append(_BINARY_TYPES[name])
    return types


def _copy(connection, table, fields, rows_of_values, types=None):
    """``COPY`` the rows in; in binary when ``types`` (one per field) are given: psycopg's C
    dumpers write binary values with no formatting (a sixth of the client time of text for
    100,000 children, the same server time)."""
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"
    if types:
        sql += " (FORMAT BINARY)"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            if types:
                copy.set_types(types)
            for values in rows_of_values:
                copy.write_row(values)


@functools.cache
def _defaults(model):
    return {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


def new_row(model, **values):
    """A dict of every concrete field's attname for ``model`` (its default unless given) and
    ``id``, for ``create_with_history`` on PostgreSQL (elsewhere it needs model instances, so
    use ``model(**values)``)."""
    return {"id": None, **_defaults(model), **values}


class AnyOf(Lookup):
    """``field__any_of=values``: ``field = ANY(%s)`` with the list as one array parameter on
    PostgreSQL (which hashes the array: 35 ms for 100,000 references, where ``IN (SELECT
    unnest(...))`` probed the index once per value and took 1.5 s, and one placeholder per
    value cost the client cursor most of a second to quote and split); ``IN (...)`` elsewhere."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            return "1 = 0", list(lhs_params)
        if connection.vendor == "postgresql":
            # Sent as one string split by the server: adapting a 100,000-item list is a Python
            # loop in the client cursor; a join is not. A value holding the separator (a control
            # character no reader keeps) falls back to the list.
            if all(v.__class__ is int for v in values):
                return f"{lhs} = ANY(string_to_array(%s, ',')::bigint[])", [*lhs_params, ",".join(map(str, values))]
            if all(v.__class__ is str and v for v in values):
                joined = "\x1f".join(values)
                if joined.count("\x1f") == max(len(values) - 1, 0):
                    return f"{lhs} = ANY(string_to_array(%s, chr(31)))", [*lhs_params, joined]
            return f"{lhs} = ANY(%s)", [*lhs_params, values]
        return f"{lhs} IN ({', '.join(['%s'] * len(values))})", [*lhs_params, *values]


class Values:
    """A list for ``__any_of`` that Django does not walk item by item (it resolves each item of
    a list or tuple as a possible expression: 100,000 calls for nothing)."""

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = list(items)

    def __iter__(self):
        return iter(self.items)

    def __len__(self):
        return len(self.items)


models.Field.register_lookup(AnyOf)
models.ForeignObject.register_lookup(AnyOf)


def next_ids(connection, table, column, count):
    """``count`` new ids from the column's sequence (PostgreSQL), taken as any insert takes
    them, so concurrent writers never meet the same id. The sequence is looked up once, not
    once per id (``nextval(pg_get_serial_sequence(...))`` over ``generate_series`` calls the
    catalog lookup for every row: 0.4 s of 0.5 s for 100,000 ids)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, column])
        sequence = cursor.fetchone()[0]
        cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
        return [row[0] for row in cursor.fetchall()]


def use_copy(model):
    return connections[model.objects.db].vendor == "postgresql"


def create_with_history(objs, model, *, user=None, change_reason=None, batch_size=2000):
    """Insert ``objs`` (unsaved ``model`` instances, or ``new_row``s on PostgreSQL) and their
    creation history; sets each one's ``pk``."""
    from simple_history.utils import bulk_create_with_history

    if not objs:
        return objs
    alias = model.objects.db
    connection = connections[alias]
    if connection.vendor != "postgresql":
        return bulk_create_with_history(objs, model, batch_size=batch_size, default_user=user, default_change_reason=change_reason)
    opts = model._meta
    pk = opts.pk
    ids = next_ids(connection, opts.db_table, pk.column, len(objs))
    now = timezone.now()
    fields = list(opts.concrete_fields)
    stamped = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    dicts = isinstance(objs[0], dict)
    instances = isinstance(objs[0], models.Model)
    if dicts:
        for obj, new_id in zip(objs, ids):
            obj[pk.attname] = new_id
            for name in stamped:
                obj[name] = now
    else:
        for obj, new_id in zip(objs, ids):
            setattr(obj, pk.attname, new_id)
            for name in stamped:
                setattr(obj, name, now)
            if instances:
                obj._state.adding = False
                obj._state.db = alias
    prep = _preparers(fields, connection)
    names = [name for name, _f in prep]
    if dicts and all(f is None for _name, f in prep):
        values = operator.itemgetter(*names)
    elif dicts:

        def values(obj):
            return [obj[name] if f is None else f.get_db_prep_save(obj[name], connection) for name, f in prep]

    else:

        def values(obj):
            return [getattr(obj, name) if f is None else f.get_db_prep_save(getattr(obj, name), connection) for name, f in prep]

    _copy(connection, opts.db_table, fields, (values(o) for o in objs))

    _history_from_rows(connection, model, fields, ids, now, user, change_reason)
    return objs


def _history_from_rows(connection, model, fields, ids, now, user, change_reason):
    """The "+" history rows of the rows ``ids`` just written, made by the server from them."""
    opts = model._meta
    pk = opts.pk
    # The history rows are made by the server from the rows just written (the same values by
    # construction, and nothing sent twice): one INSERT ... SELECT per batch.
    history = model.history.model
    reason_null = history._meta.get_field("history_change_reason").null
    reason = change_reason or ("" if not reason_null else None)
    extra = {"history_date": now, "history_type": "+", "history_change_reason": reason, "history_user_id": getattr(user, "pk", None)}
    columns = {f.attname: f.column for f in fields}
    tracked = [(f.column, columns[f.attname]) for f in history._meta.concrete_fields if f.attname in columns and not f.attname.startswith("history_")]
    own = [(history._meta.get_field(name).column, value) for name, value in extra.items()]
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(history._meta.db_table)} ({', '.join(qn(h) for h, _c in tracked)}, {', '.join(qn(h) for h, _v in own)}) "
        f"SELECT {', '.join(qn(c) for _h, c in tracked)}, {', '.join(['%s'] * len(own))} "
        f"FROM {qn(opts.db_table)} WHERE {qn(pk.column)} = ANY(string_to_array(%s, ',')::bigint[]) ORDER BY {qn(pk.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for _c, v in own] + [",".join(map(str, ids))])


class _Same:
    """A column of one value for every row."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value


def create_columns_with_history(model, count, *, columns, constants=None, user=None, change_reason=None):
    """PostgreSQL only: insert ``count`` new rows given column by column (``columns``: attname
    -> a list of ``count`` values; ``constants``: attname -> one value for every row; any
    other field its default, ``auto_now``/``auto_now_add`` fields the time of the write) with
    ``COPY``, and their history rows. Returns the new ids, in row order.

    The rows are made by ``zip`` over the columns, so a row costs no Python call of its own;
    columns of non-plain field types are prepared a column at a time."""
    if not count:
        return []
    connection = connections[model.objects.db]
    opts = model._meta
    pk = opts.pk
    ids = next_ids(connection, opts.db_table, pk.column, count)
    now = timezone.now()
    fields = list(opts.concrete_fields)
    constants = dict(constants or {})
    defaults = _defaults(model)
    prep = dict(_preparers(fields, connection))
    cols = []
    for f in fields:
        name = f.attname
        if f.primary_key:
            cols.append(ids)
        elif name in columns:
            values = columns[name]
            if len(values) != count:
                raise ValueError(f"column {name} has {len(values)} values, not {count}")
            if prep[name] is not None:
                values = [f.get_db_prep_save(v, connection) for v in values]
            cols.append(values)
        else:
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
                value = now
            else:
                value = constants.get(name, defaults.get(name))
            if prep[name] is not None:
                value = f.get_db_prep_save(value, connection)
            cols.append(_Same(value))
    plain = all(prep[f.attname] is None for f in fields)
    types = _binary_types(fields, connection) if plain else None
    _copy(connection, opts.db_table, fields, zip(*(itertools.repeat(c.value, count) if isinstance(c, _Same) else c for c in cols)), types=types)
    if types:
        # The history rows from the same prepared columns, in a binary COPY of their own: the
        # values the children were written with, and a tenth of the server time of
        # ``INSERT ... SELECT`` by id (1.0 s against 0.1 s for 100,000 children).
        history = model.history.model
        by_name = {f.attname: c for f, c in zip(fields, cols)}
        reason_null = history._meta.get_field("history_change_reason").null
        extra = {
            "history_date": now,
            "history_type": "+",
            "history_change_reason": change_reason or ("" if not reason_null else None),
            "history_user_id": getattr(user, "pk", None),
        }
        hfields, hcols = [], []
        for f in history._meta.concrete_fields:
            if f.attname in extra:
                hfields.append(f)
                hcols.append(itertools.repeat(extra[f.attname], count))
            elif f.attname in by_name and not f.attname.startswith("history_"):
                column = by_name[f.attname]
                hfields.append(f)
                hcols.append(itertools.repeat(column.value, count) if isinstance(column, _Same) else column)
        htypes = _binary_types(hfields, connection)
        if htypes:
            _copy(connection, history._meta.db_table, hfields, zip(*hcols), types=htypes)
            return ids
    _history_from_rows(connection, model, fields, ids, now, user, change_reason)
    return ids
