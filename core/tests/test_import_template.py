"""The blank template offered on every import's upload page: the columns the import reads, with
what each accepts, which maps back with no help."""

import io

import pytest
from openpyxl import load_workbook

from core.imports.engine import guess_mapping
from core.imports.registry import available_kinds

pytestmark = pytest.mark.django_db


def test_the_upload_page_says_what_each_column_accepts_and_offers_the_template(client, users):
    client.force_login(users["council_officer"])
    page = client.get("/imports/new/?kind=delivery").content.decode()
    assert "laptop, tablet or router" in page and "between 1990 and 2100" in page
    assert "/imports/template.xlsx?kind=delivery" in page


@pytest.mark.parametrize("kind", [kind for kind, _spec in available_kinds()])
def test_every_kinds_template_lists_its_columns_and_maps_itself(client, users, kind):
    client.force_login(users["council_officer"])
    response = client.get(f"/imports/template.xlsx?kind={kind}")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    fill, guide = book.worksheets
    headers = [c.value for c in next(fill.iter_rows(max_row=1))]
    spec = dict(available_kinds())[kind]
    assert headers == [str(f.label) for f in spec.fields]
    mapping = guess_mapping(spec, headers)
    assert {f.name for f in spec.fields} <= set(mapping.values()) | set(mapping), mapping
    rows = list(guide.iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows[: len(spec.fields)]] == headers
    required = {str(f.label) for f in spec.fields if f.required}
    assert {r[0] for r in rows[: len(spec.fields)] if r[1] == "Yes"} == required


def test_an_unknown_kind_is_a_404_and_only_officers_download(client, users):
    client.force_login(users["council_officer"])
    assert client.get("/imports/template.xlsx?kind=nope").status_code == 404
    client.force_login(users["school_staff"])
    assert client.get("/imports/template.xlsx?kind=delivery").status_code == 403
