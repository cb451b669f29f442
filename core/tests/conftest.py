"""The demo world shared by the tests that walk every page (access, table rendering)."""

import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from accounts.models import LocalAuthority, School, User
from core.tests.access import World, top_up_with_factories

# Demo logins (accounts/demo.py), one per role; "school" works at Haverstock School, Camden.
ROLE_USERS = {
    "council_officer": "officer",
    "school_staff": "school",
    "support_agent": "agent.camden",
    "support_agent_all": "agent",
    "cio": "cio",
    "london_lead": "london",
    "admin": "admin",
    "network": "network",  # EE's user (connectivity/demo.py): EE's requests only
}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """seed_demo plus factory top-ups, built once for the module and rolled back after it."""
    test_settings = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
        TASKS={"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}},
        MEDIA_ROOT=tmp_path_factory.mktemp("media"),
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    )
    with django_db_blocker.unblock(), test_settings:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            call_command("seed_demo", stdout=io.StringIO())
            camden, hackney = LocalAuthority.objects.get(code="202"), LocalAuthority.objects.get(code="204")
            school_user = User.objects.get(username=ROLE_USERS["school_staff"])
            other_camden = School.objects.filter(local_authority=camden).exclude(pk=school_user.school_id).order_by("pk").first()
            hackney_school = School.objects.filter(local_authority=hackney).order_by("pk").first()
            top_up_with_factories([(camden, school_user.school), (camden, other_camden), (hackney, hackney_school)])
            yield World()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
