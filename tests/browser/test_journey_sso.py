"""A school user signs in with DfE Sign-in through a local OpenID provider (started by the test,
accounts/tests/oidc_provider.py), which approves the configured identity at once; the sign-in
page and the refusal page pass axe-core."""

import pytest

from accounts.models import ExternalIdentity
from accounts.tests.factories import LocalAuthorityFactory, SchoolFactory
from accounts.tests.oidc_provider import LocalOpenIDProvider

pytestmark = pytest.mark.browser


def test_school_user_signs_in_through_dfe_sign_in(page, assert_accessible, live_server, transactional_db, settings):
    la = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    school = SchoolFactory(name="Argyle Primary School", urn=100000 + 42, local_authority=la)
    with LocalOpenIDProvider() as provider:
        settings.SSO_PROVIDERS = {"dfe": provider.settings()}
        provider.identity = {
            "sub": "dfe-7f3c",
            "email": "a.teacher@argyle.example",
            "given_name": "Amina",
            "family_name": "Teacher",
            "organisation": {"id": "org-1", "name": school.name, "category": {"id": "001", "name": "Establishment"}, "urn": str(school.urn)},
        }
        page.goto("/sign-in/")
        assert page.get_by_role("heading", name="With your organisation's account").is_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Sign in with DfE Sign-in").click()
        page.wait_for_url(live_server.url + "/")
        assert page.get_by_test_id("scope").inner_text() == "Argyle Primary School"
        identity = ExternalIdentity.objects.get(provider="dfe", subject="dfe-7f3c")
        assert identity.user.role == "school_staff" and identity.user.school == school

        # Signed out, an identity whose school is not known gets a clear page, not access.
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/sign-in/")
        provider.identity = {**provider.identity, "sub": "dfe-other", "organisation": {"category": {"id": "001"}, "urn": "999999"}}
        page.get_by_role("button", name="Sign in with DfE Sign-in").click()
        page.get_by_role("heading", name="You cannot sign in").wait_for()
        assert page.get_by_test_id("sso-refused").is_visible()
        assert_accessible(page)
