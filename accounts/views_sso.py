"""Single sign-on pages: start a sign-in at a provider, its callback, and signing out (at the
provider too, for a session that signed in through one).

Both are mozilla-django-oidc's views with one provider's settings; a refusal (an unknown
organisation, a forged or expired token, a used or missing ``state``) is a 403 page that
says what to do, and is logged by ``accounts.sso``."""

import logging
from urllib.parse import urlencode

from django.contrib.auth.views import LogoutView
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from accounts import otp, sso

logger = logging.getLogger("accounts.sso")
#: The provider each outstanding ``state`` was sent to, kept beside the library's ``oidc_states``.
STATES_KEY = "sso_states"


def refused_page(request, refused):
    return render(request, "accounts/sso_refused.html", {"title": _("You cannot sign in"), "message": refused.message}, status=403)


class SSOStartView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's sign-in page with a new ``state`` and ``nonce``."""

    provider_name = None

    def __init__(self, *args, **kwargs):  # the library reads global settings here; ours are per provider
        for key, value in kwargs.items():
            setattr(self, key, value)

    def get_settings(self, attr, *args):
        fixed = {
            "OIDC_AUTHENTICATION_CALLBACK_URL": "accounts:sso_callback",
            "OIDC_RP_SCOPES": self.provider.scopes,
            "OIDC_USE_NONCE": True,
            "OIDC_USE_PKCE": True,
            "OIDC_REDIRECT_REQUIRE_HTTPS": self.request.is_secure(),
            "OIDC_REDIRECT_ALLOWED_HOSTS": [],
        }
        if attr in fixed:
            return fixed[attr]
        return sso.SSOBackend.get_settings(attr, *args)

    def get(self, request):
        try:
            self.provider = sso.get_provider(self.provider_name)
            self.OIDC_OP_AUTH_ENDPOINT = self.provider.discovery()["authorization_endpoint"]
        except sso.SsoRefused as exc:
            logger.warning("single sign-on not started (%s): %s", self.provider_name, exc.detail)
            return refused_page(request, exc)
        self.OIDC_RP_CLIENT_ID = self.provider.client_id
        response = super().get(request)
        states = request.session["oidc_states"]
        ours = {state: name for state, name in request.session.get(STATES_KEY, {}).items() if state in states}
        newest = max(states, key=lambda s: states[s]["added_on"])
        ours[newest] = self.provider.name
        request.session[STATES_KEY] = ours
        return response


class SSOCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the code is exchanged, the ID token checked
    and the user signed in with the scope their organisation gives; anything else is refused."""

    def get(self, request):
        state = request.GET.get("state")
        name = request.session.get(STATES_KEY, {}).get(state) if isinstance(state, str) else None
        if request.GET.get("error"):
            logger.warning("single sign-on: the provider answered error=%r", request.GET.get("error")[:100])
            super().get(request)  # forgets the state and signs out, as the library does
            return refused_page(request, sso.SsoRefused("provider", "error"))
        if name is None or "code" not in request.GET or state not in request.session.get("oidc_states", {}):
            # A state we never sent, one already used (replayed) or none at all.
            logger.warning("single sign-on refused (state): unknown, used or missing state")
            return refused_page(request, sso.SsoRefused("state", "unknown state"))
        try:
            request.sso_provider = sso.get_provider(name)
        except sso.SsoRefused as exc:
            return refused_page(request, exc)
        states = request.session[STATES_KEY]
        states.pop(state, None)
        request.session[STATES_KEY] = states
        return super().get(request)

    def login_failure(self):
        refused = getattr(self.request, "sso_refused", None) or sso.SsoRefused("token", "no user")
        return refused_page(self.request, refused)

    def login_success(self):
        response = super().login_success()
        self.request.session[sso.SSO_PROVIDER_SESSION_KEY] = self.request.sso_provider.name
        if getattr(self.request, "sso_id_token", None):
            self.request.session[sso.SSO_ID_TOKEN_SESSION_KEY] = self.request.sso_id_token
        if getattr(self.request, "sso_mfa", False):
            self.request.session[sso.SSO_MFA_SESSION_KEY] = True
        elif otp.needs_verification(self.user):
            name = "accounts:two_factor_verify" if otp.has_two_factor(self.user) else "accounts:two_factor_setup"
            response["Location"] = f"{reverse(name)}?{urlencode({'next': response['Location']})}"
        return response


class SignOutView(LogoutView):
    """Signs out here; a session that signed in through a provider is then sent to the
    provider's sign-out (``sso.end_session_url``), which returns the browser to our sign-in
    page. Otherwise, or when the provider cannot be reached, Django's sign-out as before."""

    def post(self, request, *args, **kwargs):
        name = request.session.get(sso.SSO_PROVIDER_SESSION_KEY)
        id_token = request.session.get(sso.SSO_ID_TOKEN_SESSION_KEY)
        response = super().post(request, *args, **kwargs)  # flushes the session, ID token and all
        if name:
            url = sso.end_session_url(name, id_token, request.build_absolute_uri(reverse("login")))
            if url:
                logger.info("single sign-out: sent to %s's sign-out", name)
                return HttpResponseRedirect(url)
        return response
