"""The cells of a table page, rendered with the work per column done once.

django-tables2 defines every table in the project (columns, sorting, paging, exports). Its own
cell loop (``BoundRow.get_cell``) repeats per cell what is the same for the whole column: it
inspects the render method's signature, looks up the model field behind the accessor, and for a
field with choices calls ``get_FOO_display()``, which rebuilds the choices dict and translates
every label. On a 25-row device list that was about half of the page's CPU. ``page_cells``
keeps django-tables2's rules (the same accessor, choice labels, empty values and defaults,
render methods, ``render_FOO`` on the table, links) and does the per-column part once per page.
``tests/test_tables.py`` checks it cell by cell against ``BoundRow.get_cell`` for every table.
"""

import django_tables2 as tables
from django.db import models
from django.utils import formats
from django.utils.encoding import force_str
from django.utils.timezone import template_localtime
from django_tables2.columns.linkcolumn import BaseLinkColumn
from django_tables2.columns.manytomanycolumn import ManyToManyColumn
from django_tables2.columns.base import library
from django_tables2.utils import A, signature


class _ColumnCells:
    """Renders one column's cell for any row of one table page."""

    def __init__(self, table, bound_column):
        self.table = table
        self.bound_column = bound_column
        self.column = bound_column.column
        self.accessor = A(bound_column.accessor)
        path, _, self.remainder = self.accessor.rpartition(A.SEPARATOR)
        self.path = A(path)
        self.render = bound_column.render
        args, kwargs_name = signature(self.render)
        self.args = None if kwargs_name else tuple(args)
        self.link = bound_column.link
        self.default = bound_column.default
        self.empty_values = self.column.empty_values
        self.is_many_to_many = isinstance(self.column, ManyToManyColumn)
        self.link_text = isinstance(self.column, BaseLinkColumn) and self.column.text is not None
        self.labels = {}  # model class -> {stored value: label} or None (not a choices field)

    def _labels_for(self, record, penultimate):
        key = type(record)
        if key not in self.labels:
            labels = None
            field = self.accessor.get_field(record)
            if getattr(field, "choices", ()) and hasattr(penultimate, f"get_{self.remainder}_display"):
                # What get_FOO_display() returns, built once per page instead of once per cell.
                labels = {value: force_str(label, strings_only=True) for value, label in field.flatchoices}
            self.labels[key] = labels
        return self.labels[key]

    def __call__(self, row):
        record = row.record
        value = None
        resolve = True
        penultimate = self.path.resolve(record, quiet=True) if self.path else record
        if isinstance(penultimate, models.Model):
            labels = self._labels_for(record, penultimate)
            if labels is not None:
                stored = getattr(penultimate, self.remainder)
                try:
                    value = labels.get(stored, stored)
                except TypeError:  # an unhashable stored value: let Django look it up
                    value = getattr(penultimate, f"get_{self.remainder}_display")()
                resolve = False
        if resolve and self.remainder:
            try:
                value = self.accessor.resolve(record)
            except Exception:
                if self.link_text:
                    return self._render(row, None)
        if value in self.empty_values or (self.is_many_to_many and not value.exists()):
            return self.default
        return self._render(row, value)

    def _render(self, row, value):
        kwargs = {
            "value": value, "record": row.record, "column": self.column, "bound_column": self.bound_column,
            "bound_row": row, "table": self.table,
        }
        if self.args is None:
            content = self.render(**kwargs)
        elif all(arg in kwargs for arg in self.args):
            content = self.render(**{arg: kwargs[arg] for arg in self.args})
        else:
            content = None
        return self.link(content, **kwargs) if self.link else content


def page_cells(table):
    """A list of rows, each the list of rendered cells, for the table's current page."""
    columns = [_ColumnCells(table, bound_column) for bound_column in table.columns]
    return [[cells(row) for cells in columns] for row in table.paginated_rows]


class _FormattedDate:
    """django-tables2's date columns are template columns: each cell compiles and renders the
    template ``{{ value|date:"…" }}``. These render the same text the ``date`` filter gives
    (local time for datetimes, then ``formats.date_format``), without the template; exports
    are unchanged (ISO dates and times)."""

    def __init__(self, format=None, short=True, *args, **kwargs):
        super().__init__(format, short, *args, **kwargs)
        self.date_format = format or self.default_format(short)

    def render(self, value, bound_column):
        # The template was {{ value|date:"…"|default:default }}.
        text = ""
        if value not in (None, ""):
            try:
                text = formats.date_format(template_localtime(value), self.date_format)
            except (AttributeError, TypeError):  # not a date, or a time format for a date
                text = ""
        return text or bound_column.default


@library.register
class DateColumn(_FormattedDate, tables.DateColumn):
    @staticmethod
    def default_format(short):
        return "SHORT_DATE_FORMAT" if short else "DATE_FORMAT"


@library.register
class DateTimeColumn(_FormattedDate, tables.DateTimeColumn):
    """Registered after ``DateColumn`` so that datetime fields get this one (the library tries
    the last registered first, and a DateTimeField is a DateField)."""

    @staticmethod
    def default_format(short):
        return "SHORT_DATETIME_FORMAT" if short else "DATETIME_FORMAT"
