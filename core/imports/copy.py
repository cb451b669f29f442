"""Bulk inserts with PostgreSQL ``COPY``, history rows included.

``create_with_history(objs, model, user=...)`` does what
``simple_history.utils.bulk_create_with_history`` does (the rows, then one "+" history row
each, recorded as ``user``), but on PostgreSQL it streams both with ``COPY ... FROM STDIN``
instead of building multi-row ``INSERT`` statements: ids come from the table's sequence up
front, so the caller gets ``obj.pk`` set, and Django's per-value preparation is skipped for the
plain column types (text, numbers, booleans, dates, foreign keys). Other databases fall back
to ``bulk_create_with_history``. Triggers fire as for any insert (``COPY`` runs them).
"""

from __future__ import annotations

import functools
from types import SimpleNamespace

from django.db import connections, models
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


def _copy(connection, table, fields, rows_of_values):
    qn = connection.ops.quote_name
    sql = f"COPY {qn(table)} ({', '.join(qn(f.column) for f in fields)}) FROM STDIN"
    with connection.cursor() as cursor:
        with cursor.cursor.copy(sql) as copy:
            for values in rows_of_values:
                copy.write_row(values)


class RowValues(SimpleNamespace):
    """A row to insert, lighter than a model instance (whose ``__init__`` was a fifth of a
    100,000-row import): every concrete field's attname, plus ``pk``."""

    @property
    def pk(self):
        return self.id


@functools.cache
def _defaults(model):
    return {f.attname: f.get_default() for f in model._meta.concrete_fields if not f.primary_key}


def new_row(model, **values):
    """A ``RowValues`` for ``model`` with every field's default (PostgreSQL only: elsewhere
    ``create_with_history`` needs model instances, so use ``model(**values)``)."""
    return RowValues(id=None, **{**_defaults(model), **values})


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
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [opts.db_table, pk.column, len(objs)])
        ids = [row[0] for row in cursor.fetchall()]
    now = timezone.now()
    fields = list(opts.concrete_fields)
    stamped = [f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    instances = isinstance(objs[0], models.Model)
    for obj, new_id in zip(objs, ids):
        setattr(obj, pk.attname, new_id)
        for name in stamped:
            setattr(obj, name, now)
        if instances:
            obj._state.adding = False
            obj._state.db = alias
    prep = _preparers(fields, connection)

    def values(obj):
        return [getattr(obj, name) if f is None else f.get_db_prep_save(getattr(obj, name), connection) for name, f in prep]

    _copy(connection, opts.db_table, fields, (values(o) for o in objs))

    history = model.history.model
    hfields = [f for f in history._meta.concrete_fields if f.attname != "history_id"]
    tracked = [f.attname for f in hfields if not f.attname.startswith("history_")]
    reason_null = history._meta.get_field("history_change_reason").null
    user_id = getattr(user, "pk", None)
    extra = {"history_date": now, "history_type": "+", "history_change_reason": change_reason if (change_reason or not reason_null) else None, "history_user_id": user_id}
    if extra["history_change_reason"] is None and not reason_null:
        extra["history_change_reason"] = ""
    order = [f.attname for f in hfields]

    def hvalues(obj):
        return [getattr(obj, name) if name in tracked_set else extra[name] for name in order]

    tracked_set = set(tracked)
    _copy(connection, history._meta.db_table, hfields, (hvalues(o) for o in objs))
    return objs
