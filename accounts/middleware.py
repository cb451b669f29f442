"""Sign-in policy applied to every request: inactivity timeout, then two-step verification."""

import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts import otp
from accounts.sso import SSO_MFA_SESSION_KEY

LAST_ACTIVITY_KEY = "_last_activity"


class SessionIdleTimeoutMiddleware:
    """Signs a user out when ``SESSION_IDLE_TIMEOUT`` seconds pass between two requests.

    The time of the last request is kept in the session; the session cookie's own age
    (``SESSION_COOKIE_AGE``) is the upper bound on a working day."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY_KEY)
            timeout = settings.SESSION_IDLE_TIMEOUT
            if timeout and isinstance(last, int) and now - last > timeout:
                logout(request)
                minutes = max(1, timeout // 60)
                messages.info(request, _("You were signed out because you were inactive for %(minutes)d minutes.") % {"minutes": minutes})
                if request.path.startswith("/api/"):
                    return self.get_response(request)
                return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode({'next': request.get_full_path()})}")
            request.session[LAST_ACTIVITY_KEY] = now
        return self.get_response(request)


def _open_paths():
    """Paths a signed-in user who still has to enter a code may reach."""
    return (
        reverse("accounts:two_factor_verify"),
        reverse("accounts:two_factor_setup"),
        reverse("accounts:two_factor_recovery_codes"),
        reverse("logout"),
        reverse("login"),
        reverse("healthz"),
        "/robots.txt",
        "/i18n/",
        "/help/",
        "/" + settings.STATIC_URL.lstrip("/"),
    )


class TwoFactorMiddleware:
    """A signed-in user who must use two-step sign-in, and has not entered a code this session,
    is sent to enter one (or to set it up); only the pages needed for that are open to them.

    API requests are not redirected: the API authenticates on its own (bearer tokens), and a
    session that has not completed two-step sign-in counts as no session there."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.session.get(SSO_MFA_SESSION_KEY)  # the provider checked a second factor
            and otp.needs_verification(user)
        ):
            if request.path.startswith("/api/"):
                request.user = AnonymousUser()
            elif not request.path.startswith(_open_paths()):
                name = "accounts:two_factor_verify" if otp.has_two_factor(user) else "accounts:two_factor_setup"
                return redirect(f"{reverse(name)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)
