"""Two-step sign-in (TOTP and recovery codes), its enforcement, lockout, admin reset and the
inactivity timeout. These tests turn ``TWO_FACTOR_REQUIRED`` on (conftest turns it off)."""

import re
import time
from binascii import unhexlify

import pytest
from django.contrib.admin.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp
from accounts.middleware import LAST_ACTIVITY_KEY

PASSWORD = "correct-horse-battery"
SETUP = reverse("accounts:two_factor_setup")
VERIFY = reverse("accounts:two_factor_verify")
CODES = reverse("accounts:two_factor_recovery_codes")


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.TWO_FACTOR_REQUIRED = True
    settings.OTP_TOTP_SYNC = False  # a code made on a step boundary must not shift the window


def code_for(device, drift=0):
    return f"{totp(unhexlify(device.key), step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def sign_in(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def enrol(user):
    """A confirmed authenticator and recovery codes, set up through the service."""
    device = otp.start_setup(user=user)
    codes = otp.confirm_setup(user=user, device=device, token=code_for(device))
    device.refresh_from_db()
    return device, codes


def secret_from(page):
    return re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")


@pytest.mark.parametrize("role", ["council_officer", "support_agent", "cio", "london_lead", "admin"])
def test_staff_roles_are_sent_to_set_up_two_step_sign_in(client, users, role):
    response = sign_in(client, users[role])
    assert response.status_code == 302 and response["Location"].startswith(SETUP)
    # Every other page sends them back until they have set it up.
    response = client.get(reverse("accounts:school_list"))
    assert response.status_code == 302
    assert response["Location"] == f"{SETUP}?next=%2Fschools%2F"


def test_officer_sets_up_an_app_and_sees_recovery_codes_once(client, officer):
    sign_in(client, officer)
    page = client.get(SETUP + "?next=/schools/").content.decode()
    assert '<svg role="img" aria-label="QR code for your authenticator app"' in page
    assert "<script" not in page.split("<main", 1)[1].split("</main>", 1)[0]
    device = TOTPDevice.objects.get(user=officer, confirmed=False)
    assert secret_from(page)  # the key for typing in by hand
    response = client.post(SETUP, {"code": "000000" if code_for(device) != "000000" else "111111", "next": "/schools/"})
    assert "The code is not correct" in response.content.decode()
    device.throttle_reset()
    response = client.post(SETUP, {"code": code_for(device), "next": "/schools/"})
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    page = response.content.decode()
    assert "Two-step sign-in is on." in page
    codes = re.findall(r"<li>([a-z2-7]{16})</li>", page)
    assert len(codes) == 10 and len(set(codes)) == 10
    assert 'href="/schools/"' in page
    # Shown once: the next visit offers a new set instead.
    again = client.get(CODES).content.decode()
    assert not set(codes) & set(re.findall(r"[a-z2-7]{16}", again))
    assert "Make new recovery codes" in again
    assert client.get("/schools/").status_code == 200
    assert TOTPDevice.objects.get(user=officer).confirmed


def test_sign_in_with_a_code_returns_to_the_page_asked_for(client, officer):
    device, _codes = enrol(officer)
    response = sign_in(client, officer, next_url="/schools/")
    assert response["Location"] == f"{VERIFY}?next=%2Fschools%2F"
    page = client.get(response["Location"]).content.decode()
    assert "Enter your security code" in page
    response = client.post(VERIFY, {"code": code_for(device, drift=1), "next": "/schools/"})
    assert response.status_code == 302 and response["Location"] == "/schools/"
    assert client.get("/schools/").status_code == 200


def test_an_unverified_user_cannot_add_a_second_device(client, officer):
    enrol(officer)
    sign_in(client, officer)
    response = client.get(SETUP)
    assert response.status_code == 302 and response["Location"].startswith(VERIFY)
    assert TOTPDevice.objects.filter(user=officer).count() == 1


def test_a_recovery_code_works_once(client, officer):
    _device, codes = enrol(officer)
    sign_in(client, officer)
    response = client.post(VERIFY, {"code": codes[0].upper()})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "You used a recovery code. You have 9 left." in client.get("/").content.decode()
    client.post(reverse("logout"))
    sign_in(client, officer)
    response = client.post(VERIFY, {"code": codes[0]})
    assert "The code is not correct" in response.content.decode()
    assert client.get("/").status_code == 302


def test_wrong_codes_are_throttled(client, officer):
    device, _codes = enrol(officer)
    sign_in(client, officer)
    wrong = "000000" if code_for(device, drift=1) != "000000" else "111111"
    client.post(VERIFY, {"code": wrong})
    response = client.post(VERIFY, {"code": code_for(device, drift=1)})
    assert "Too many wrong codes. Wait until" in response.content.decode()
    assert client.get("/").status_code == 302


def test_five_wrong_codes_sign_the_user_out_and_lock(client, officer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # no back-off between attempts, only the lockout
    device, _codes = enrol(officer)
    sign_in(client, officer)
    wrong = "000000" if code_for(device, drift=1) != "000000" else "111111"
    for _attempt in range(4):
        assert "The code is not correct" in client.post(VERIFY, {"code": wrong}).content.decode()
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 403
    assert "Too many wrong security codes" in response.content.decode()
    assert client.get("/").status_code == 302 and client.get("/")["Location"].startswith(reverse("login"))
    # Signing in again with the password does not reopen the code form, even with a right code.
    sign_in(client, officer)
    assert client.get(VERIFY).status_code == 403
    assert not client.session.get("_auth_user_id")
    # After the lockout period it works again.
    settings.TWO_FACTOR_LOCKOUT_SECONDS = 0
    sign_in(client, officer)
    assert client.post(VERIFY, {"code": code_for(device, drift=1)})["Location"] == "/"


def test_school_staff_may_sign_in_without_it_and_turn_it_on_and_off(client, users):
    staff = users["school_staff"]
    response = sign_in(client, staff)
    assert response["Location"] == "/"
    assert client.get("/").status_code == 200
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "Off" in page and SETUP in page
    assert reverse("accounts:two_factor") in client.get("/").content.decode()  # in their navigation
    client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)
    client.post(SETUP, {"code": code_for(device)})
    assert otp.has_two_factor(staff)
    # Once on, it is required for them too.
    client.post(reverse("logout"))
    assert sign_in(client, staff)["Location"].startswith(VERIFY)
    assert client.get("/")["Location"].startswith(VERIFY)
    client.post(VERIFY, {"code": code_for(device, drift=1)})
    client.post(reverse("accounts:two_factor"), {"action": "turn_off"})
    assert not otp.has_two_factor(staff) and not StaticToken.objects.filter(device__user=staff).exists()


def test_staff_roles_cannot_turn_it_off(client, officer):
    device, _codes = enrol(officer)
    sign_in(client, officer)
    client.post(VERIFY, {"code": code_for(device, drift=1)})
    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert "cannot be turned off" in page and "Recovery codes left" in page
    client.post(reverse("accounts:two_factor"), {"action": "turn_off"})
    assert otp.has_two_factor(officer)


def test_new_recovery_codes_replace_the_old_ones(client, officer):
    device, old = enrol(officer)
    sign_in(client, officer)
    client.post(VERIFY, {"code": code_for(device, drift=1)})
    new = re.findall(r"<li>([a-z2-7]{16})</li>", client.post(CODES).content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=officer).values_list("token", flat=True)) == set(new)


def test_open_pages_while_a_code_is_still_needed(client, officer):
    enrol(officer)
    sign_in(client, officer)
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get("/help/").status_code == 200
    assert client.get(VERIFY).status_code == 200
    # The API does not treat a half-signed-in session as signed in.
    assert client.get("/api/").status_code in (401, 403, 404)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and not client.session.get("_auth_user_id")


def test_admin_resets_a_users_two_step_sign_in(client, users, officer, django_assert_max_num_queries):
    enrol(officer)
    admin = users["admin"]
    admin_device, _codes = enrol(admin)
    sign_in(client, admin)
    client.post(VERIFY, {"code": code_for(admin_device, drift=1)})
    with django_assert_max_num_queries(12):
        page = client.get(reverse("accounts:two_factor_users") + f"?q={officer.username}").content.decode()
    assert officer.username in page and reverse("accounts:two_factor_reset", args=[officer.pk]) in page
    url = reverse("accounts:two_factor_reset", args=[officer.pk])
    assert "Two-step sign-in is on for this user." in client.get(url).content.decode()
    response = client.post(url)
    assert response["Location"] == reverse("accounts:two_factor_users")
    assert not TOTPDevice.objects.filter(user=officer).exists()
    entry = LogEntry.objects.get(object_id=str(officer.pk))
    assert entry.user == admin and entry.change_message == "Reset two-step sign-in"
    # The officer sets it up again at their next sign-in.
    client.post(reverse("logout"))
    assert sign_in(client, officer)["Location"].startswith(SETUP)


@pytest.mark.parametrize("role", ["council_officer", "school_staff", "support_agent", "cio", "london_lead"])
def test_only_admins_reach_the_reset_pages(client, users, role, officer, settings):
    settings.TWO_FACTOR_REQUIRED = False
    client.force_login(users[role])
    assert client.get(reverse("accounts:two_factor_users")).status_code == 403
    assert client.post(reverse("accounts:two_factor_reset", args=[officer.pk])).status_code == 403


def test_reset_from_the_django_admin(client, users, officer, settings):
    settings.TWO_FACTOR_REQUIRED = False
    enrol(officer)
    client.force_login(users["admin"])
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [officer.pk]},
    )
    assert response.status_code == 302
    assert not otp.has_two_factor(officer)
    assert LogEntry.objects.filter(object_id=str(officer.pk), change_message="Reset two-step sign-in").exists()


def test_anonymous_users_are_asked_to_sign_in(client, officer):
    for name in ("two_factor", "two_factor_verify", "two_factor_setup", "two_factor_recovery_codes", "two_factor_users"):
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302 and response["Location"].startswith(reverse("login")), name


def test_with_the_setting_off_staff_sign_in_with_a_password_only(client, officer, settings):
    settings.TWO_FACTOR_REQUIRED = False
    enrol(officer)
    assert sign_in(client, officer)["Location"] == "/"
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    # ... and the checks cost no queries (the rest of the suite pins query counts with it off).
    assert not [q["sql"] for q in queries.captured_queries if "otp_" in q["sql"]]


def test_idle_sessions_are_signed_out(client, users, settings):
    settings.SESSION_IDLE_TIMEOUT = 30 * 60
    staff = users["school_staff"]
    sign_in(client, staff)
    assert client.get("/").status_code == 200
    assert abs(client.session[LAST_ACTIVITY_KEY] - time.time()) < 5
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - 29 * 60
    session.save()
    assert client.get("/").status_code == 200  # 29 minutes idle: still signed in, clock restarts
    session = client.session
    session[LAST_ACTIVITY_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get("/schools/1/")
    assert response.status_code == 302 and response["Location"] == f"{reverse('login')}?next=%2Fschools%2F1%2F"
    page = client.get(response["Location"]).content.decode()
    assert "You were signed out because you were inactive for 30 minutes." in page
    assert not client.session.get("_auth_user_id")
