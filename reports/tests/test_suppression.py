"""Small-number suppression: primary (1-4), secondary, and attempts to derive hidden cells."""

import itertools

from reports.statistics import TOTAL, Column, StatTable
from reports.suppression import derivable, grid_relations, suppress


def brute_force_values(cells, hidden, relations, truth, spread=2):
    """Every non-negative assignment within ``spread`` of the truth consistent with what is shown."""
    hidden = sorted(hidden, key=repr)
    ranges = [range(max(0, truth[k] - spread), truth[k] + spread + 1) for k in hidden]
    solutions = []
    for combo in itertools.product(*ranges):
        trial = dict(cells)
        trial.update(zip(hidden, combo))
        if all(trial[t] == sum(trial[p] for p in parts) for t, parts in relations):
            solutions.append(dict(zip(hidden, combo)))
    return solutions


def grid(values):
    """A grid with row totals ('T' column) and column totals ('T' row)."""
    rows, cols = range(len(values)), range(len(values[0]))
    cells = {(r, c): values[r][c] for r in rows for c in cols}
    for r in rows:
        cells[(r, "T")] = sum(values[r])
    for c in cols:
        cells[("T", c)] = sum(values[r][c] for r in rows)
    cells[("T", "T")] = sum(sum(v) for v in values)
    return cells, grid_relations(rows, cols, total_row="T", total_col="T")


def test_primary_suppression_hides_one_to_four_not_zero_or_five():
    cells, relations = grid([[0, 5, 20], [30, 40, 50]])
    assert suppress(cells, relations) == set()
    cells, relations = grid([[1, 25, 20], [30, 40, 50]])
    hidden = suppress(cells, relations)
    assert (0, 0) in hidden


def test_single_small_cell_cannot_be_worked_out_from_row_or_column_totals():
    cells, relations = grid([[3, 25, 20], [30, 40, 50], [12, 9, 60]])
    hidden = suppress(cells, relations)
    assert (0, 0) in hidden
    # Secondary cells in the same row and column.
    assert len([k for k in hidden if k[0] == 0]) >= 2
    assert len([k for k in hidden if k[1] == 0]) >= 2
    assert derivable(hidden, relations) == set()
    # Exhaustive attack: the small cell takes more than one value consistent with what is shown.
    published = {k: v for k, v in cells.items() if k not in hidden}
    solutions = brute_force_values(published, hidden, relations, cells)
    assert len({s[(0, 0)] for s in solutions}) > 1


def test_every_hidden_cell_has_more_than_one_possible_value():
    cells, relations = grid([[2, 7, 9], [6, 1, 8], [11, 13, 4]])
    hidden = suppress(cells, relations)
    assert {(0, 0), (1, 1), (2, 2)} <= hidden
    assert derivable(hidden, relations) == set()
    published = {k: v for k, v in cells.items() if k not in hidden}
    assert len(hidden) <= 9
    solutions = brute_force_values(published, hidden, relations, cells, spread=1)
    for key in hidden:
        assert len({s[key] for s in solutions}) > 1, key


def test_derivable_detects_a_cell_given_away_by_a_total():
    cells, relations = grid([[3, 25], [30, 40]])
    # Hiding only the small cell leaves it derivable from its row total.
    assert derivable({(0, 0)}, relations) == {(0, 0)}


def test_stat_table_hides_derived_money_with_its_count():
    table = StatTable(
        columns=[Column("a", "A"), Column("b", "B"), Column("total", "Total"), Column("cost", "Cost", kind="money", summed=False, hide_with=("a",))],
        label_headers=["Name"],
        row_relations=[("total", ["a", "b"])],
    )
    table.rows = [(1, ["x"], {"a": 2, "b": 30, "total": 32, "cost": 700}), (2, ["y"], {"a": 20, "b": 31, "total": 51, "cost": 7000})]
    table.total_values = {"a": 22, "b": 61, "total": 83, "cost": 7700}
    header, rows = table.published()
    assert rows[0][1] == "[c]" and rows[0][4] == "[c]"
    hidden = table.hidden()
    assert (1, "a") in hidden
    # No published row or column lets anyone recover the 2.
    assert derivable({k for k in hidden if k[1] != "cost"}, table._relations()) == set()
    assert TOTAL in {k[0] for k in hidden} or (2, "a") in hidden
