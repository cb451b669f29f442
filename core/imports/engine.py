"""The import engine: a declarative spec per kind of import, a dry run, an all-or-nothing commit.

A spec (``ImportSpec`` subclass) names its ``fields`` (header aliases, a parser, required or
not) and implements four hooks:

- ``begin(ctx)``: load whatever lookups the whole file needs, in a few queries (existing
  serials, schools by URN...). Never one query per row.
- ``check(ctx, row)``: rules for one row whose cells all parsed: call ``ctx.error(row, field,
  message)`` for each problem, ``ctx.count(key)`` for what the row would do, and keep what
  ``write`` needs in ``ctx.state``. Called in row order, so duplicates within the file are
  found by remembering keys.
- ``check_block(ctx, numbers, columns)`` (optional): the same rules for a block of rows at
  once, column by column (``columns``: field name -> the block's parsed values, ``None`` for an
  unmapped field). Returns the indexes of the rows that still need ``check``, or ``None`` for
  all of them (the default). It must report exactly what ``check`` would, so a spec does here
  only what it can decide for the whole block (every URN known, no reference repeated) and
  leaves any row that needs its own message to ``check``.
- ``finish(ctx)``: checks across rows, after the last one.
- ``write(ctx)``: the writes, called only when no row has an error, inside the single
  transaction ``commit`` opens. Bulk writes in batches. ``ctx.table`` holds every row (a
  ``Table``: row numbers and parsed columns), whichever way the commit got them.

``validate`` reads the file, maps columns, parses every cell and runs the checks; it returns
the context with every error (``row N, column: message``, N as the user's spreadsheet shows
it) and the counts. ``commit`` validates again (the database may have changed since the dry
run) and writes only when there are no errors, all inside one ``transaction.atomic``: any
exception leaves nothing written.

Reusing the dry run (``prepared=PATH``): a clean dry run given ``prepared`` keeps its parsed,
normalised rows there (``core.imports.prepared``: pickled, signed with an HMAC of the
``SECRET_KEY``, tied to the spec, the file's sha256, the sheet, the mapping and the LA). A
commit given the same path skips reading and parsing the file when that key still matches the
file it is given, and runs ``begin``/``check_block``/``check``/``finish`` over every stored row
again, so every
rule that depends on the database (or on today's date) is checked afresh at commit time; when
the key does not match, or the file is missing or its signature is wrong, the commit reads and
validates the file from scratch as before. The commit deletes the prepared file in any case.
"""

from __future__ import annotations

import gc
import itertools
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.imports.parsers import ParseError
from core.imports.readers import ReadError, header_key, open_spreadsheet

PROGRESS_EVERY = 2000


@dataclass(frozen=True)
class Field:
    """One column a spec understands."""

    name: str
    label: str
    parser: Callable
    aliases: tuple = ()
    required: bool = False
    help: str = ""

    def keys(self):
        return {header_key(a) for a in (self.name, str(self.label), *self.aliases)} - {""}

    def names(self):
        """Every name this field answers to (its own, its label, its aliases)."""
        return (self.name.replace("_", " "), str(self.label), *self.aliases)


class ImportRejected(Exception):
    """Commit refused: the file has row errors (``ctx`` holds them) or is unreadable."""

    def __init__(self, message, ctx=None):
        super().__init__(message)
        self.message = message
        self.ctx = ctx


@dataclass(slots=True)
class Row:
    number: int
    data: dict


class Table:
    """The parsed rows of a pass, column by column: ``numbers`` (the spreadsheet's row numbers)
    and ``columns`` (every field name -> a list of values in row order, or ``None`` for a field
    no column is mapped to)."""

    __slots__ = ("numbers", "columns")

    def __init__(self, numbers, columns):
        self.numbers = numbers
        self.columns = columns

    def __len__(self):
        return len(self.numbers)

    def column(self, name):
        values = self.columns.get(name)
        return values if values is not None else [None] * len(self.numbers)

    def row(self, j):
        return Row(self.numbers[j], {name: (values[j] if values is not None else None) for name, values in self.columns.items()})


@dataclass
class ImportContext:
    """Everything one validation pass learned: errors, counts, and the spec's own state."""

    spec: "ImportSpec"
    local_authority: object
    user: object
    mapping: dict
    committing: bool = False
    filename: str = ""
    header_row: int = 1
    headers: list = field(default_factory=list)
    sheet_name: str = ""
    total_rows: int = 0
    errors: list = field(default_factory=list)
    counts: Counter = field(default_factory=Counter)
    rows: list = field(default_factory=list)
    state: dict = field(default_factory=dict)
    error_rows: set = field(default_factory=set)
    #: True when a commit checked a dry run's stored rows instead of reading the file again
    reused: bool = False
    #: when committing: every row that reached the checks, as a ``Table`` (for ``write``)
    table: Table | None = None

    def column(self, field_name):
        """The column heading the user sees for a field (their header, else our label)."""
        header = self.mapping.get(field_name)
        if header:
            return header
        f = self.spec.field(field_name)
        return str(f.label) if f else field_name

    def error(self, row, field_name, message):
        number = row.number if isinstance(row, Row) else row
        self.errors.append({"row": number, "column": self.column(field_name) if field_name else "", "message": str(message)})
        self.error_rows.add(number)

    def count(self, key, n=1):
        self.counts[key] += n

    @property
    def ok(self):
        return not self.errors

    def error_lines(self):
        """Each error as ``row N, column: message``."""
        return [format_error(e) for e in self.errors]


def format_error(e):
    if e.get("column"):
        return _("row %(row)s, %(column)s: %(message)s") % e
    return _("row %(row)s: %(message)s") % e


class ImportSpec:
    """Base class of every import kind. See the module docstring for the hooks."""

    kind = ""
    title = ""
    fields: tuple = ()
    #: count key -> label shown on the dry-run page, in display order.
    count_labels: dict = {}
    #: count key -> (label once imported, url name of the list that shows those rows or "").
    #: Keys not here are not shown after an import (error counts, "to create" forecasts).
    done_labels: dict = {}
    #: whether the file must have at least one data row
    batch_size = 2000
    #: rows per ``COPY`` batch where a spec writes with ``core.imports.copy`` (PostgreSQL)
    copy_batch_size = 20_000

    def field(self, name):
        for f in self.fields:
            if f.name == name:
                return f
        return None

    def header_aliases(self):
        keys = set()
        for f in self.fields:
            keys |= f.keys()
        return keys

    def begin(self, ctx):
        pass

    def check(self, ctx, row):
        pass

    def check_block(self, ctx, numbers, columns):
        return None

    def finish(self, ctx):
        pass

    def write(self, ctx):
        raise NotImplementedError


# --------------------------------------------------------------------------- mapping


def guess_mapping(spec, headers, remembered=None):
    """field name -> header, from a remembered mapping first, then names and aliases: the exact
    name (``header_key``), then the same words however abbreviated, punctuated or ordered
    (``headers.match_key``), then a heading that contains a field's name (taken only when
    exactly one unused heading does). ``headers.describe_columns`` says which rule took each."""
    from core.imports.headers import contains_field, match_key

    remembered = remembered or {}
    by_key, by_match = {}, {}
    for h in headers:
        if h:
            by_key.setdefault(header_key(h), h)
            by_match.setdefault(match_key(h), h)
    used = set()
    mapping = {}
    for f in spec.fields:
        header = remembered.get(f.name)
        if header and header in headers and header not in used:
            mapping[f.name] = header
            used.add(header)
    for index, keyfunc in ((by_key, header_key), (by_match, match_key)):
        for f in spec.fields:
            if f.name in mapping:
                continue
            for name in (f.name.replace("_", " "), str(f.label), *f.aliases):
                h = index.get(keyfunc(name))
                if h and h not in used:
                    mapping[f.name] = h
                    used.add(h)
                    break
    # Last resort: a heading that contains a field's name ("SIM number (ICCID)"). The longest
    # name contained wins ("Parent email address" is the email, not the parent's name); a
    # field that two headings contain equally is left for the officer to choose.
    candidates = []
    for f in spec.fields:
        if f.name in mapping:
            continue
        for h in dict.fromkeys(x for x in headers if x):
            if h not in used:
                score = contains_field(f, h)
                if score:
                    candidates.append((score, f.name, h))
    candidates.sort(key=lambda c: -c[0])
    for score, name, h in candidates:
        if name in mapping or h in used:
            continue
        rivals = [c for c in candidates if c[1] == name and c[0] == score and c[2] not in used]
        if len(rivals) > 1:
            continue
        mapping[name] = h
        used.add(h)
    return mapping


def clean_mapping(spec, headers, mapping):
    """Keep only known fields mapped to headers that exist; each header used once."""
    result = {}
    used = set()
    for f in spec.fields:
        h = (mapping or {}).get(f.name)
        if h and h in headers and h not in used:
            result[f.name] = h
            used.add(h)
    return result


def _aliases_for(spec, mapping):
    names = set()
    for f in spec.fields:
        names.update(f.names())
    return names | {h for h in (mapping or {}).values() if h}


def open_for_spec(spec, source, *, filename=None, sheet=None, mapping=None):
    """Open a file with header detection tuned to ``spec`` (and a remembered mapping)."""
    return open_spreadsheet(source, filename=filename, sheet=sheet or None, header_aliases=_aliases_for(spec, mapping))


def open_headers_for_spec(spec, source, *, filename=None, sheet=None, mapping=None):
    """Like ``open_for_spec`` but for reading the header row only: an XLSX is streamed from its
    first rows (openpyxl, read-only), never loaded whole, so a huge sheet costs nothing here."""
    return open_spreadsheet(source, filename=filename, sheet=sheet or None, header_aliases=_aliases_for(spec, mapping), headers_only=True)


# --------------------------------------------------------------------------- validate / commit


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector: a pass keeps ~100,000 small dicts alive, and the
    collector's repeated full scans of them made big files quadratic. Reference counting still
    frees everything as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


PARSE_CACHE_SIZE = 4096


BLOCK_ROWS = 5000
_MISS = object()
_STR_OR_NONE = frozenset({str, type(None)})


class _ColumnParser:
    """A field's parser applied a column (a block of rows) at a time, remembering its answers
    for the pass: parsers are pure, and most columns repeat a few values (year groups,
    languages, yes/no, the school), so a 100,000-row file parses each distinct cell once. Keyed
    by type too (``1``, ``1.0`` and ``True`` are equal keys in a dict but not the same cell);
    at most ``PARSE_CACHE_SIZE`` answers kept per column, so a column of unique values costs
    one parse a cell, as without the memo. Errors are remembered as errors."""

    def __init__(self, parser):
        self.parser = parser
        self.cache = {}

    def column(self, cells, required):
        """``(parsed values, [(index, message or None for "missing")])`` for ``cells``."""
        # Text and empty cells are their own keys (no other type's value equals a string or
        # ``None``); a block with other types keys every cell by its type too.
        plain = set(map(type, cells)) <= _STR_OR_NONE
        keys = cells if plain else list(zip(map(type, cells), cells))
        cache = self.cache
        try:
            distinct = set(keys)
        except TypeError:  # an unhashable cell (no reader yields one): parse cell by cell
            return self._uncached(cells, required)
        if plain and len(distinct) == len(cells) and not (cache and not distinct.isdisjoint(cache.keys())):
            # Every cell different and none seen before (references, phone numbers): parsed in
            # row order, with no memo to build or look up.
            try:
                parsed = list(map(self.parser, cells))
            except ParseError:
                parsed = list(map(self._one, cells))
            else:
                if not (required and (None in parsed or "" in parsed)):
                    return parsed, ()
            return parsed, self._errors(parsed, required)
        hit = distinct & cache.keys() if cache else ()
        found = {key: cache[key] for key in hit}
        failed = any(v.__class__ is _Failed or (required and (v is None or v == "")) for v in found.values())
        misses = list(distinct - hit) if hit else list(distinct)
        if misses:
            values = misses if plain else [key[1] for key in misses]
            try:
                results = list(map(self.parser, values))  # no Python loop of ours per value
            except ParseError:  # some value does not parse: one at a time, each error kept
                results = list(map(self._one, values))
                failed = True
            if required and (None in results or "" in results):
                failed = True
            found.update(zip(misses, results))
            room = PARSE_CACHE_SIZE - len(cache)
            if room > 0:
                cache.update(itertools.islice(zip(misses, results), room))
        parsed = list(map(found.__getitem__, keys))
        if not failed:
            return parsed, ()
        return parsed, self._errors(parsed, required)

    @staticmethod
    def _errors(parsed, required):
        errors = []
        for j, result in enumerate(parsed):
            if result.__class__ is _Failed:
                errors.append((j, result.message))
            elif required and (result is None or result == ""):
                errors.append((j, None))
        return errors


    def _one(self, value):
        try:
            return self.parser(value)
        except ParseError as exc:
            return _Failed(exc.message)

    def _uncached(self, cells, required):
        parsed, errors = [], []
        for j, value in enumerate(cells):
            try:
                result = self.parser(value)
            except ParseError as exc:
                result = _Failed(exc.message)
                errors.append((j, exc.message))
            else:
                if required and (result is None or result == ""):
                    errors.append((j, None))
            parsed.append(result)
        return parsed, errors


class _Failed:
    __slots__ = ("message",)

    def __init__(self, message):
        self.message = message


def validate(spec, source, *, local_authority, user=None, mapping=None, sheet=None, filename=None, committing=False, progress=None, prepared=None):
    """Read ``source`` and check every row. Returns an ``ImportContext``; raises ``ReadError``
    only for files that cannot be read at all (too big, not a spreadsheet, ...). With
    ``prepared`` (a path), a pass that finds no error keeps its parsed rows there for
    ``commit`` (see the module docstring); a pass with errors removes any stale one."""
    from core.imports import prepared as prep

    digest = prep.source_sha256(source) if prepared else ""
    with gc_paused():
        ctx = _validate(spec, source, local_authority=local_authority, user=user, mapping=mapping, sheet=sheet, filename=filename, committing=committing, progress=progress, keep=bool(prepared))
    if prepared:
        if ctx.ok:
            prep.save(prepared, key=prep.key(spec, digest, mapping=mapping, sheet=sheet, filename=filename, local_authority=local_authority), ctx=ctx, table=ctx.table)
        else:
            prep.discard(prepared)
    if not committing:
        ctx.table = None  # kept (or not) above; a dry run's caller does not need them
    return ctx


def _check_rows(spec, ctx, numbers, columns, names):
    """The spec's row checks over one block: ``check_block`` for what it can decide column by
    column, then ``check`` (one ``Row`` each) for the rows it leaves, in row order."""
    todo = spec.check_block(ctx, numbers, columns)
    if todo is not None and not todo:
        return
    check = spec.check
    cols = [columns[name] for name in names]
    if todo is None:
        everything = [itertools.repeat(None) if c is None else c for c in cols]
        for number, *values in zip(numbers, *everything):
            check(ctx, Row(number, dict(zip(names, values))))
        return
    for j in todo:
        check(ctx, Row(numbers[j], {name: (None if c is None else c[j]) for name, c in zip(names, cols)}))


def _validate(spec, source, *, local_authority, user, mapping, sheet, filename, committing, progress, keep=False):
    with open_for_spec(spec, source, filename=filename, sheet=sheet, mapping=mapping) as sheet_:
        headers = sheet_.headers
        if mapping is None:
            mapping = guess_mapping(spec, headers)
        mapping = clean_mapping(spec, headers, mapping)
        ctx = ImportContext(
            spec=spec,
            local_authority=local_authority,
            user=user,
            mapping=mapping,
            committing=committing,
            filename=sheet_.filename,
            header_row=sheet_.header_row,
            headers=headers,
            sheet_name=sheet_.sheet_name,
        )
        missing = [f for f in spec.fields if f.required and f.name not in mapping]
        for f in missing:
            ctx.errors.append(
                {
                    "row": sheet_.header_row,
                    "column": str(f.label),
                    "message": _("There is no column for %(label)s. Add one, or choose which column holds it.") % {"label": f.label},
                }
            )
        if missing:
            return ctx
        index = {}
        for i, h in enumerate(headers):
            index.setdefault(h, i)  # a repeated heading: its first column
        plan = [(f.name, _ColumnParser(f.parser), f.required, index[mapping[f.name]]) for f in spec.fields if f.name in mapping]
        names = tuple(name for name, *_rest in plan)
        all_names = tuple(f.name for f in spec.fields)
        unmapped = dict.fromkeys(name for name in all_names if name not in mapping)
        # Every row that reaches the checks, column by column: what the commit writes from and
        # what a dry run keeps for it.
        table = Table([], {**{name: [] for name in names}, **unmapped}) if keep or committing else None
        spec.begin(ctx)
        if progress and sheet_.estimated_rows:
            progress(0, sheet_.estimated_rows)
        n = 0
        missing_message = _("This is missing.")
        for numbers, cells in sheet_.blocks(BLOCK_ROWS):  # a block of rows, as columns
            size = len(numbers)
            bad = set()  # indexes in the block of rows with a cell error
            columns = []
            # Column by column: each distinct cell of the block parsed once (or remembered from
            # earlier blocks), then the whole column looked up at C speed. Errors are added in
            # field order per row, as a row-by-row pass would (they are sorted by row below).
            for name, parser, required, i in plan:
                parsed, errors = parser.column(cells[i], required)
                if errors:
                    for j, message in errors:
                        ctx.error(numbers[j], name, missing_message if message is None else message)
                        bad.add(j)
                columns.append(parsed)
            if bad:
                good = [j for j in range(size) if j not in bad]
                numbers = [numbers[j] for j in good]
                columns = [[c[j] for j in good] for c in columns]
            by_name = {**dict(zip(names, columns)), **unmapped}
            if table is not None:
                table.numbers.extend(numbers)
                for name, values in zip(names, columns):
                    table.columns[name].extend(values)
            _check_rows(spec, ctx, numbers, by_name, all_names)
            n += size
            if progress:
                progress(n)
        ctx.total_rows = n
        if n == 0:
            ctx.errors.append({"row": sheet_.header_row + 1, "column": "", "message": _("There are no rows under the header row.")})
        spec.finish(ctx)
        ctx.errors.sort(key=lambda e: e["row"])
        ctx.table = table
        if progress:
            progress(n, n)
        return ctx


def commit(spec, source, *, local_authority, user=None, mapping=None, sheet=None, filename=None, progress=None, before_write=None, prepared=None, job=None):
    """Validate again and, only if every row is valid, write everything in one transaction.

    Raises ``ImportRejected`` (nothing written) when any row has an error. Any exception from
    ``spec.write`` rolls the whole import back. With ``prepared`` (the path a clean dry run was
    given), the rows parsed by that dry run are checked again instead of reading the file, when
    they belong to this very file, sheet, mapping and LA (see the module docstring);
    ``ctx.reused`` says which happened. ``job``: the ``ImportJob`` being committed, if any, for
    ``spec.write`` to record what it wrote against (``ctx.state["job"]``).
    """
    from core.imports import prepared as prep

    try:
        ctx = None
        if prepared:
            stored = prep.load(prepared)
            if stored is not None:
                ctx = _recheck(spec, stored, source, local_authority=local_authority, user=user, mapping=mapping, sheet=sheet, filename=filename, progress=progress)
        if ctx is None:
            ctx = validate(
                spec, source, local_authority=local_authority, user=user, mapping=mapping, sheet=sheet, filename=filename, committing=True, progress=progress
            )
    finally:
        if prepared:
            prep.discard(prepared)
    if not ctx.ok:
        n = len(ctx.errors)
        raise ImportRejected(ngettext("The file has %(n)s error, so nothing was imported.", "The file has %(n)s errors, so nothing was imported.", n) % {"n": n}, ctx)
    ctx.state["job"] = job
    if before_write:
        before_write(ctx)
    with gc_paused(), transaction.atomic():
        spec.write(ctx)
    return ctx


def _recheck(spec, stored, source, *, local_authority, user, mapping, sheet, filename, progress):
    """The commit's checks over a dry run's stored rows, or ``None`` when they are not this
    file's (a different file, sheet, mapping, LA or spec): then the caller validates afresh."""
    from core.imports import prepared as prep

    # The key is made of this call's own arguments and the bytes of this file: the headers and
    # mapping stored with it follow from those alone, so they are this file's.
    if stored["key"] != prep.key(spec, prep.source_sha256(source), mapping=mapping, sheet=sheet, filename=filename, local_authority=local_authority):
        return None
    ctx = ImportContext(
        spec=spec,
        local_authority=local_authority,
        user=user,
        mapping=stored["mapping"],
        committing=True,
        filename=stored["filename"],
        header_row=stored["header_row"],
        headers=stored["headers"],
        sheet_name=stored["sheet_name"],
    )
    all_names = tuple(f.name for f in spec.fields)
    kept = dict(zip(stored["names"], stored["columns"]))
    table = Table(stored["numbers"], {name: kept.get(name) for name in all_names})
    numbers, total = table.numbers, stored["total_rows"]
    with gc_paused():
        spec.begin(ctx)
        if progress:
            progress(0, total)
        # The same blocks as a dry run's, so ``check_block`` meets them as it would there.
        for start in range(0, len(numbers), BLOCK_ROWS):
            stop = start + BLOCK_ROWS
            block = {name: (None if values is None else values[start:stop]) for name, values in table.columns.items()}
            _check_rows(spec, ctx, numbers[start:stop], block, all_names)
            if progress:
                progress(min(stop, len(numbers)))
        ctx.total_rows = total
        spec.finish(ctx)
        ctx.errors.sort(key=lambda e: e["row"])
        if progress:
            progress(total, total)
    ctx.table = table
    ctx.reused = True
    return ctx


__all__ = [
    "Field",
    "ImportContext",
    "ImportRejected",
    "ImportSpec",
    "ParseError",
    "ReadError",
    "Row",
    "Table",
    "clean_mapping",
    "commit",
    "format_error",
    "guess_mapping",
    "header_key",
    "open_for_spec",
    "open_headers_for_spec",
    "validate",
]
