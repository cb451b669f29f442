"""An officer sets up two-step sign-in in the browser, sees their recovery codes, signs out and
signs in again with a code from the app; every page passes axe-core."""

import re
from base64 import b32decode

import pytest
from django_otp.oath import TOTP, totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.tests.factories import LocalAuthorityFactory, UserFactory

pytestmark = pytest.mark.browser


def app_code(secret, step=None):
    """What an authenticator app shows for ``secret`` (the key as typed by hand), now or in the
    30-second ``step`` given."""
    key = b32decode(secret + "=" * (-len(secret) % 8))
    if step is None:
        return f"{totp(key):06d}"
    generator = TOTP(key)
    generator.time = step * 30 + 1
    return f"{generator.token():06d}"


def test_officer_sets_up_and_uses_two_step_sign_in(page, login, assert_accessible, live_server, transactional_db, settings):
    settings.TWO_FACTOR_REQUIRED = True
    la = LocalAuthorityFactory(code="202", name="Camden", gss_code="E09000007")
    officer = UserFactory(username="olu", role="council_officer", local_authority=la)

    login(page, officer)
    page.wait_for_url("**/account/two-step/set-up/**")
    assert page.get_by_role("heading", name="Set up two-step sign-in").is_visible()
    assert page.get_by_role("img", name="QR code for your authenticator app").is_visible()
    assert_accessible(page)

    page.get_by_role("textbox", name="Code").fill("12")
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    assert page.get_by_text("There is a problem").is_visible()
    assert_accessible(page)

    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    page.get_by_role("textbox", name="Code").fill(app_code(secret))
    page.get_by_role("button", name="Turn on two-step sign-in").click()
    page.get_by_role("heading", name="Your recovery codes").wait_for()
    codes = page.get_by_test_id("recovery-codes").locator("li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{16}", c) for c in codes)
    assert_accessible(page)
    page.get_by_role("link", name="I have saved my recovery codes").click()
    page.wait_for_url(live_server.url + "/")

    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in/")
    login(page, officer)
    page.wait_for_url("**/account/two-step/code/**")
    assert page.get_by_role("heading", name="Enter your security code").is_visible()
    assert_accessible(page)
    # A code is never accepted twice: use the next step's code (the app would show it within
    # 30 seconds; the server accepts one step either side of its clock).
    next_step = TOTPDevice.objects.get(user=officer).last_t + 1
    page.get_by_role("textbox", name="Code").fill(app_code(secret, step=next_step))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(live_server.url + "/")
    assert page.get_by_test_id("scope").inner_text() == "Camden"
    page.goto("/account/two-step/")
    assert page.get_by_text("Recovery codes left").is_visible()
    assert_accessible(page)
