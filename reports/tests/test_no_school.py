"""Children who belong to the LA directly (no school) are counted on a line of their own in
every by-school breakdown, and the LA's totals still include them (issue 18)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from allocations.tests.factories import AllocationFactory, ChildFactory
from devices.tests.factories import DeviceFactory
from reports import definitions, figures, summaries

COUNCIL_LINE = "Children belonging to the council directly (no school)"
FIELDS = (
    "children_need_device", "children_with_device", "children_handed_over", "children_need_connectivity", "children_connected",
    "connectivity_gap_children", "devices", "estimated_device_need",
)


@pytest.fixture
def with_care_leavers(small_la):
    la = small_la["la"]
    today = timezone.localdate()
    handed = ChildFactory(school=None, local_authority=la, eligibility="care_leaver", needs_laptop=True)
    ChildFactory(school=None, local_authority=la, eligibility="care_leaver", needs_laptop=True, needs_connectivity=True)
    laptop = DeviceFactory(local_authority=la, school=None, status="handed_over", handed_over_on=today - datetime.timedelta(days=3))
    AllocationFactory(child=handed, device=laptop, status="handed_over", handed_over_on=today)
    return small_la


def test_the_school_table_has_a_line_for_them_and_the_totals_include_it(with_care_leavers):
    la = with_care_leavers["la"]
    dash = figures.dashboard(la)
    by_name = {row.name: row for row in dash.schools}
    council = by_name[COUNCIL_LINE]
    assert (council.children_need_device, council.children_with_device, council.children_handed_over) == (2, 1, 1)
    assert council.children_need_connectivity == 1 and council.key == figures.COUNCIL_CHILDREN
    # The small LA's four children at its school, and the two care leavers.
    assert dash.total.children_need_device == 6
    for name in FIELDS:
        assert getattr(dash.total, name) == sum(getattr(row, name) for row in dash.schools), name
    la_row = figures.la_shortfall([la.pk])[0]
    for name in FIELDS:
        assert getattr(la_row, name) == getattr(dash.total, name), name
    # The school's own line is unchanged by them.
    assert by_name[with_care_leavers["school"].name].children_need_device == 4


def test_the_summary_tables_give_the_same_line_as_the_source_tables(with_care_leavers, monkeypatch):
    la = with_care_leavers["la"]
    today = timezone.localdate()
    assert summaries.data_date() == today  # the figures read the summary tables
    from_summaries = figures.school_shortfall(la.pk, today)
    monkeypatch.setattr(summaries, "ENABLED", False)
    assert figures.school_shortfall(la.pk, today) == from_summaries
    assert any(row.name == COUNCIL_LINE for row in from_summaries)
    monkeypatch.setattr(summaries, "ENABLED", True)
    summaries.rebuild()  # recomputed from the source tables: the same
    assert figures.school_shortfall(la.pk, today) == from_summaries


def test_school_staff_figures_leave_them_out(with_care_leavers, users):
    facts = definitions.facts_for(users["school_staff"])
    assert definitions.value("children_needing_device", facts) == 4
    officer_facts = definitions.facts_for(users["council_officer"])
    assert definitions.value("children_needing_device", officer_facts) == 6


def test_the_dashboard_shows_the_line(with_care_leavers, client, users):
    client.force_login(users["cio"])
    page = client.get(reverse("reports:dashboard")).content.decode()
    assert COUNCIL_LINE in page


def _row(sheet, label):
    for row in sheet.iter_rows(values_only=True):
        if label in row:
            return row
    return None


def test_the_dfe_return_has_the_line_and_small_numbers_are_hidden_outside(with_care_leavers, users, tmp_path):
    from reports.dfe_return import write_return

    la = with_care_leavers["la"]
    full = load_workbook(write_return(la, tmp_path / "own.xlsx", viewer=users["cio"]))
    row = _row(full["Devices by school"], COUNCIL_LINE)
    assert row is not None and 2 in row
    assert _row(full["Connectivity"], COUNCIL_LINE) is not None
    outside = load_workbook(write_return(la, tmp_path / "outside.xlsx", viewer=users["london_lead"]))
    hidden = _row(outside["Devices by school"], COUNCIL_LINE)
    assert hidden is not None and "[c]" in hidden
    assert not any(isinstance(v, int) and 1 <= v <= 4 for v in hidden)
