"""The monitoring pages: who may see them, what they show, and that scope holds."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from core.models import ImportJob
from connectivity.models import UsageReading
from connectivity.tests.factories import DataPlanFactory, SimFactory, UsageReadingFactory
from devices.tests.factories import DeviceFactory, LicenceFactory, RouterFactory


def _pg_set_locals():
    from django.db import connection

    return 2 if connection.vendor == "postgresql" else 0


#: On PostgreSQL each horizon query also sets work_mem and jit for its transaction
#: (devices.horizon._run): two more statements per horizon query.
PG_SET_LOCALS = _pg_set_locals()

D = datetime.date


@pytest.fixture
def month():
    return timezone.localdate().replace(day=1)


@pytest.fixture
def scene(la, other_la, school, other_school, month):
    def sim_used(la, school, used, iccid_body=None):
        kwargs = {"iccid": iccid_body} if iccid_body else {}
        sim = SimFactory(local_authority=la, device=RouterFactory(local_authority=la, school=school), **kwargs)
        DataPlanFactory(sim=sim, allowance_mb=1000, start=month - datetime.timedelta(days=40), end=month + datetime.timedelta(days=200))
        UsageReadingFactory(sim=sim, period=month, mb_used=used)
        return sim

    return {
        "mine": sim_used(la, school, 950),
        "mine_other_school": sim_used(la, None, 990),
        "theirs": sim_used(other_la, other_school, 999),
        "quiet": sim_used(la, school, 10),
    }


def client_for(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    "name,allowed,denied",
    [
        ("connectivity:usage_upload", ["council_officer", "admin"], ["school_staff", "cio", "support_agent", "london_lead"]),
        ("connectivity:runout", ["council_officer", "cio", "support_agent", "school_staff", "admin"], ["london_lead"]),
        ("connectivity:allowance_evidence", ["council_officer", "cio", "london_lead", "admin"], ["school_staff", "support_agent"]),
        ("devices:cliff_edge", ["council_officer", "cio", "london_lead", "admin"], ["school_staff", "support_agent"]),
    ],
)
def test_roles(client, users, name, allowed, denied):
    for role in allowed:
        assert client_for(client, users[role]).get(reverse(name)).status_code == 200, role
    for role in denied:
        assert client_for(client, users[role]).get(reverse(name)).status_code == 403, role
    client.logout()
    assert client.get(reverse(name)).status_code == 302


def test_runout_page_is_scoped(client, users, scene, django_assert_max_num_queries):
    client.force_login(users["council_officer"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("connectivity:runout"))
    body = response.content.decode()
    assert scene["mine"].iccid in body and scene["mine_other_school"].iccid in body
    assert scene["theirs"].iccid not in body and scene["quiet"].iccid not in body
    client.force_login(users["school_staff"])
    body = client.get(reverse("connectivity:runout")).content.decode()
    assert scene["mine"].iccid in body and scene["mine_other_school"].iccid not in body
    assert client.get(reverse("connectivity:runout") + "?month=nonsense").status_code == 200


def test_usage_upload_touches_only_own_la(client, users, scene, month):
    """The upload stores a job and checks it (inline for a file this small); Import writes only
    the officer's own SIMs; another LA's SIM is counted as unknown, not written."""
    client.force_login(users["council_officer"])
    text = f"ICCID,Usage (MB),Month\n{scene['mine'].iccid},500,{month:%Y-%m}\n{scene['theirs'].iccid},1,{month:%Y-%m}\n"
    upload = SimpleUploadedFile("usage.csv", text.encode(), content_type="text/csv")
    response = client.post(reverse("connectivity:usage_upload"), {"operator": "vodafone", "file": upload})
    job = ImportJob.objects.get(kind="usage")
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.status == "valid" and job.counts == {"rows": 2, "readings": 1, "unknown": 1}
    assert UsageReading.objects.get(sim=scene["mine"], period=month).mb_used == 950  # checked, not written
    body = client.get(job.get_absolute_url()).content.decode()
    assert "Rows for SIMs we do not know" in body and f"row 3: no SIM {scene['theirs'].iccid} in your council" in body
    response = client.post(reverse("core:import_commit", args=[job.pk]), follow=True)
    assert "Readings written" in response.content.decode()
    assert UsageReading.objects.get(sim=scene["mine"], period=month).mb_used == 500
    assert UsageReading.objects.get(sim=scene["theirs"], period=month).mb_used == 999


def test_usage_upload_errors_and_bad_files(client, users, scene, month):
    client.force_login(users["council_officer"])
    text = f"ICCID,Usage (MB),Month\n{scene['mine'].iccid},lots,{month:%Y-%m}\n"
    response = client.post(reverse("connectivity:usage_upload"), {"operator": "vodafone", "file": SimpleUploadedFile("u.csv", text.encode())}, follow=True)
    assert "row 2, Usage (MB): “lots” is not a number." in response.content.decode()
    assert UsageReading.objects.get(sim=scene["mine"], period=month).mb_used == 950
    junk = SimpleUploadedFile("u.xlsx", b"PK\x03\x04 not really a zip file at all")
    response = client.post(reverse("connectivity:usage_upload"), {"operator": "vodafone", "file": junk})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    response = client.post(reverse("connectivity:usage_upload"), {"operator": "acme"})
    assert response.status_code == 200 and "govuk-error-summary" in response.content.decode()
    assert ImportJob.objects.filter(status="invalid").count() == 1  # the bad files stored no job


SMALL_CELL = re.compile(r'(?:govuk-table__cell--numeric|govuk-summary-list__value)[^>]*>\s*[1-4]\s*<')


def test_evidence_page(client, users, scene, la, other_la, month, django_assert_max_num_queries):
    client.force_login(users["council_officer"])
    with django_assert_max_num_queries(10):
        response = client.get(reverse("connectivity:allowance_evidence"))
    body = response.content.decode()
    assert "Camden" in body and month.strftime("%B %Y") in body
    # An officer cannot pick another LA.
    assert client.get(reverse("connectivity:allowance_evidence") + f"?la={other_la.pk}").status_code == 404
    assert client.get(reverse("connectivity:allowance_evidence") + "?la=x").status_code == 404
    client.force_login(users["london_lead"])
    body = client.get(reverse("connectivity:allowance_evidence") + f"?la={la.pk}").content.decode()
    # The one suppression rule (reports.suppression): counts from 1 to 4 hidden for the London lead.
    assert "[c]" in body and not SMALL_CELL.search(body)


def test_cliff_edge_page(client, users, la, other_la, django_assert_max_num_queries):
    device = DeviceFactory(local_authority=la, delivered_on=timezone.localdate() - datetime.timedelta(days=30))
    LicenceFactory(device=device, start=device.delivered_on, end=device.delivered_on + datetime.timedelta(days=400))
    DeviceFactory(local_authority=other_la)
    client.force_login(users["council_officer"])
    # The horizon query (which also reads the data gap's groups) and the plans' side of the split
    # (connectivity.plan_gap), each in its own savepoint (SET LOCAL work_mem and jit on
    # PostgreSQL). 15 + 3 horizon queries before the split took the gap from the horizon.
    with django_assert_max_num_queries(12 + PG_SET_LOCALS * 2):
        response = client.get(reverse("devices:cliff_edge"))
    body = response.content.decode()
    assert response.status_code == 200 and "Devices losing cover, by month" in body
    assert "All local authorities" not in body
    assert client.get(reverse("devices:cliff_edge") + f"?la={other_la.pk}").status_code == 404
    client.force_login(users["admin"])
    body = client.get(reverse("devices:cliff_edge")).content.decode()
    assert "All local authorities" in body and "Hackney" in body
    assert "[c]" not in body, "an administrator sees every row anyway: figures in full"
    client.force_login(users["london_lead"])
    body = client.get(reverse("devices:cliff_edge")).content.decode()
    assert "[c]" in body and not SMALL_CELL.search(body)
    client.force_login(users["council_officer"])
    assert "[c]" not in client.get(reverse("devices:cliff_edge")).content.decode(), "the LA's own figures in full"


def test_licence_upload_goes_to_the_import_pages(client, users):
    client.force_login(users["council_officer"])
    response = client.get(reverse("devices:licence_upload"))
    assert response.status_code == 302 and response.url.endswith("?kind=licences")
    assert client.get(response.url).status_code == 200


def test_data_pages_link_to_each_other_by_role(client, users):
    from django.urls import reverse

    client.force_login(users["council_officer"])
    body = client.get(reverse("connectivity:runout")).content.decode()

    for name in ("connectivity:allowance_evidence", "devices:cliff_edge", "connectivity:usage_upload"):
        assert reverse(name) in body
    client.force_login(users["school_staff"])
    body = client.get(reverse("connectivity:runout")).content.decode()
    assert reverse("connectivity:usage_upload") not in body and reverse("devices:cliff_edge") not in body
