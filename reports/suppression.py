"""Small-number suppression: one policy (who sees small numbers hidden) and one algorithm.

**The policy** (``hides_small_numbers``) decides, from the viewer and the LAs a figure is
about, whether counts from 1 to 4 are hidden; every page, export and API that shows per-LA
figures asks it (documented in ``docs/data-protection.md``, "Small numbers"):

* figures published as open data (the London view and its CSV) are always suppressed;
* a council's own figures shown to its own staff (officer, CIO, school staff, the LA's support
  agents), and the council's own DfE return, are shown in full;
* everyone else who sees more than their own LA (the London lead on every page, central
  support agents) sees every per-LA figure suppressed;
* administrators, who can already open every row, see figures in full.

Primary suppression hides every count from 1 to 4. Secondary suppression then hides more cells
until no hidden cell can be worked out exactly from the published cells and the table's sums.

A table is a set of cells (``key -> int``) and a list of additive relations: each relation is
``(total_key, [part_keys])`` meaning ``cells[total_key] == sum(cells[p] for p in parts)``. The
row totals, column totals and grand total of a table are all such relations.

A hidden cell can be derived exactly iff its unit vector lies in the row space of the relations
restricted to the hidden cells (published cells are constants). We test that with exact
rational elimination (``fractions.Fraction``), and while any hidden cell is derivable we hide
the smallest non-zero published cell of a relation through it that has the fewest hidden
cells (a total only when nothing else is left). Each round hides at least one more cell, so
this ends; usually in one or two rounds.
"""

from fractions import Fraction

PRIMARY_MIN, PRIMARY_MAX = 1, 4
SUPPRESSED = "[c]"


def hides_small_numbers(viewer, la_ids, *, published=False):
    """The one rule: whether figures about ``la_ids`` (``None``: every LA) shown to ``viewer``
    have their small numbers hidden. ``viewer`` ``None`` is the council itself (the
    ``dfe_return`` command writing its own LA's return); ``published``: open data."""
    if published:
        return True
    if viewer is None:
        return False
    if viewer.is_superuser or viewer.role == "admin":
        return False
    own = viewer.local_authority_id
    if viewer.role == "london_lead" or not own or la_ids is None:
        return True
    return any(int(i) != own for i in la_ids)


def is_primary(value):
    return isinstance(value, int) and PRIMARY_MIN <= value <= PRIMARY_MAX


def _equations(relations):
    """Each relation as ``{key: coefficient}`` with total − sum(parts) = 0."""
    eqs = []
    for total_key, parts in relations:
        eq = {}
        for p in parts:
            eq[p] = eq.get(p, 0) + 1
        eq[total_key] = eq.get(total_key, 0) - 1
        eqs.append({k: v for k, v in eq.items() if v})
    return eqs


def derivable(hidden, relations):
    """The hidden cells whose exact value follows from the relations and the published cells.

    Relations that share no hidden cell are independent, so the system is split into
    connected components and each is reduced on its own (small systems, fast).
    """
    hidden = set(hidden)
    if not hidden:
        return set()
    eqs = [{k: c for k, c in eq.items() if k in hidden} for eq in _equations(relations)]
    eqs = [eq for eq in eqs if eq]
    parent = {k: k for k in hidden}

    def find(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for eq in eqs:
        keys = list(eq)
        for other in keys[1:]:
            a, b = find(keys[0]), find(other)
            if a != b:
                parent[a] = b
    groups = {}
    for eq in eqs:
        groups.setdefault(find(next(iter(eq))), []).append(eq)
    found = set()
    for group_eqs in groups.values():
        found |= _derivable_in(group_eqs)
    return found


def _derivable_in(eqs):
    """Exact reduced row echelon form of one component; the pivots with no free variable."""
    keys = sorted({k for eq in eqs for k in eq}, key=repr)
    index = {k: i for i, k in enumerate(keys)}
    n = len(keys)
    rows = []
    for eq in eqs:
        row = [Fraction(0)] * n
        for k, c in eq.items():
            row[index[k]] = Fraction(c)
        rows.append(row)
    pivots = []
    r = 0
    for col in range(n):
        if r == len(rows):
            break
        pivot = next((i for i in range(r, len(rows)) if rows[i][col] != 0), None)
        if pivot is None:
            continue
        rows[r], rows[pivot] = rows[pivot], rows[r]
        lead = rows[r][col]
        rows[r] = [v / lead for v in rows[r]]
        for i in range(len(rows)):
            if i != r and rows[i][col] != 0:
                factor = rows[i][col]
                rows[i] = [a - factor * b for a, b in zip(rows[i], rows[r])]
        pivots.append(col)
        r += 1
    pivot_set = set(pivots)
    free = [c for c in range(n) if c not in pivot_set]
    return {keys[col] for i, col in enumerate(pivots) if all(rows[i][f] == 0 for f in free)}


def suppress(cells, relations, protect=()):
    """Return the set of keys to hide.

    ``cells``: ``{key: int}``; ``relations``: see the module docstring; ``protect``: keys never
    primarily suppressed (for example a count known to be public). Zero is never primary.
    """
    hidden = {k for k, v in cells.items() if is_primary(v) and k not in protect}
    totals = {t for t, _ in relations}
    relation_sets = [set(parts) | {t} for t, parts in relations]
    for _ in range(len(cells) + 1):
        exposed = derivable(hidden, relations)
        if not exposed:
            return hidden
        touched = set()
        for key in sorted(exposed, key=repr):
            if key in touched:
                continue
            candidates = [s for s in relation_sets if key in s and (s - hidden)]
            if not candidates:
                continue
            # The relation with the fewest hidden cells is the one that gives the cell away.
            rel = min(candidates, key=lambda s: (len(s & hidden), len(s)))
            options = sorted(
                rel - hidden,
                key=lambda k: (k in totals, cells[k] == 0, cells[k], repr(k)),
            )
            hidden.add(options[0])
            # Cells in this relation may now be protected; re-check them next round.
            touched |= rel
    return hidden


def grid_relations(row_keys, col_keys, total_row=None, total_col=None):
    """Relations for a grid of cells keyed ``(row, col)`` with optional totals.

    ``total_col``: the column holding each row's total; ``total_row``: the row holding each
    column's total (and, with both, the grand total at ``(total_row, total_col)``).
    """
    relations = []
    rows = list(row_keys) + ([total_row] if total_row is not None else [])
    cols = list(col_keys) + ([total_col] if total_col is not None else [])
    if total_col is not None:
        for r in rows:
            relations.append(((r, total_col), [(r, c) for c in col_keys]))
    if total_row is not None:
        for c in cols:
            relations.append(((total_row, c), [(r, c) for r in row_keys]))
    return relations


def apply(cells, hidden, marker=SUPPRESSED):
    """``cells`` with hidden values replaced by ``marker``."""
    return {k: (marker if k in hidden else v) for k, v in cells.items()}
