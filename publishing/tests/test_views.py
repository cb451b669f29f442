"""The publishing pages through HTTP: who may see and publish, the confirmation page, the
record, the files as sent, and pinned query counts."""

import hashlib

import pytest

from publishing.models import Publication
from publishing.tests.factories import PublicationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client, users):
    client.force_login(users["london_lead"])
    return client


@pytest.mark.parametrize("role", ["council_officer", "cio", "school_staff", "support_agent", "support_agent_all"])
def test_nobody_else_sees_or_publishes(client, users, role):
    publication = PublicationFactory()
    client.force_login(users[role])
    for url in ["/publishing/", "/publishing/publish/", f"/publishing/{publication.pk}/", f"/publishing/{publication.pk}/figures.csv"]:
        assert client.get(url).status_code == 403, url
    assert client.post("/publishing/publish/").status_code == 403
    assert Publication.objects.count() == 1
    assert not Publication.objects.visible_to(users[role]).exists()


def test_anonymous_is_sent_to_sign_in(client):
    response = client.get("/publishing/")
    assert response.status_code == 302 and response["Location"].startswith("/sign-in/")


def test_the_london_lead_confirms_then_publishes(lead_client, users, la):
    page = lead_client.get("/publishing/publish/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Confirm and publish" in text and "Open Government Licence v3.0" in text and "outbox" in text
    assert not Publication.objects.exists()  # looking publishes nothing
    response = lead_client.post("/publishing/publish/")
    publication = Publication.objects.get()
    assert response.status_code == 302 and response["Location"] == publication.get_absolute_url()
    assert publication.requested_by == users["london_lead"] and publication.driver == "outbox"
    detail = lead_client.get(response["Location"]).content.decode()
    assert publication.csv_sha256 in detail and "Published" in detail
    download = lead_client.get(f"/publishing/{publication.pk}/figures.csv")
    assert hashlib.sha256(download.content).hexdigest() == publication.csv_sha256
    schema = lead_client.get(f"/publishing/{publication.pk}/schema.json")
    assert hashlib.sha256(schema.content).hexdigest() == publication.schema_sha256


def test_admin_sees_publications(client, users):
    publication = PublicationFactory()
    client.force_login(users["admin"])
    assert client.get("/publishing/").status_code == 200
    assert client.get(f"/publishing/{publication.pk}/").status_code == 200


def test_an_unknown_publication_is_a_404(lead_client):
    assert lead_client.get("/publishing/999999/").status_code == 404
    assert lead_client.get("/publishing/999999/figures.csv").status_code == 404


def test_bad_filters_lose_nothing(lead_client):
    PublicationFactory()
    assert lead_client.get("/publishing/?status=nonsense&page=zz&per_page=-3").status_code in (200, 404)
    assert lead_client.get("/publishing/?_export=csv").status_code == 200


def test_list_and_detail_query_counts(lead_client, django_assert_max_num_queries):
    publications = [PublicationFactory() for _ in range(30)]
    with django_assert_max_num_queries(12):
        assert lead_client.get("/publishing/").status_code == 200
    with django_assert_max_num_queries(10):
        assert lead_client.get(f"/publishing/{publications[0].pk}/").status_code == 200


def test_the_home_card_shows_the_latest(lead_client):
    PublicationFactory(status="published")
    text = lead_client.get("/").content.decode()
    assert "London Datastore" in text and "Published (November 2026)" in text


@pytest.mark.parametrize("per_page", ["-3", "0", "100000", "x"])
def test_a_bad_page_size_is_the_default_on_every_list(client, users, per_page):
    """``?per_page=-3`` was a 500 on every list (django-tables2 reads it itself)."""
    PublicationFactory.create_batch(3)
    client.force_login(users["london_lead"])
    assert client.get(f"/publishing/?per_page={per_page}").status_code == 200
    client.force_login(users["council_officer"])
    assert client.get(f"/devices/?per_page={per_page}").status_code == 200


def test_a_failed_publication_says_why_and_offers_to_publish_again(lead_client):
    publication = PublicationFactory(status="failed", attempts=5, last_error="refused: PATCH /: HTTP 401 bad key", provider_answer="HTTP 401 bad key")
    text = lead_client.get(publication.get_absolute_url()).content.decode()
    assert "HTTP 401 bad key" in text and "figures again" in text
