"""Single sign-on through a local OpenID provider (accounts/tests/oidc_provider.py): the real
mozilla-django-oidc client code talks HTTP to it; nothing is mocked."""

import logging
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from django.urls import reverse

from accounts.models import ExternalIdentity, OrganisationMapping, User
from accounts.tests.factories import SchoolFactory, UserFactory
from accounts.tests.oidc_provider import LocalOpenIDProvider

TENANT = "6c1a1d0e-0000-4000-8000-000000000001"
GROUP = "0b7f0000-0000-4000-8000-00000000000a"


def school_identity(urn, sub="dfe-user-1"):
    return {"sub": sub, "email": "teacher@school.example", "given_name": "Ada", "family_name": "Lovelace", "organisation": {"id": "o-1", "name": "A school", "category": {"id": "001", "name": "Establishment"}, "urn": str(urn)}}


def la_identity(code, sub="dfe-user-2"):
    return {"sub": sub, "email": "officer@council.example", "organisation": {"id": "o-2", "name": "Council", "category": {"id": "002", "name": "Local Authority"}, "establishmentNumber": code}}


@pytest.fixture
def op(settings):
    with LocalOpenIDProvider() as provider:
        settings.SSO_PROVIDERS = {"dfe": provider.settings(), "entra": provider.settings()}
        yield provider


def start(client, name="dfe", next_url=None):
    url = reverse(f"accounts:sso_start_{name}") + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def authorize(location):
    """The browser at the provider: it approves at once and redirects back with a code."""
    answer = requests.get(location, allow_redirects=False, timeout=5)
    assert answer.status_code == 302, answer.text
    callback = urlparse(answer.headers["Location"])
    return f"{callback.path}?{callback.query}"


def sign_in(client, name="dfe", next_url=None):
    return client.get(authorize(start(client, name, next_url)))


def test_without_configuration_only_the_password_form_is_shown(client, db, settings):
    settings.SSO_PROVIDERS = {}
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with DfE Sign-in" not in page and 'name="password"' in page
    response = client.get(reverse("accounts:sso_start_dfe"))
    assert response.status_code == 403 and "That sign-in option is not available" in response.content.decode()


def test_sign_in_page_offers_both_providers(client, op):
    page = client.get(reverse("login") + "?next=/devices/").content.decode()
    assert "Sign in with DfE Sign-in" in page and "Sign in with your council&#x27;s Microsoft account" in page
    assert "/sign-in/sso/dfe/?next=%2Fdevices%2F" in page and 'name="password"' in page


def test_school_user_signs_in_with_dfe_sign_in(client, op, school, django_assert_max_num_queries):
    op.identity = school_identity(school.urn)
    location = start(client, next_url="/devices/")
    query = parse_qs(urlparse(location).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"] and query["state"]
    with django_assert_max_num_queries(24):  # session (4), lookups (2), user + history + identity + its history (4), login (session cycle, last_login)
        response = client.get(authorize(location))
    assert response.status_code == 302 and response["Location"] == "/devices/"
    user = User.objects.get(external_identities__provider="dfe", external_identities__subject="dfe-user-1")
    assert (user.role, user.school, user.local_authority) == ("school_staff", school, school.local_authority)
    assert not user.has_usable_password() and user.email == "teacher@school.example" and user.first_name == "Ada"
    home = client.get("/")
    assert home.status_code == 200 and home.wsgi_request.user == user
    # The next sign-in finds the same user by subject, and the claim decides the scope again.
    moved = SchoolFactory(local_authority=school.local_authority)
    op.identity = school_identity(moved.urn)
    client.post(reverse("logout"))
    assert sign_in(client).status_code == 302
    user.refresh_from_db()
    assert user.school == moved and User.objects.filter(username__startswith="sso-").count() == 1


def test_la_user_becomes_council_officer_of_that_la(client, op, la, other_la):
    op.identity = la_identity(la.code)
    response = sign_in(client)
    assert response.status_code == 302
    user = ExternalIdentity.objects.get(subject="dfe-user-2").user
    assert (user.role, user.local_authority, user.school) == ("council_officer", la, None)
    assert client.get(reverse("accounts:la_detail", kwargs={"pk": other_la.pk})).status_code == 404


def test_existing_user_is_never_matched_by_email(client, op, school):
    existing = UserFactory(role="council_officer", local_authority=school.local_authority, email="teacher@school.example")
    op.identity = school_identity(school.urn)
    sign_in(client)
    user = ExternalIdentity.objects.get().user
    assert user != existing and user.role == "school_staff"
    existing.refresh_from_db()
    assert existing.role == "council_officer"


@pytest.mark.parametrize(
    "identity",
    [
        {"organisation": {"category": {"id": "001"}, "urn": "999999"}},  # no such school
        {"organisation": {"category": {"id": "002"}, "establishmentNumber": "999"}},  # no such LA
        {"organisation": {"category": {"id": "010"}, "name": "A trust"}},  # a trust: not a school or LA
    ],
)
def test_unknown_organisation_gets_no_access(client, op, db, identity, caplog):
    op.identity = {"sub": "someone", **identity}
    with caplog.at_level(logging.WARNING, logger="accounts.sso"):
        response = sign_in(client)
    assert response.status_code == 403
    assert "Your organisation does not have access" in response.content.decode()
    assert not User.objects.exists() and not ExternalIdentity.objects.exists()
    assert "single sign-on refused (dfe, organisation)" in caplog.text
    assert client.get("/").status_code == 302  # still signed out


def test_missing_claims_are_refused(client, op, db):
    op.identity = {"sub": "someone"}
    response = sign_in(client)
    assert response.status_code == 403 and "did not say who you are" in response.content.decode()
    op.identity, op.id_token_claims = school_identity(1), {"iat": None}
    response = sign_in(client)
    assert response.status_code == 403 and not User.objects.exists()


def test_forged_signature_is_refused(client, op, school, caplog):
    op.identity, op.forge = school_identity(school.urn), True
    with caplog.at_level(logging.WARNING, logger="accounts.sso"):
        response = sign_in(client)
    assert response.status_code == 403 and "was not valid or has expired" in response.content.decode()
    assert "JWS token verification failed" in caplog.text
    assert not User.objects.exists()


@pytest.mark.parametrize("raw", ["not-a-jwt", "a.b.c", "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.", "e30.e30.e30"])
def test_malformed_or_unsigned_tokens_are_refused(client, op, school, raw):
    op.identity, op.raw_id_token = school_identity(school.urn), raw
    response = sign_in(client)
    assert response.status_code == 403 and "was not valid or has expired" in response.content.decode()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    "claims",
    [{"exp": 1_000_000_000, "iat": 999_999_000}, {"iss": "https://evil.example"}, {"aud": "another-client"}, {"nonce": "not-the-one-we-sent"}],
)
def test_expired_or_misaddressed_tokens_are_refused(client, op, school, claims, caplog):
    op.identity, op.id_token_claims = school_identity(school.urn), claims
    with caplog.at_level(logging.WARNING, logger="accounts.sso"):
        response = sign_in(client)
    assert response.status_code == 403 and "was not valid or has expired" in response.content.decode()
    assert "(dfe, token)" in caplog.text and not User.objects.exists()


def test_replayed_or_missing_state_is_refused(client, op, school, caplog):
    op.identity = school_identity(school.urn)
    callback = authorize(start(client))
    assert client.get(callback).status_code == 302
    client.post(reverse("logout"))
    with caplog.at_level(logging.WARNING, logger="accounts.sso"):
        replayed = client.get(callback)
    assert replayed.status_code == 403 and "already been used" in replayed.content.decode()
    assert "state" in caplog.text
    for query in ("", "?code=abc", "?state=forged&code=abc", "?state=&code=", "?error=access_denied&state=x"):
        response = client.get(reverse("accounts:sso_callback") + query)
        assert response.status_code == 403, query
    assert client.get("/").status_code == 302


def test_state_from_another_browser_is_refused(client, op, school):
    from django.test import Client

    op.identity = school_identity(school.urn)
    callback = authorize(start(client))
    response = Client().get(callback)
    assert response.status_code == 403 and "already been used" in response.content.decode()


def test_provider_unreachable_is_a_clear_page(client, db, settings):
    settings.SSO_PROVIDERS = {"dfe": {"CLIENT_ID": "x", "ISSUER": "http://127.0.0.1:9"}}
    response = client.get(reverse("accounts:sso_start_dfe"))
    assert response.status_code == 403 and "could not be reached" in response.content.decode()


def test_entra_groups_map_through_the_mapping_table(client, op, school):
    la = school.local_authority
    OrganisationMapping.objects.create(tenant_id=TENANT, group_id=GROUP, role="cio", local_authority=la)
    op.identity = {"sub": "entra-oid-1", "tid": TENANT, "groups": ["unrelated", GROUP], "email": "cio@council.example"}
    assert sign_in(client, "entra").status_code == 302
    user = ExternalIdentity.objects.get(provider="entra").user
    assert (user.role, user.local_authority, user.school) == ("cio", la, None)


def test_entra_groups_giving_two_scopes_are_refused(client, op, school, other_la):
    OrganisationMapping.objects.create(tenant_id=TENANT, group_id=GROUP, role="council_officer", local_authority=school.local_authority)
    OrganisationMapping.objects.create(tenant_id=TENANT, group_id="second", role="council_officer", local_authority=other_la)
    op.identity = {"sub": "entra-oid-2", "tid": TENANT, "groups": [GROUP, "second"]}
    assert sign_in(client, "entra").status_code == 403
    op.identity = {"sub": "entra-oid-2", "tid": "another-tenant", "groups": [GROUP]}
    assert sign_in(client, "entra").status_code == 403
    assert not User.objects.filter(username__startswith="sso-").exists()


def test_administrator_identity_is_refused(client, op, school):
    op.identity = school_identity(school.urn)
    sign_in(client)
    user = ExternalIdentity.objects.get().user
    User.objects.filter(pk=user.pk).update(is_superuser=True)
    client.post(reverse("logout"))
    response = sign_in(client)
    assert response.status_code == 403 and "Administrators sign in with their password" in response.content.decode()


def test_two_step_satisfied_only_by_the_providers_mfa(client, op, la, settings):
    settings.TWO_FACTOR_REQUIRED = True
    op.identity = la_identity(la.code)
    response = sign_in(client)
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))
    assert client.get("/").status_code == 302
    client.post(reverse("logout"))
    op.id_token_claims = {"amr": ["pwd", "mfa"]}
    response = sign_in(client)
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200


def test_password_sign_in_still_works(client, op, officer):
    response = client.post(reverse("login"), {"username": officer.username, "password": "correct-horse-battery"})
    assert response.status_code == 302 and client.get("/").wsgi_request.user == officer


def overage(op, sub="entra-oid-9"):
    """An Entra user in more groups than a token carries: no groups claim, ``_claim_names`` instead."""
    op.identity = {"sub": sub, "tid": TENANT, "email": "busy@council.example",
                   "_claim_names": {"groups": "src1"}, "_claim_sources": {"src1": {"endpoint": "https://graph.windows.net/x/getMemberObjects"}}}


def test_entra_groups_overage_reads_the_groups_from_graph_page_by_page(client, op, school, caplog):
    la = school.local_authority
    OrganisationMapping.objects.create(tenant_id=TENANT, group_id=GROUP, role="council_officer", local_authority=la)
    overage(op)
    op.member_objects = [f"g-{n:04d}" for n in range(450)] + [GROUP]
    op.graph_page = 200
    with caplog.at_level(logging.INFO, logger="accounts.sso"):
        assert sign_in(client, "entra").status_code == 302
    user = ExternalIdentity.objects.get(provider="entra").user
    assert (user.role, user.local_authority) == ("council_officer", la)
    assert [r for r in op.requests if r == ("POST", "/v1.0/me/getMemberObjects")] == [("POST", "/v1.0/me/getMemberObjects")] * 3
    assert "451 security groups read from Graph" in caplog.text


def test_entra_groups_overage_refused_when_graph_refuses_or_no_group_maps(client, op, school, caplog):
    OrganisationMapping.objects.create(tenant_id=TENANT, group_id=GROUP, role="council_officer", local_authority=school.local_authority)
    overage(op)
    op.member_objects = ["unrelated-1", "unrelated-2"]
    response = sign_in(client, "entra")
    assert response.status_code == 403 and "does not have access" in response.content.decode()
    op.member_objects, op.graph_status = [GROUP], 403
    with caplog.at_level(logging.WARNING, logger="accounts.sso"):
        response = sign_in(client, "entra")
    assert response.status_code == 403 and "could not be reached or refused" in response.content.decode()
    assert "GroupMember.Read.All" in caplog.text
    assert not User.objects.filter(username__startswith="sso-").exists()


def test_signing_out_of_an_sso_session_signs_out_at_the_provider_too(client, op, school, caplog):
    op.identity = school_identity(school.urn)
    assert sign_in(client).status_code == 302
    assert client.session.get("_sso_id_token", "").count(".") == 2
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{op.issuer}/logout"
    query = {k: v[0] for k, v in parse_qs(target.query).items()}
    assert query["client_id"] == "devices-for-children" and query["post_logout_redirect_uri"] == "http://testserver/sign-in/"
    assert query["id_token_hint"].count(".") == 2
    assert "_auth_user_id" not in client.session and "_sso_id_token" not in client.session
    # The provider sends the browser back to our sign-in page.
    back = requests.get(response["Location"], allow_redirects=False, timeout=5)
    assert back.headers["Location"] == "http://testserver/sign-in/" and len(op.logouts) == 1


def test_signing_out_of_a_password_session_or_when_the_provider_is_gone_stays_here(client, op, officer, school, settings):
    client.force_login(officer)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    op.identity = school_identity(school.urn)
    assert sign_in(client).status_code == 302
    settings.SSO_PROVIDERS = {}  # the provider was switched off since this sign-in
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
