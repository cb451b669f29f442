"""Every list page's table body, rendered by ``core.tables.page_cells``, is cell for cell what
django-tables2's own ``BoundRow.get_cell`` renders for the same table."""

import pytest
from django.urls import reverse

from accounts.models import User
from core.tables import page_cells
from core.tests.access import routes
from core.tests.conftest import ROLE_USERS
from core.views import ObjectListView


def list_routes():
    found = []
    for route in routes():
        view_class = getattr(route.callback, "view_class", None)
        if view_class and issubclass(view_class, ObjectListView) and not route.kwarg_names:
            found.append((route.name, view_class))
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
