"""Passwords are stored with Argon2id at OWASP's parameters; older hashes are upgraded at sign-in."""

import pytest
from django.contrib.auth.hashers import identify_hasher, make_password

from accounts.models import User
from accounts.tests.factories import UserFactory

PRODUCTION_HASHERS = [
    "accounts.hashers.Argon2idPasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]


def test_the_production_settings_hash_with_argon2id_first():
    from tracker import settings as project_settings

    # conftest swaps in MD5 for speed; the project's own setting is what production runs.
    assert project_settings.PASSWORD_HASHERS == PRODUCTION_HASHERS


@pytest.fixture
def production_hashers(settings):
    settings.PASSWORD_HASHERS = PRODUCTION_HASHERS


@pytest.mark.django_db
@pytest.mark.usefixtures("production_hashers")
def test_a_new_password_is_stored_as_argon2id_with_owasp_parameters():
    user = UserFactory(role="london_lead")
    user.set_password("a long pass phrase 2026")
    user.save()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(user.password).algorithm == "argon2"
    assert user.check_password("a long pass phrase 2026")
    assert not user.check_password("a long pass phrase 2025")


@pytest.mark.django_db
@pytest.mark.usefixtures("production_hashers")
@pytest.mark.parametrize("old", ["pbkdf2_sha256", "argon2_django_default"])
def test_an_older_hash_is_upgraded_when_its_user_signs_in(client, old):
    user = UserFactory(role="london_lead")
    if old == "pbkdf2_sha256":
        user.password = make_password("a long pass phrase 2026", hasher="pbkdf2_sha256")
    else:
        from django.contrib.auth.hashers import Argon2PasswordHasher

        user.password = Argon2PasswordHasher().encode("a long pass phrase 2026", Argon2PasswordHasher().salt())
        assert "m=102400,t=2,p=8" in user.password
    user.save()
    page = client.get("/sign-in/")
    assert page.status_code == 200
    response = client.post("/sign-in/", {"username": user.username, "password": "a long pass phrase 2026"})
    assert response.status_code == 302
    stored = User.objects.get(pk=user.pk).password
    assert stored.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


@pytest.mark.django_db
@pytest.mark.usefixtures("production_hashers")
def test_a_wrong_password_does_not_sign_in_or_change_the_hash(client):
    user = UserFactory(role="london_lead")
    user.password = make_password("a long pass phrase 2026", hasher="pbkdf2_sha256")
    user.save()
    response = client.post("/sign-in/", {"username": user.username, "password": "not the pass phrase"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert User.objects.get(pk=user.pk).password == user.password
