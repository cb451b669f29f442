"""Published statistical tables: the London view, its open-data CSV and the DfE return's sheets.

A ``StatTable`` is rows of counts with a total row. It knows which cells add up to which (row
relations such as "with a device + awaiting = needing a device", and column totals), so
``reports.suppression`` can hide small counts and every cell that would give one away.
"""

from dataclasses import dataclass, field

from reports import suppression

TOTAL = "__total__"


@dataclass
class Column:
    key: str
    label: str
    kind: str = "count"  # count | money | share | text
    summed: bool = True  # the total row's cell is the sum of the rows' cells
    hide_with: tuple = ()  # hide this cell when any of these cells (same row) is hidden
    width: int = 14


@dataclass
class StatTable:
    """Rows ``(key, labels, values)``; ``labels`` are text cells shown before the figures."""

    columns: list
    label_headers: list
    rows: list = field(default_factory=list)
    total_labels: list = field(default_factory=list)
    total_values: dict = field(default_factory=dict)
    row_relations: list = field(default_factory=list)  # [(total_col, [part_cols])] for every row
    conditional_relations: object = None  # callable(values) -> [(total_col, [part_cols])]
    suppress_small: bool = True

    def _cells(self):
        cells = {}
        for key, _, values in self.rows:
            for c in self.columns:
                if c.kind == "count":
                    cells[(key, c.key)] = int(values.get(c.key) or 0)
        for c in self.columns:
            if c.kind == "count":
                cells[(TOTAL, c.key)] = int(self.total_values.get(c.key) or 0)
        return cells

    def _relations(self):
        relations = []
        keyed = [(key, values) for key, _, values in self.rows] + [(TOTAL, self.total_values)]
        for key, values in keyed:
            specs = list(self.row_relations)
            if self.conditional_relations:
                specs += self.conditional_relations(values)
            for total_col, parts in specs:
                relations.append(((key, total_col), [(key, p) for p in parts]))
        for c in self.columns:
            if c.kind == "count" and c.summed and self.rows:
                relations.append(((TOTAL, c.key), [(key, c.key) for key, _, _ in self.rows]))
        return relations

    def hidden(self):
        """Cells to show as ``[c]``; computed once per table (call again after changing rows)."""
        cached = getattr(self, "_hidden", None)
        if cached is not None:
            return set(cached)
        if not self.suppress_small:
            return set()
        hidden = suppression.suppress(self._cells(), self._relations())
        keys = [key for key, _, _ in self.rows] + [TOTAL]
        for key in keys:
            for c in self.columns:
                if any((key, other) in hidden for other in c.hide_with):
                    hidden.add((key, c.key))
        self._hidden = frozenset(hidden)
        return set(hidden)

    def published(self):
        """``(header, rows)`` with hidden cells shown as ``[c]``; the last row is the total."""
        hidden = self.hidden()
        header = list(self.label_headers) + [c.label for c in self.columns]
        out = []
        for key, labels, values in self.rows + [(TOTAL, self.total_labels, self.total_values)]:
            row = list(labels)
            for c in self.columns:
                value = values.get(c.key)
                row.append(suppression.SUPPRESSED if (key, c.key) in hidden else value)
            out.append(row)
        return header, out
