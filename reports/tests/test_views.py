"""Dashboard, London view, DfE download, need estimates and tokens pages."""

import csv
import io
import re

import pytest
from django.urls import reverse

from reports.models import ApiToken, NeedEstimate
from reports.tests.factories import NeedEstimateFactory


def _pg_set_locals():
    from django.db import connection

    return 2 if connection.vendor == "postgresql" else 0


#: On PostgreSQL each horizon query also sets work_mem and jit for its transaction
#: (devices.horizon._run): two more statements per horizon query.
PG_SET_LOCALS = _pg_set_locals()


def test_cio_dashboard_shows_figures_with_tables_and_chart_data(client, users, small_la, django_assert_max_num_queries):
    client.force_login(users["cio"])
    with django_assert_max_num_queries(30 + PG_SET_LOCALS):
        response = client.get(reverse("reports:dashboard"))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="report-charts" type="application/json"' in html
    assert "£1,750.00" in html  # the laptop shortfall cost from test_figures
    assert "<script>" not in html.replace('<script type="application/json"', "")
    assert 'style="' not in html


def test_charts_colour_by_meaning_and_each_has_its_table(client, users, small_la):
    """Red is a loss, orange a risk, blue neutral (reports.views.TONES): "losing cover" is never
    drawn in green, and each chart sits beside a table of the same figures."""
    client.force_login(users["cio"])
    response = client.get(reverse("reports:dashboard"))
    charts = {c["id"]: c for c in response.context["charts"]["charts"]}
    assert charts["cliff"]["tones"] == "loss"
    assert charts["need-supply"]["tones"][-1] == "loss"  # the shortfall
    assert charts["progress"]["tones"][-1] == "risk"  # children still awaiting a device
    assert charts["allowance"]["tones"] == "risk"
    html = response.content.decode()
    for chart_id in charts:
        holder = html.index(f'data-chart="{chart_id}"')
        row = html[html.rindex('class="govuk-grid-row', 0, holder):]
        assert "<table" in row.split('class="govuk-grid-row', 2)[1], chart_id
    from django.conf import settings

    script = (settings.BASE_DIR / "static" / "js" / "reports.js").read_text()
    assert "#00703c" not in script.lower()  # no green series at all


def test_dashboard_refused_to_school_staff_and_london_lead(client, users, small_la):
    for role in ("school_staff", "london_lead"):
        client.force_login(users[role])
        assert client.get(reverse("reports:dashboard")).status_code == 403


def test_dfe_return_download(client, users, small_la):
    client.force_login(users["cio"])
    response = client.get(reverse("reports:dfe_return"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response.content[:2] == b"PK"


def test_london_view_has_no_small_counts(client, users, small_la, django_assert_max_num_queries):
    client.force_login(users["london_lead"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("reports:london"))
    assert response.status_code == 200
    cells = re.findall(r'govuk-table__cell--numeric">([^<]*)<', response.content.decode())
    assert cells and "[c]" in cells
    for value in cells:
        assert value == "[c]" or not 1 <= int(value) <= 4
    csv_response = client.get(reverse("reports:london_csv"))
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig"))))
    for row in rows[1:]:
        for value in row[2:]:
            assert value == "[c]" or not 1 <= int(value) <= 4


def test_london_table_cells_cannot_be_derived(small_la):
    from reports.london import london_table
    from reports.suppression import derivable

    table = london_table()
    hidden = table.hidden()
    assert hidden
    assert derivable(hidden, table._relations()) == set()


def test_london_view_is_only_for_the_london_lead(client, users, small_la):
    client.force_login(users["cio"])
    assert client.get(reverse("reports:london")).status_code == 403
    assert client.get(reverse("reports:london_csv")).status_code == 403


def test_school_staff_record_need_estimate_for_own_school_only(client, users, school, other_school):
    client.force_login(users["school_staff"])
    url = reverse("reports:need_estimate_create")
    response = client.post(url, {"school": other_school.pk, "kind": "laptop", "count": 3, "estimated_on": "2026-03-01"})
    assert response.status_code == 200 and not NeedEstimate.objects.exists()
    response = client.post(url, {"school": school.pk, "kind": "laptop", "count": 3, "estimated_on": "2026-03-01"})
    assert response.status_code == 302
    assert NeedEstimate.objects.get().count == 3


def test_need_estimates_scoped(client, users, school, other_school, django_assert_max_num_queries):
    mine = NeedEstimateFactory(school=school)
    theirs = NeedEstimateFactory(school=other_school)
    client.force_login(users["council_officer"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("reports:need_estimate_list"))
    assert mine.school.name in response.content.decode()
    assert theirs.school.name not in response.content.decode()
    assert client.get(reverse("reports:need_estimate_update", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("reports:need_estimate_delete", args=[theirs.pk])).status_code == 404


def test_token_created_shown_once_and_revocable(client, users):
    client.force_login(users["council_officer"])
    response = client.post(reverse("reports:token_create"), {"name": "Deliveries", "kind": "supplier", "supplier_name": "Computacenter"})
    assert response.status_code == 200
    raw = re.search(r'data-testid="raw-token">([^<]+)<', response.content.decode()).group(1)
    token = ApiToken.objects.get()
    assert token.token_hash != raw and raw.startswith(token.prefix)
    assert token.local_authority == users["council_officer"].local_authority
    detail = client.get(reverse("reports:token_detail", args=[token.pk]))
    assert raw not in detail.content.decode()
    client.post(reverse("reports:token_revoke", args=[token.pk]))
    token.refresh_from_db()
    assert token.revoked_at is not None


@pytest.mark.parametrize("role", ["school_staff", "cio", "london_lead", "support_agent"])
def test_token_pages_refused_to_other_roles(client, users, role):
    client.force_login(users[role])
    assert client.get(reverse("reports:token_list")).status_code == 403
