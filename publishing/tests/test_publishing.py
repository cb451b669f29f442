"""Publishing London's suppressed figures: what the files hold (and never hold), the DataPress
driver against a local DataPress with its errors, retries, giving up, and the schedule."""

import csv
import datetime
import hashlib
import io
import json

import logging

import pytest
from django.utils import timezone

from allocations.tests.factories import ChildFactory
from devices.tests.factories import DeviceFactory
from publishing import services
from publishing.models import Publication
from reports import london
from reports.suppression import SUPPRESSED

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.timezone.utc)


def rows_of(text):
    reader = csv.DictReader(io.StringIO(text))
    return reader.fieldnames, list(reader)


@pytest.fixture
def figures(la, school, other_la, other_school):
    """Camden small (3 laptops in stock, 2 children waiting); Hackney large (20 and 12)."""
    DeviceFactory.create_batch(3, local_authority=la, status="in_stock")
    DeviceFactory.create_batch(20, local_authority=other_la, status="in_stock")
    ChildFactory.create_batch(2, school=school, needs_laptop=True)
    ChildFactory.create_batch(12, school=other_school, needs_laptop=True)


def test_small_numbers_never_reach_the_published_csv(figures, users):
    publication = services.request_publication(by=users["london_lead"])
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PUBLISHED  # the outbox, in the same request
    header, rows = rows_of(publication.csv_text)
    camden = next(r for r in rows if r["la_name"] == "Camden")
    assert camden["laptops_in_stock"] == SUPPRESSED and camden["children_waiting"] == SUPPRESSED
    # Not one published count is from 1 to 4, anywhere in the file.
    for row in rows:
        for name in london.COLUMNS:
            assert row[name] == SUPPRESSED or int(row[name]) == 0 or int(row[name]) > 4, (row["la_name"], name, row[name])
    assert publication.suppressed_cells >= 2
    assert hashlib.sha256(publication.csv_text.encode()).hexdigest() == publication.csv_sha256


def test_the_published_figures_are_the_london_views(figures, users):
    """One definition per figure: the CSV's cells are the London view's published cells."""
    publication = services.request_publication(by=users["london_lead"])
    _header, view_rows, _at = london.published_london()
    _names, rows = rows_of(publication.csv_text)
    assert len(rows) == len(view_rows) == publication.rows
    for row, view in zip(rows, view_rows):
        assert [row[n] for n in london.COLUMNS] == [str(v) for v in view[2:]]
    assert rows[-1]["la_name"] == "London"


def test_the_schema_describes_every_column(figures, users):
    publication = services.request_publication(by=users["london_lead"])
    schema = json.loads(publication.schema_json)
    header, _rows = rows_of(publication.csv_text)
    assert [f["name"] for f in schema["fields"]] == header
    assert schema["missingValues"] == [SUPPRESSED]
    for field in schema["fields"][2:]:
        assert field["type"] == "integer" and field["unit"] in ("devices", "children")
        assert field["description"] and field["title"] and field["suppressionMarker"] == SUPPRESSED
    meta = json.loads(publication.metadata_json)
    assert meta["licence"]["id"] == "ogl-v3" and meta["period"] == f"{timezone.localdate():%Y-%m}"
    assert meta["contact"]["email"]


def test_spreadsheet_formulae_are_neutralised(users, db):
    from accounts.tests.factories import LocalAuthorityFactory

    la = LocalAuthorityFactory(name="=HYPERLINK(\"http://x\")", code="999")
    DeviceFactory.create_batch(6, local_authority=la, status="in_stock")
    publication = services.request_publication(by=users["london_lead"])
    _h, rows = rows_of(publication.csv_text)
    assert any(r["la_name"].startswith("'=HYPERLINK") for r in rows)


def test_only_the_london_lead_and_admins_may_publish(users, db):
    from django.core.exceptions import ValidationError

    for role in ("council_officer", "cio", "support_agent_all", "school_staff"):
        with pytest.raises(ValidationError):
            services.request_publication(by=users[role])
    assert not Publication.objects.exists()


# --- DataPress ----------------------------------------------------------------------------


def dataset(server):
    return server.state.datasets["ab12x"]


def test_datapress_receives_the_files_then_the_metadata(figures, users, datapress):
    publication = services.request_publication(by=users["london_lead"])
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PUBLISHED and publication.attempts == 1
    methods = [m for m, _p in datapress.state.requests]
    assert methods == ["GET", "POST", "POST", "PATCH"]  # every file before the metadata
    ds = dataset(datapress)
    assert ds["licence"] == "ogl-v3" and ds["maintainer"]
    csv_rid = next(rid for rid, r in ds["resources"].items() if r["format"] == "csv")
    sent = datapress.state.files[("ab12x", csv_rid)]
    assert hashlib.sha256(sent).hexdigest() == publication.csv_sha256
    assert ds["resources"][csv_rid]["timeFrame"] == {"from": f"{publication.period:%Y-%m}", "to": f"{publication.period:%Y-%m}"}
    assert csv_rid in json.loads(publication.provider_answer)["resources"].values()


def test_a_500_is_retried_after_the_backoff_and_not_half_published(figures, users, datapress):
    datapress.state.fail_next = [None, None, 500]
    publication = services.request_publication(by=users["london_lead"])
    publication.refresh_from_db()
    assert publication.status == Publication.Status.RETRYING and publication.attempts == 1
    assert "HTTP 500" in publication.last_error and publication.next_attempt_at
    assert dataset(datapress)["licence"] == "not-specified"  # metadata untouched: not announced
    assert services.retry_due(now=timezone.now()) == 0  # not before the back-off
    assert services.retry_due(now=publication.next_attempt_at) == 1
    publication.refresh_from_db()
    assert publication.status == Publication.Status.PUBLISHED and publication.attempts == 2
    # The retry replaced the CSV it had uploaded, rather than adding a second copy.
    assert len(dataset(datapress)["resources"]) == 2
    assert dataset(datapress)["licence"] == "ogl-v3"


@pytest.mark.parametrize("answer, said", [(401, "HTTP 401"), ("slow", "no answer within")])
def test_401_and_timeouts_are_retried_then_given_up_and_shown(figures, users, datapress, client, answer, said, caplog):
    datapress.state.fail_next = [answer] * 10
    datapress.state.slow_seconds = 1.0
    with caplog.at_level(logging.WARNING, logger="publishing"):
        publication = services.request_publication(by=users["london_lead"])
        for _ in range(5):
            publication.refresh_from_db()
            if publication.next_attempt_at:
                services.retry_due(now=publication.next_attempt_at)
    publication.refresh_from_db()
    assert [r.levelname for r in caplog.records if r.name == "publishing"] == ["WARNING", "WARNING", "ERROR"]
    assert f"publication {publication.pk} failed after 3 attempts" in caplog.text
    assert publication.status == Publication.Status.FAILED and publication.attempts == 3  # PUBLISHING_MAX_ATTEMPTS
    assert said in publication.last_error and publication.next_attempt_at is None
    assert dataset(datapress)["resources"] == {}
    client.force_login(users["london_lead"])
    home = client.get("/").content.decode()
    assert "Publishing failed after 3 attempts" in home
    page = client.get("/publishing/").content.decode()
    assert "The latest publication failed" in page


def test_a_413_is_recorded_and_nothing_is_announced(figures, users, datapress):
    datapress.state.max_body = 200
    publication = services.request_publication(by=users["london_lead"])
    publication.refresh_from_db()
    assert publication.status == Publication.Status.RETRYING and "HTTP 413" in publication.last_error
    assert dataset(datapress)["resources"] == {} and dataset(datapress)["licence"] == "not-specified"


def test_a_wrong_key_is_refused(figures, users, datapress, settings):
    settings.PUBLISHING_DATAPRESS_API_KEY = "wrong"
    publication = services.request_publication(by=users["london_lead"])
    publication.refresh_from_db()
    assert "HTTP 403" in publication.last_error and publication.status == Publication.Status.RETRYING


def test_configured_resources_are_replaced_in_place(figures, users, datapress, settings):
    services.request_publication(by=users["london_lead"])
    ds = dataset(datapress)
    csv_rid = next(rid for rid, r in ds["resources"].items() if r["format"] == "csv")
    json_rid = next(rid for rid, r in ds["resources"].items() if r["format"] == "json")
    settings.PUBLISHING_DATAPRESS_CSV_RESOURCE, settings.PUBLISHING_DATAPRESS_SCHEMA_RESOURCE = csv_rid, json_rid
    services.request_publication(by=users["london_lead"], today=timezone.localdate() + datetime.timedelta(days=40))
    assert set(dataset(datapress)["resources"]) == {csv_rid, json_rid}


def test_a_final_publication_is_never_sent_again(figures, users, datapress):
    publication = services.request_publication(by=users["london_lead"])
    before = len(datapress.state.requests)
    services.attempt_publication(publication_id=publication.pk)
    assert len(datapress.state.requests) == before


# --- the schedule --------------------------------------------------------------------------


def test_the_monthly_job_publishes_once_a_month(figures):
    from core.scheduler import jobs

    assert {"publishing_monthly", "publishing_retries"} <= {j.name for j in jobs()}
    first = services.publish_month_if_due(today=datetime.date(2026, 12, 1))
    assert first is not None and first.requested_by is None and first.period == datetime.date(2026, 12, 1)
    assert services.publish_month_if_due(today=datetime.date(2026, 12, 2)) is None
    assert services.publish_month_if_due(today=datetime.date(2027, 1, 1)) is not None


def test_the_scheduled_tasks_run(figures):
    from publishing.tasks import publish_month, retry_publications

    publish_month.enqueue()
    retry_publications.enqueue()
    assert Publication.objects.filter(requested_by=None, status="published").count() == 1
