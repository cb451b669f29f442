"""Project-wide test fixtures: organisations, one user per role, and settings for speed."""

import pytest

from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory, UserFactory


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.AXES_ENABLED = False
    settings.TWO_FACTOR_REQUIRED = False  # 2FA tests turn it on: accounts/tests/test_two_factor*.py
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    # Email to families through Django's mail backend (so mail.outbox holds it), texts and
    # letters to the outbox; messaging/tests run the Notify driver against a local Notify server.
    settings.MESSAGING_DRIVERS = {"sms": "outbox", "email": "smtp", "letter": "outbox"}
    # Rate limits count in a cache of their own (the database cache in production; shown shared
    # between processes by core/tests/test_ratelimit.py): a fresh in-memory one per test here,
    # so counts never carry from one test to the next, transactional tests included.
    settings.CACHES = {**settings.CACHES, "ratelimit": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "ratelimit-tests"}}
    from django.core.cache import cache, caches

    cache.clear()
    caches["ratelimit"].clear()


@pytest.fixture
def la(db):
    return LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")


@pytest.fixture
def other_la(db):
    return LocalAuthorityFactory(code="204", name="Hackney", gss_code="E09000012")


@pytest.fixture
def school(la):
    return SchoolFactory(local_authority=la)


@pytest.fixture
def other_school(other_la):
    return SchoolFactory(local_authority=other_la)


@pytest.fixture
def users(la, school):
    """One user per role, scoped to ``la`` / ``school``."""
    return {
        "council_officer": UserFactory(role="council_officer", local_authority=la),
        "school_staff": UserFactory(role="school_staff", school=school, local_authority=la),
        "support_agent": UserFactory(role="support_agent", local_authority=la),
        "support_agent_all": UserFactory(role="support_agent", local_authority=None),
        "cio": UserFactory(role="cio", local_authority=la),
        "london_lead": UserFactory(role="london_lead"),
        "admin": UserFactory(role="admin", is_staff=True, is_superuser=True),
    }


@pytest.fixture
def officer(users):
    return users["council_officer"]


@pytest.fixture
def officer_client(client, officer):
    client.force_login(officer)
    return client
