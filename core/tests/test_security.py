"""The security baseline: deploy checks, production cookies, CSP, login lockout."""

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse

from accounts.tests.factories import UserFactory

BASE_DIR = settings.BASE_DIR


def run_manage(*args, **env):
    # A production-like environment: nothing inherited that the test run itself set
    # (the browser tests set DJANGO_ALLOW_ASYNC_UNSAFE, which --deploy rightly rejects).
    dropped = ("DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "SECURE_COOKIES", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DJANGO_ALLOW_ASYNC_UNSAFE")
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "devices.example.org"}


def test_check_deploy_is_clean_with_production_settings():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stderr


def test_check_deploy_warns_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "SECRET_KEY"}
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert result.returncode != 0
    assert "security.W009" in result.stderr


def test_production_cookies_are_secure_and_https_is_enforced():
    code = (
        "from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, "
        "s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS > 0, s.X_FRAME_OPTIONS, s.CSRF_COOKIE_HTTPONLY)"
    )
    result = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.stdout.strip().splitlines()[-1].split() == ["False", "True", "True", "True", "True", "True", "DENY", "True"], result.stderr


@pytest.mark.django_db
def test_the_csrf_cookie_is_httponly_and_no_script_reads_it(client):
    response = client.get(reverse("login"))
    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["httponly"] is True
    for script in (BASE_DIR / "static" / "js").rglob("*.js"):
        text = script.read_text()
        assert "document.cookie" not in text and settings.CSRF_COOKIE_NAME not in text, script


PRODUCTION_CHECKOUT = {
    **PRODUCTION,
    "ALLOWED_HOSTS": "devices.example.gov.uk",
    "CSRF_TRUSTED_ORIGINS": "https://devices.example.gov.uk",
    "DATABASE_URL": "postgres://tracker:secret@db.internal:5432/tracker",
    "TRUSTED_PROXY_COUNT": "1",
    "SUPPORT_SITE_URL": "https://devices.example.gov.uk",
}


def test_check_deploy_is_clean_on_a_production_checkout():
    """The environment table of docs/operations.md (no database is reached by the checks)."""
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION_CHECKOUT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout and "WARNING" not in result.stderr


def test_test_only_front_end_packages_are_not_production_static_files():
    code = (
        "from django.contrib.staticfiles import finders; "
        "print(finders.find('vendor/axe-core/axe.min.js') is None, finders.find('vendor/chart.js/chart.umd.js') is None)"
    )
    production = run_manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert production.stdout.split()[-2:] == ["True", "False"], production.stderr
    development = run_manage("shell", "--no-imports", "-c", code, DEBUG="1")
    assert development.stdout.split()[-2:] == ["False", "False"], development.stderr


@pytest.mark.django_db
def test_csp_header_forbids_inline_script_and_style(client, users):
    client.force_login(users["council_officer"])
    for url in (reverse("login"), reverse("home"), reverse("accounts:school_list")):
        response = client.get(url)
        policy = response.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "style-src 'self'" in policy, url
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
        assert "frame-ancestors 'none'" in policy


@pytest.mark.django_db
def test_shared_pages_have_no_inline_script_style_or_handlers(client, users, school):
    client.force_login(users["council_officer"])
    for url in (reverse("home"), reverse("accounts:school_list"), school.get_absolute_url(), reverse("password_change")):
        page = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page), url
        assert not re.search(r"\sstyle=", page), url
        assert not re.search(r"\son[a-z]+=", page), url
    client.logout()
    page = client.get(reverse("login")).content.decode()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page) and " style=" not in page


@pytest.mark.django_db
def test_five_failed_sign_ins_lock_the_account(client, settings):
    settings.AXES_ENABLED = True
    user = UserFactory(username="ada", role="admin", is_superuser=True)
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "ada", "password": "wrong"})
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.content.decode()
    response = client.post(url, {"username": "ada", "password": "wrong"})
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()
    # Locked even with the right password now.
    response = client.post(url, {"username": "ada", "password": "correct-horse-battery"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    from axes.models import AccessAttempt

    # The attempt made while locked out counts too: it never reaches the password check.
    assert AccessAttempt.objects.get(username=user.username).failures_since_start == settings.AXES_FAILURE_LIMIT + 1


@pytest.mark.django_db
def test_a_success_before_the_limit_resets_the_count(client, settings):
    settings.AXES_ENABLED = True
    UserFactory(username="bo", role="admin", is_superuser=True)
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(url, {"username": "bo", "password": "wrong"})
    assert client.post(url, {"username": "bo", "password": "correct-horse-battery"}).status_code == 302
    client.logout()
    assert client.post(url, {"username": "bo", "password": "wrong"}).status_code == 200
