"""The spreadsheet import of extra-data requests on families' own phones (kind ``family_data``):
every row error as ``row N, column: message``, nothing written unless every row is valid."""

import pytest

from allocations.tests.factories import ChildFactory
from connectivity import services
from connectivity.models import NetworkRequest
from connectivity.tests.factories import NetworkOperatorFactory
from core.imports import services as imports
from core.imports.engine import format_error
from core.imports.testing import csv_bytes, upload, xlsx_bytes

HEADER = ["Child reference", "Account holder", "Mobile number", "Network", "PAYG or contract", "Consent"]


@pytest.fixture
def world(la, other_la, school, officer):
    ee = NetworkOperatorFactory(name="EE", slug="ee")
    NetworkOperatorFactory(name="Vodafone", slug="vodafone")
    children = [ChildFactory(school=school, reference=f"C-{i}") for i in range(3)]
    ChildFactory(school__local_authority=other_la, reference="HACKNEY-1")
    open_one = services.raise_request(kind="family_data", child=children[2], msisdn="07700 900999", network=ee, account_holder="X",
                                      phone_plan="payg", consent_given=True, by=officer)
    return {"ee": ee, "children": children, "open": open_one}


def checked(officer, rows, name="requests.xlsx", data=None):
    job = imports.start_import(user=officer, local_authority=officer.local_authority, kind="family_data",
                               upload=upload(data or xlsx_bytes(rows), name))
    return imports.request_dry_run(job=job, user=officer)


def test_a_good_file_raises_a_request_per_row(officer, world):
    rows = [HEADER, ["C-0", "Amina Khan", "07700 900101", "EE", "Pay as you go", "yes"], ["C-1", "Piotr Nowak", "+44 7700 900102", "vodafone", "contract", "Y"]]
    job = checked(officer, rows)
    assert job.status == "valid", job.errors
    assert job.counts["created"] == 2 and NetworkRequest.objects.count() == 1
    job = imports.request_commit(job=job, user=officer)
    assert job.status == "done" and job.counts["created"] == 2
    made = NetworkRequest.objects.filter(child__reference__in=["C-0", "C-1"]).order_by("child__reference")
    assert [(r.msisdn, r.network.slug, r.phone_plan, r.consent_given, r.status, r.account_holder) for r in made] == [
        ("+447700900101", "ee", "payg", True, "requested", "Amina Khan"), ("+447700900102", "vodafone", "contract", True, "requested", "Piotr Nowak")]
    assert all(r.events.get().actor == officer for r in made)


def test_every_row_error_is_reported_and_nothing_is_written(officer, world):
    rows = [
        HEADER,
        ["C-0", "Amina Khan", "07700 900101", "EE", "payg", "no"],          # 2: no consent
        ["C-0", "Amina Khan", "020 7946 0000", "EE", "payg", "yes"],       # 3: not a mobile
        ["C-0", "Amina Khan", "07700 900103", "Orange", "payg", "yes"],    # 4: unknown network
        ["NOBODY", "A N Other", "07700 900104", "EE", "payg", "yes"],      # 5: unknown child
        ["HACKNEY-1", "A N Other", "07700 900105", "EE", "payg", "yes"],   # 6: another council's child
        ["C-1", "B Person", "07700 900106", "EE", "payg", "yes"],          # 7: fine
        ["C-1", "B Person", "07700900106", "EE", "payg", "yes"],           # 8: same number as row 7
        ["C-2", "C Person", "07700 900999", "EE", "payg", "yes"],          # 9: open request already
        ["C-2", "C Person", "07700 900107", "EE", "weekly", "yes"],        # 10: not payg or contract
    ]
    job = checked(officer, rows)
    assert job.status == "invalid"
    lines = [format_error(e) for e in job.errors]
    assert len(lines) == 8, lines
    by_row = {e["row"]: format_error(e) for e in job.errors}
    assert by_row[2].startswith("row 2, Consent: The family must agree")
    assert by_row[3].startswith("row 3, Mobile number:")
    assert by_row[4] == "row 4, Network: “Orange” is not a network we know."
    assert by_row[5] == by_row[6].replace("row 6", "row 5") == "row 5, Child reference: No child with this reference is recorded for this council."
    assert by_row[8] == "row 8, Mobile number: This number is also on row 7."
    assert by_row[9] == f"row 9, Mobile number: This number already has an open request for extra data ({world['open'].reference})."
    assert by_row[10].startswith("row 10, PAYG or contract:")
    assert 7 not in by_row
    assert NetworkRequest.objects.count() == 1


def test_a_csv_with_other_headings_maps_and_imports(officer, world):
    data = csv_bytes([["Ref", "Name on account", "Phone", "Provider", "Plan type", "Family consent"], ["C-0", "Amina Khan", "07700900101", "EE", "PAYG", "Yes"]])
    job = checked(officer, None, name="r.csv", data=data)
    assert job.status == "valid", (job.mapping, job.errors)
    imports.request_commit(job=job, user=officer)
    assert NetworkRequest.objects.filter(msisdn="+447700900101").exists()


def test_the_upload_page_offers_the_import(officer_client):
    page = officer_client.get("/imports/new/").content.decode()
    assert "?kind=family_data" in page and "Extra data on families" in page
    assert officer_client.get("/imports/new/?kind=family_data").status_code == 200
