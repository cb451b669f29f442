"""Connection plans: choosing a child's plan, the voucher stock and its import, the pages, and
the data gap split by plan on every surface."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import SchoolFactory
from allocations.tests.factories import ChildFactory
from connectivity import plans
from connectivity.models import ConnectionPlan, DataVoucher
from connectivity.plan_imports import SPEC
from connectivity.tests.factories import DataVoucherFactory, NetworkRequestFactory, SimFactory
from core.imports.engine import ImportRejected, commit, validate

K = ConnectionPlan.Kind


@pytest.fixture
def child(school):
    return ChildFactory(school=school, needs_connectivity=True, reference="CAM-0001")


# --- choosing a plan ------------------------------------------------------------------------


def test_choosing_a_plan_replaces_the_current_one_and_keeps_history(child, officer):
    first = plans.choose_plan(child=child, kind=K.COUNCIL_PLAN, by=officer, provider="EE", monthly_cost=Decimal("10"))
    second = plans.choose_plan(child=child, kind=K.SOCIAL_TARIFF, by=officer, provider="BT Home Essentials", outcome="referred")
    first.refresh_from_db()
    assert not first.is_current and first.replaced_at is not None
    assert plans.current_plan(child) == second
    assert ConnectionPlan.objects.filter(child=child).count() == 2
    assert second.history.count() == 1


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kind": K.SOCIAL_TARIFF}, "Name the provider of the social tariff."),
        ({"kind": K.COUNCIL_PLAN, "outcome": "accepted"}, "Only a social tariff referral has an outcome."),
        ({"kind": K.DATA_BANK}, "Give the child a voucher from the stock."),
        ({"kind": K.FAMILY_DATA}, "Raise a request for extra data on the family's own phone first, then choose it here."),
        ({"kind": "magic"}, "Choose where the child's data will come from."),
    ],
)
def test_plan_choices_refused_with_reasons(child, officer, kwargs, message):
    with pytest.raises(ValidationError) as exc:
        plans.choose_plan(child=child, by=officer, **kwargs)
    assert message in exc.value.messages
    assert not ConnectionPlan.objects.exists()


def test_a_child_who_does_not_need_connectivity_gets_no_plan(school, officer):
    child = ChildFactory(school=school, needs_connectivity=False)
    with pytest.raises(ValidationError):
        plans.choose_plan(child=child, kind=K.COUNCIL_PLAN, by=officer)


def test_cover_until_before_the_start_is_refused(child, officer):
    with pytest.raises(ValidationError):
        plans.choose_plan(child=child, kind=K.COUNCIL_PLAN, by=officer, starts=datetime.date(2027, 5, 1), ends=datetime.date(2027, 4, 1))
    assert not ConnectionPlan.objects.exists()


def test_family_data_plan_links_the_childs_request(child, officer, la):
    request = NetworkRequestFactory(kind="family_data", local_authority=la, child=child, sim=None, msisdn="+447700900555", network=SimFactory(local_authority=la).network)
    plan = plans.choose_plan(child=child, kind=K.FAMILY_DATA, by=officer, network_request=request)
    assert plan.network_request == request
    other_child = ChildFactory(school=child.school, needs_connectivity=True)
    with pytest.raises(ValidationError):
        plans.choose_plan(child=other_child, kind=K.FAMILY_DATA, by=officer, network_request=request)


# --- vouchers -------------------------------------------------------------------------------


def test_give_the_next_voucher_in_stock(child, officer, la):
    later = DataVoucherFactory(local_authority=la, expires=datetime.date(2031, 1, 1))
    sooner = DataVoucherFactory(local_authority=la, expires=datetime.date(2030, 1, 1))
    plan = plans.give_voucher(child=child, by=officer)
    assert plan.kind == K.DATA_BANK and plan.voucher == sooner and plan.is_current
    sooner.refresh_from_db()
    assert sooner.given_to == child and sooner.given_by == officer and sooner.given_at
    later.refresh_from_db()
    assert later.given_to is None
    assert plan.starts == timezone.localdate() and plan.ends > plan.starts


def test_a_voucher_code_given_out_twice_is_refused(child, officer, la, school):
    voucher = DataVoucherFactory(local_authority=la, code="NDB-TWICE")
    plans.give_voucher(child=child, by=officer, code="ndb-twice")
    other = ChildFactory(school=school, needs_connectivity=True)
    with pytest.raises(ValidationError) as exc:
        plans.give_voucher(child=other, by=officer, code="NDB-TWICE")
    assert "cannot be given twice" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        plans.give_voucher(child=other, by=officer, voucher=voucher)
    assert not ConnectionPlan.objects.filter(child=other).exists()
    voucher.refresh_from_db()
    assert voucher.given_to == child


def test_one_voucher_per_child(child, officer, la):
    DataVoucherFactory(local_authority=la)
    DataVoucherFactory(local_authority=la)
    plans.give_voucher(child=child, by=officer)
    with pytest.raises(ValidationError) as exc:
        plans.give_voucher(child=child, by=officer)
    assert "already been given voucher" in exc.value.messages[0]
    assert DataVoucher.objects.filter(given_to=child).count() == 1


def test_the_database_refuses_a_second_voucher_for_a_child(child, officer, la):
    from django.db import IntegrityError, transaction

    a, b = DataVoucherFactory(local_authority=la), DataVoucherFactory(local_authority=la)
    now = timezone.now()
    DataVoucher.objects.filter(pk=a.pk).update(given_to=child, given_at=now)
    with pytest.raises(IntegrityError), transaction.atomic():
        DataVoucher.objects.filter(pk=b.pk).update(given_to=child, given_at=now)


def test_vouchers_of_another_council_or_expired_are_refused(child, officer, la, other_la):
    DataVoucherFactory(local_authority=other_la, code="NDB-HACKNEY")
    with pytest.raises(ValidationError) as exc:
        plans.give_voucher(child=child, by=officer, code="NDB-HACKNEY")
    assert exc.value.messages == ["No voucher with this code is in the council's stock."]
    DataVoucherFactory(local_authority=la, code="NDB-OLD", expires=datetime.date(2020, 1, 1))
    with pytest.raises(ValidationError) as exc:
        plans.give_voucher(child=child, by=officer, code="NDB-OLD")
    assert "expired" in exc.value.messages[0]
    with pytest.raises(ValidationError) as exc:
        plans.give_voucher(child=child, by=officer)
    assert "no data bank vouchers in stock" in exc.value.messages[0]


# --- voucher import -------------------------------------------------------------------------


def write(tmp_path, text, name="vouchers.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_voucher_import_dry_run_then_commit(la, tmp_path, officer):
    path = write(tmp_path, "Voucher code,Provider,Type,Data,Expiry date\nndb-0001,National Databank,Voucher,20 GB,31/12/2027\nNDB-0002,,SIM,500 MB,\n")
    ctx = validate(SPEC, path, local_authority=la)
    assert ctx.ok and ctx.counts == {"created": 2}
    assert not DataVoucher.objects.exists()  # a dry run writes nothing
    commit(SPEC, path, local_authority=la, user=officer)
    a, b = DataVoucher.objects.order_by("code")
    assert (a.code, a.provider, a.kind, a.data_mb, a.expires, a.local_authority) == ("NDB-0001", "National Databank", "voucher", 20480, datetime.date(2027, 12, 31), la)
    assert (b.code, b.provider, b.kind, b.data_mb, b.expires) == ("NDB-0002", "National Databank", "sim", 500, None)
    assert a.history.count() == 1


def test_voucher_import_row_errors_and_nothing_written(la, other_la, tmp_path):
    DataVoucherFactory(local_authority=other_la, code="NDB-TAKEN")
    path = write(
        tmp_path,
        "Voucher code,Provider,Type,Data,Expiry date\n"
        "NDB-0001,National Databank,Voucher,20 GB,31/12/2027\n"
        "NDB-0001,National Databank,Voucher,20 GB,31/12/2027\n"
        "NDB-TAKEN,National Databank,Voucher,20 GB,31/12/2027\n"
        "NDB-0003,National Databank,Dongle,lots,31/02/2027\n"
        ",National Databank,Voucher,20 GB,31/12/2027\n",
    )
    lines = validate(SPEC, path, local_authority=la).error_lines()
    assert "row 3, Voucher code: This voucher code is also on row 2." in lines
    assert "row 4, Voucher code: This voucher code is already recorded: a voucher code cannot be added twice." in lines
    assert any(line.startswith("row 5, Type: “Dongle” is not a kind") for line in lines)
    assert any(line.startswith("row 5, Data: “lots” is not an amount of data") for line in lines)
    assert any(line.startswith("row 5, Expiry date:") for line in lines)
    assert "row 6, Voucher code: Enter the voucher code." in lines
    with pytest.raises(ImportRejected):
        commit(SPEC, path, local_authority=la)
    assert DataVoucher.objects.count() == 1


def test_the_voucher_import_is_on_the_import_pages(officer_client):
    response = officer_client.get(reverse("core:import_upload") + "?kind=vouchers")
    assert response.status_code == 200
    assert "Data bank vouchers" in response.content.decode()


# --- pages ----------------------------------------------------------------------------------


def test_choose_a_plan_check_your_answers_then_confirm(officer_client, child):
    url = reverse("connectivity:plan_choose", args=[child.pk])
    page = officer_client.get(url)
    assert page.status_code == 200 and "No plan yet" in page.content.decode()
    data = {"plan-kind": "social_tariff", "plan-provider": "BT Home Essentials", "plan-outcome": "referred", "plan-monthly_cost": "15", "plan-ends": "31/08/2028"}
    check = officer_client.post(url, data)
    assert check.status_code == 200
    html = check.content.decode()
    assert "Check your answers" in html and "BT Home Essentials" in html and "31/08/2028" in html
    assert not ConnectionPlan.objects.exists()
    done = officer_client.post(url, {**data, "confirm": "yes"})
    assert done.status_code == 302 and done["Location"].endswith(f"/children/{child.pk}/#connection-plan")
    plan = plans.current_plan(child)
    assert (plan.kind, plan.provider, plan.outcome, plan.monthly_cost, plan.ends) == ("social_tariff", "BT Home Essentials", "referred", Decimal("15.00"), datetime.date(2028, 8, 31))
    child_page = officer_client.get(reverse("allocations:child_detail", args=[child.pk])).content.decode()
    assert "Data when the plan ends" in child_page and "A social tariff referral" in child_page


def test_choose_page_shows_problems_not_500(officer_client, child):
    url = reverse("connectivity:plan_choose", args=[child.pk])
    for data in ({}, {"plan-kind": "social_tariff"}, {"plan-kind": "council_plan", "plan-starts": "31/02/2027"},
                 {"plan-kind": "council_plan", "plan-starts": "01/05/2027", "plan-ends": "01/04/2027"},
                 {"plan-kind": "data_bank", "confirm": "yes"}, {"plan-kind": "family_data", "plan-network_request": "999999"},
                 {"plan-kind": "council_plan", "plan-monthly_cost": "-5"}):
        response = officer_client.post(url, data)
        assert response.status_code == 200, data
        assert "There is a problem" in response.content.decode(), data
    assert not ConnectionPlan.objects.exists()


def test_give_a_data_bank_voucher_from_the_child_page_flow(officer_client, child, la):
    DataVoucherFactory(local_authority=la, code="NDB-0042")
    url = reverse("connectivity:plan_choose", args=[child.pk])
    check = officer_client.post(url, {"plan-kind": "data_bank"})
    assert "NDB-0042" in check.content.decode()
    officer_client.post(url, {"plan-kind": "data_bank", "confirm": "yes"})
    assert DataVoucher.objects.get(code="NDB-0042").given_to == child


def test_give_voucher_page_by_child_reference(officer_client, child, la, other_la):
    voucher = DataVoucherFactory(local_authority=la)
    url = reverse("connectivity:voucher_give", args=[voucher.pk])
    assert officer_client.get(url).status_code == 200
    hackney_child = ChildFactory(school=SchoolFactory(local_authority=other_la), needs_connectivity=True, reference="HCK-1")
    refused = officer_client.post(url, {"child_reference": "HCK-1"})
    assert "No child with this reference" in refused.content.decode()
    check = officer_client.post(url, {"child_reference": "cam-0001"})
    assert check.status_code == 200 and "Give the voucher" in check.content.decode()
    officer_client.post(url, {"child_reference": "cam-0001", "confirm": "yes"})
    voucher.refresh_from_db()
    assert voucher.given_to == child and hackney_child.data_vouchers.count() == 0
    again = officer_client.post(url, {"child_reference": "cam-0001", "confirm": "yes"})
    assert "cannot be given twice" in again.content.decode()


def test_children_without_a_plan_list_is_scoped_filtered_and_exported(client, users, school, la, other_la):
    other_school = SchoolFactory(local_authority=la, name="Other Camden School")
    no_plan = ChildFactory(school=school, needs_connectivity=True, reference="CAM-NOPLAN")
    planned = ChildFactory(school=school, needs_connectivity=True, reference="CAM-PLANNED")
    plans.choose_plan(child=planned, kind=K.COUNCIL_PLAN, by=users["council_officer"])
    said_none = ChildFactory(school=school, needs_connectivity=True, reference="CAM-SAIDNONE")
    plans.choose_plan(child=said_none, kind=K.NONE, by=users["council_officer"])
    ChildFactory(school=school, needs_connectivity=False, reference="CAM-NONEED")
    ChildFactory(school=other_school, needs_connectivity=True, reference="CAM-OTHERSCHOOL")
    ChildFactory(school=SchoolFactory(local_authority=other_la), needs_connectivity=True, reference="HCK-NOPLAN")
    url = reverse("connectivity:plan_gap_list")
    client.force_login(users["council_officer"])
    html = client.get(url).content.decode()
    assert "CAM-NOPLAN" in html and "CAM-SAIDNONE" in html and "CAM-OTHERSCHOOL" in html
    assert "CAM-PLANNED" not in html and "CAM-NONEED" not in html and "HCK-NOPLAN" not in html
    assert "CAM-OTHERSCHOOL" not in client.get(url, {"school": school.pk}).content.decode()
    csv_text = b"".join(client.get(url, {"_export": "csv"}).streaming_content).decode()
    assert "CAM-NOPLAN" in csv_text and "HCK-NOPLAN" not in csv_text
    client.force_login(users["school_staff"])
    html = client.get(url).content.decode()
    assert "CAM-NOPLAN" in html and "CAM-OTHERSCHOOL" not in html
    assert no_plan


def test_voucher_list_scoped_with_import_link(client, users, la, other_la, django_assert_max_num_queries):
    DataVoucherFactory(local_authority=la, code="NDB-CAMDEN")
    DataVoucherFactory(local_authority=other_la, code="NDB-HACKNEY")
    client.force_login(users["council_officer"])
    with django_assert_max_num_queries(14):
        html = client.get(reverse("connectivity:voucher_list")).content.decode()
    assert "NDB-CAMDEN" in html and "NDB-HACKNEY" not in html and "?kind=vouchers" in html and "Give to a child" in html
    client.force_login(users["school_staff"])
    assert client.get(reverse("connectivity:voucher_list")).status_code == 403
    client.force_login(users["cio"])
    assert client.get(reverse("connectivity:plan_choose", args=[ChildFactory(school=SchoolFactory(local_authority=la), needs_connectivity=True).pk])).status_code == 403


def test_plan_pages_of_another_council_are_404(client, users, other_la):
    hackney_child = ChildFactory(school=SchoolFactory(local_authority=other_la), needs_connectivity=True)
    voucher = DataVoucherFactory(local_authority=other_la)
    client.force_login(users["council_officer"])
    assert client.get(reverse("connectivity:plan_choose", args=[hackney_child.pk])).status_code == 404
    assert client.post(reverse("connectivity:plan_choose", args=[hackney_child.pk]), {"plan-kind": "council_plan", "confirm": "yes"}).status_code == 404
    assert client.post(reverse("connectivity:voucher_give", args=[voucher.pk]), {"child_reference": "x", "confirm": "yes"}).status_code == 404
    assert not ConnectionPlan.objects.exists()


def test_anonymising_a_child_blanks_their_plan_notes(child, officer):
    from allocations.services import anonymise_child

    plan = plans.choose_plan(child=child, kind=K.COUNCIL_PLAN, by=officer, notes="Mum (Mrs Nowak) asked for a call on 07700 900123")
    anonymise_child(child=child)
    plan.refresh_from_db()
    assert plan.notes == "" and plan.kind == K.COUNCIL_PLAN
    assert not plan.history.exclude(notes="").exists()


def test_plan_pages_query_counts_are_fixed(officer_client, school, officer, la, django_assert_max_num_queries):
    children = [ChildFactory(school=school, needs_connectivity=True) for _ in range(30)]
    for c in children[:10]:
        plans.choose_plan(child=c, kind=K.COUNCIL_PLAN, by=officer)
    with django_assert_max_num_queries(12):
        assert officer_client.get(reverse("connectivity:plan_gap_list") + "?per_page=200").status_code == 200
    with django_assert_max_num_queries(12):
        assert officer_client.get(reverse("connectivity:plan_choose", args=[children[0].pk])).status_code == 200
    for _ in range(20):
        DataVoucherFactory(local_authority=la)
    with django_assert_max_num_queries(14):
        assert officer_client.get(reverse("connectivity:voucher_list") + "?per_page=200").status_code == 200
