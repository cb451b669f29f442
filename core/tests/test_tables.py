"""Every list page's table body, rendered by ``core.tables.page_cells``, is cell for cell what
django-tables2's own ``BoundRow.get_cell`` renders for the same table."""

import datetime

import django_tables2 as tables
import pytest
from django.urls import reverse

from accounts.models import User
from core.tables import DateColumn, DateTimeColumn, page_cells
from core.tests.access import routes
from core.tests.conftest import ROLE_USERS
from core.views import ObjectListView


def list_routes():
    found = []
    for route in routes():
        if route.view_class and issubclass(route.view_class, ObjectListView) and not route.kwarg_names:
            found.append((route.name, route.view_class))
    return found


def test_the_list_pages_are_found():
    names = [name for name, _ in list_routes()]
    assert "devices:device_list" in names and "support:queue" in names and len(names) >= 8


@pytest.mark.parametrize("role", ["admin", "council_officer", "support_agent"])
def test_page_cells_match_django_tables2_on_every_list_page(world, db, client, role):
    client.force_login(User.objects.get(username=ROLE_USERS[role]))
    compared = 0
    for name, view_class in list_routes():
        optional = getattr(view_class.table_class, "optional_columns", ())
        query = "?per_page=200" + "".join(f"&columns={column}" for column in optional)
        response = client.get(reverse(name) + query)
        if response.status_code != 200:
            continue  # not this role's page (the access walker checks who may see what)
        table = response.context["table"]
        ours = page_cells(table)
        theirs = [[row.get_cell(column.name) for column in table.columns] for row in table.paginated_rows]
        assert [[str(cell) for cell in row] for row in ours] == [[str(cell) for cell in row] for row in theirs], name
        compared += sum(len(row) for row in ours)
    assert compared > 100


@pytest.mark.parametrize(
    "value",
    [
        datetime.datetime(2026, 7, 1, 23, 30, tzinfo=datetime.timezone.utc),  # 00:30 on 2 July in London
        datetime.datetime(2026, 12, 31, 23, 59, 59, tzinfo=datetime.timezone.utc),
        datetime.date(2026, 3, 29),
        None,
    ],
)
@pytest.mark.parametrize("fmt", ["d/m/Y H:i", "d/m/Y", None])
def test_date_columns_render_what_the_date_filter_renders(value, fmt):
    """core.tables' date columns give the page text and export values of django-tables2's own."""

    class Both(tables.Table):
        theirs_dt = tables.DateTimeColumn(format=fmt, accessor="v")
        ours_dt = DateTimeColumn(format=fmt, accessor="v")
        theirs_d = tables.DateColumn(format=fmt, accessor="v")
        ours_d = DateColumn(format=fmt, accessor="v")

    table = Both([{"v": value}])
    row = table.rows[0]
    kinds = ("dt", "d")
    if type(value) is datetime.date:
        # A date with a time format is an error in django-tables2's columns: not compared.
        kinds = () if fmt and "H" in fmt else ("d",)
    for kind in kinds:
        assert row.get_cell(f"ours_{kind}") == row.get_cell(f"theirs_{kind}")
        assert row.get_cell_value(f"ours_{kind}") == row.get_cell_value(f"theirs_{kind}")
    if len(kinds) == 2:
        assert page_cells(table)[0] == [row.get_cell(name) for name in ("theirs_dt", "ours_dt", "theirs_d", "ours_d")]


def test_tables_get_the_project_date_columns_for_fields_they_do_not_declare():
    from support.models import Ticket

    class Auto(tables.Table):
        class Meta:
            model = Ticket
            fields = ("created_at", "first_response_due")

    assert type(Auto.base_columns["created_at"]) is DateTimeColumn
