"""Single sign-on for staff with OpenID Connect: one driver per identity provider.

The protocol (authorisation-code flow, ``state`` and ``nonce``, the token endpoint, the ID
token's signature against the provider's JWKS) is mozilla-django-oidc's; this module gives it
one provider's settings at a time and adds what it leaves out: the token's issuer, audience,
expiry and subject are checked, and the identity's organisation claims decide the user's role
and scope (``accounts.services.sign_in_with_identity``).

Providers are configured from the environment (``SSO_PROVIDERS`` in settings, see
docs/operations.md); with none configured the sign-in page shows only the password form.

Drivers:

* ``dfe``: DfE Sign-in. Its ``organisation`` claim names one organisation: an establishment
  (category ``001``) by ``urn`` maps to school staff of that School; a local authority
  (category ``002``) by its LA code (``establishmentNumber``) maps to a council officer of that
  LocalAuthority. Anything else gets no access.
* ``entra``: Microsoft Entra ID. The tenant (``tid``) and security groups (``groups``) are
  looked up in ``OrganisationMapping`` (admin-edited); exactly one scope must result. A user in
  more groups than a token carries (Entra's "groups overage": no ``groups`` claim, and
  ``_claim_names`` naming it, or ``hasgroups``) has their security groups read from Microsoft
  Graph (``POST /v1.0/me/getMemberObjects`` with the sign-in's access token), following
  ``@odata.nextLink`` up to ``GRAPH_MAX_GROUPS`` ids.
"""

import logging
import time
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.db import IntegrityError
from django.utils.translation import gettext_lazy as _
from josepy.errors import Error as JoseError
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from accounts.models import LocalAuthority, OrganisationMapping, Role, School, SsoProvider, User

logger = logging.getLogger("accounts.sso")

#: Authentication-method references (RFC 8176) that mean the provider checked a second factor.
MFA_METHODS = frozenset({"mfa", "otp", "hwk", "swk", "sms", "fpt", "face"})
#: The session key that records a provider-checked second factor for this session.
SSO_MFA_SESSION_KEY = "_sso_mfa"
#: The provider this session signed in through, and its ID token (the ``id_token_hint`` of the
#: provider's sign-out: ``end_session_url``).
SSO_PROVIDER_SESSION_KEY = "_sso_provider"
SSO_ID_TOKEN_SESSION_KEY = "_sso_id_token"


class SsoRefused(Exception):
    """A sign-in through a provider that must not succeed; ``reason`` picks the page's text."""

    REASONS = {
        "state": _("This sign-in link has already been used or has expired. Start again from the sign-in page."),
        "token": _("The sign-in could not be checked: the identity provider's answer was not valid or has expired."),
        "claims": _("Your organisation's account did not say who you are or which organisation you belong to."),
        "organisation": _("Your organisation does not have access to this service. Ask your council's device scheme lead to add it."),
        "administrator": _("Administrators sign in with their password and two-step sign-in."),
        "inactive": _("Your account has been turned off. Ask your council's device scheme lead."),
        "provider": _("The identity provider could not be reached or refused the sign-in. Try again later, or sign in with your password."),
        "unknown_provider": _("That sign-in option is not available."),
    }

    def __init__(self, reason, detail=""):
        super().__init__(f"{reason}: {detail}")
        self.reason, self.detail = reason, detail

    @property
    def message(self):
        return self.REASONS.get(self.reason, self.REASONS["token"])


@dataclass(frozen=True)
class Scope:
    """What a claim gives: one role and its LA or school. Nothing wider exists here."""

    role: str
    local_authority: LocalAuthority
    school: School | None = None
    organisation: str = ""


class Provider:
    """One identity provider's settings and its mapping of claims to a ``Scope``."""

    name = ""
    label = ""
    button = ""
    default_scopes = "openid email profile"

    def __init__(self, config):
        self.config = config
        self.client_id = config["CLIENT_ID"]
        self.client_secret = config.get("CLIENT_SECRET", "")
        self.issuer = config["ISSUER"].rstrip("/")
        self.scopes = config.get("SCOPES") or self.default_scopes
        self.sign_algo = config.get("SIGN_ALGO", "RS256")

    def discovery(self):
        """The provider's discovery document, cached for an hour (``SSO_DISCOVERY_TTL``)."""
        key = f"sso-discovery:{self.issuer}"
        doc = cache.get(key)
        if doc is None:
            url = f"{self.issuer}/.well-known/openid-configuration"
            try:
                response = requests.get(url, timeout=settings.SSO_TIMEOUT)
                response.raise_for_status()
                doc = response.json()
                for field in ("authorization_endpoint", "token_endpoint", "jwks_uri", "issuer"):
                    if not isinstance(doc.get(field), str):
                        raise ValueError(f"discovery document has no {field}")
            except (requests.RequestException, ValueError) as exc:
                raise SsoRefused("provider", f"discovery {url}: {exc}") from exc
            cache.set(key, doc, settings.SSO_DISCOVERY_TTL)
        return doc

    def expected_issuer(self, claims):
        issuer = self.discovery()["issuer"]
        return issuer.replace("{tenantid}", str(claims.get("tid", "")))

    def scope_for(self, claims):  # pragma: no cover - every driver defines it
        raise NotImplementedError

    def complete_claims(self, claims, access_token):
        """Claims the provider left out of the token, fetched with the access token (none here)."""
        return claims


class DfESignIn(Provider):
    name = SsoProvider.DFE
    label = _("DfE Sign-in")
    button = _("Sign in with DfE Sign-in")
    default_scopes = "openid email profile organisation"
    ESTABLISHMENT, LOCAL_AUTHORITY = "001", "002"

    def scope_for(self, claims):
        org = claims.get("organisation")
        if not isinstance(org, dict) or not isinstance(org.get("category"), dict):
            raise SsoRefused("claims", "no organisation claim")
        category = str(org["category"].get("id", ""))
        if category == self.ESTABLISHMENT:
            urn = str(org.get("urn") or "")
            school = School.objects.filter(urn=int(urn)).select_related("local_authority").first() if urn.isdigit() and len(urn) <= 9 else None
            if school is None:
                raise SsoRefused("organisation", f"no school with URN {urn!r}")
            return Scope(Role.SCHOOL_STAFF, school.local_authority, school, organisation=f"URN {urn}")
        if category == self.LOCAL_AUTHORITY:
            code = str(org.get("establishmentNumber") or "")
            la = LocalAuthority.objects.filter(code=code).first() if code else None
            if la is None:
                raise SsoRefused("organisation", f"no LA with code {code!r}")
            return Scope(Role.COUNCIL_OFFICER, la, organisation=f"LA {code}")
        raise SsoRefused("organisation", f"organisation category {category!r} is not a school or LA")


class EntraID(Provider):
    name = SsoProvider.ENTRA
    label = _("Microsoft Entra ID")
    button = _("Sign in with your council's Microsoft account")

    #: Security-group ids read from Graph at most (a token carries up to 200).
    GRAPH_MAX_GROUPS = 5000

    @staticmethod
    def has_overage(claims):
        names = claims.get("_claim_names")
        return "groups" not in claims and ((isinstance(names, dict) and "groups" in names) or claims.get("hasgroups") is True)

    def complete_claims(self, claims, access_token):
        if not self.has_overage(claims):
            return claims
        if not access_token:
            raise SsoRefused("claims", "groups overage and no access token to read them with")
        return {**claims, "groups": self.member_groups(access_token)}

    def member_groups(self, access_token):
        """The user's security-group ids from Microsoft Graph ``getMemberObjects``."""
        graph = (self.config.get("GRAPH_URL") or "https://graph.microsoft.com").rstrip("/")
        url, groups = f"{graph}/v1.0/me/getMemberObjects", []
        headers = {"Authorization": f"Bearer {access_token}", "Content-Type": "application/json"}
        try:
            while url and len(groups) < self.GRAPH_MAX_GROUPS:
                response = requests.post(url, json={"securityEnabledOnly": True}, headers=headers, timeout=settings.SSO_TIMEOUT)
                if response.status_code in (401, 403):
                    raise SsoRefused("provider", f"Graph getMemberObjects answered {response.status_code}: the app needs GroupMember.Read.All")
                response.raise_for_status()
                body = response.json()
                values = body.get("value") if isinstance(body, dict) else None
                if not isinstance(values, list):
                    raise SsoRefused("provider", "Graph getMemberObjects answer has no value list")
                groups += [v for v in values if isinstance(v, str)]
                next_link = body.get("@odata.nextLink")
                # Follow only Graph's own next page, never a link elsewhere.
                url = next_link if isinstance(next_link, str) and next_link.startswith(graph + "/") else None
        except (requests.RequestException, ValueError) as exc:
            raise SsoRefused("provider", f"Graph getMemberObjects: {str(exc)[:200]}") from exc
        logger.info("single sign-on (entra): %s security groups read from Graph (groups overage)", len(groups))
        return groups[: self.GRAPH_MAX_GROUPS]

    def scope_for(self, claims):
        tenant, groups = claims.get("tid"), claims.get("groups")
        if not isinstance(tenant, str) or not tenant or not isinstance(groups, list):
            raise SsoRefused("claims", "no tid or groups claim")
        groups = [g for g in groups if isinstance(g, str)][: self.GRAPH_MAX_GROUPS]
        scopes = {(m.role, m.local_authority_id, m.school_id): m for m in OrganisationMapping.objects.for_claims(provider=self.name, tenant=tenant, groups=groups)}
        if not scopes:
            raise SsoRefused("organisation", f"no mapping for tenant {tenant} and groups {groups[:20]}")
        if len(scopes) > 1:
            # Two groups giving two scopes: choosing one would be a guess, both would be wider.
            raise SsoRefused("organisation", f"tenant {tenant}: groups map to {len(scopes)} different scopes")
        mapping = next(iter(scopes.values()))
        return Scope(mapping.role, mapping.local_authority, mapping.school, organisation=f"tenant {tenant}")


DRIVERS = {SsoProvider.DFE: DfESignIn, SsoProvider.ENTRA: EntraID}


def configured():
    """The configured providers, in the order the sign-in page shows them."""
    return [DRIVERS[name](config) for name, config in settings.SSO_PROVIDERS.items() if name in DRIVERS and config.get("CLIENT_ID")]


def get_provider(name):
    for provider in configured():
        if provider.name == name:
            return provider
    raise SsoRefused("unknown_provider", name)


def end_session_url(name, id_token, post_logout_redirect_uri):
    """Where to send the browser so the provider signs the person out too (OpenID Connect
    RP-Initiated Logout: ``end_session_endpoint`` with ``id_token_hint``, ``client_id`` and
    ``post_logout_redirect_uri``), or ``None`` when the provider is no longer configured, is
    unreachable or has no such endpoint: the person is then signed out here only."""
    from urllib.parse import urlencode, urlparse

    try:
        provider = get_provider(name)
        endpoint = provider.discovery().get("end_session_endpoint")
    except SsoRefused as exc:
        logger.warning("single sign-out skipped (%s): %s", name, exc.detail)
        return None
    if not isinstance(endpoint, str) or urlparse(endpoint).scheme not in ("https", "http") or not urlparse(endpoint).netloc:
        return None
    query = {"client_id": provider.client_id, "post_logout_redirect_uri": post_logout_redirect_uri}
    if isinstance(id_token, str) and id_token:
        query["id_token_hint"] = id_token
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"


def satisfies_two_step(claims):
    """The provider says it checked a second factor (``amr``) and settings accept that."""
    amr = claims.get("amr")
    return bool(settings.SSO_MFA_SATISFIES_TWO_STEP) and isinstance(amr, list) and bool(MFA_METHODS.intersection(a for a in amr if isinstance(a, str)))


class SSOBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend for the provider the callback view names
    (``request.sso_provider``); refusals are raised as ``SsoRefused`` on ``request.sso_refused``
    and logged, so the callback can show why."""

    def __init__(self, *args, **kwargs):
        # Settings are per provider, set in authenticate(); get_user() needs none.
        self.UserModel = User
        self.provider = None

    def _configure(self, provider):
        doc = provider.discovery()
        self.provider = provider
        self.OIDC_OP_TOKEN_ENDPOINT = doc["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = doc.get("userinfo_endpoint")
        self.OIDC_OP_JWKS_ENDPOINT = doc["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = provider.client_id
        self.OIDC_RP_CLIENT_SECRET = provider.client_secret
        self.OIDC_RP_SIGN_ALGO = provider.sign_algo
        self.OIDC_RP_IDP_SIGN_KEY = None

    @staticmethod
    def get_settings(attr, *args):
        fixed = {
            "OIDC_AUTHENTICATION_CALLBACK_URL": "accounts:sso_callback",
            "OIDC_TIMEOUT": settings.SSO_TIMEOUT,
            "OIDC_USE_NONCE": True,
            "OIDC_ALLOW_UNSECURED_JWT": False,
            "OIDC_STORE_ACCESS_TOKEN": False,
            "OIDC_STORE_ID_TOKEN": False,
            "OIDC_CREATE_USER": True,
        }
        if attr in fixed:
            return fixed[attr]
        return getattr(settings, attr, *args) if args else getattr(settings, attr)

    def authenticate(self, request, **kwargs):
        provider = getattr(request, "sso_provider", None) if request is not None else None
        if provider is None or "nonce" not in kwargs:
            return None  # a password sign-in: not ours
        try:
            self._configure(provider)
            return self._authenticate(request, **kwargs)
        except SsoRefused as exc:
            refused = exc
        except SuspiciousOperation as exc:  # signature, algorithm, nonce, unknown key
            refused = SsoRefused("token", str(exc))
        except (JoseError, ValueError, TypeError, KeyError, AttributeError, UnicodeError, AssertionError) as exc:  # not a JWT (josepy asserts on some)
            refused = SsoRefused("token", f"{type(exc).__name__}: {exc}")
        except requests.RequestException as exc:
            refused = SsoRefused("provider", str(exc)[:300])
        logger.warning("single sign-on refused (%s, %s): %s", provider.name, refused.reason, refused.detail)
        request.sso_refused = refused
        return None

    def _authenticate(self, request, **kwargs):
        """The library's flow, with its one swallowed refusal turned into ours."""
        self.request = request
        state, code = request.GET.get("state"), request.GET.get("code")
        if not code or not state:
            raise SsoRefused("state", "no code or state")
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        """The library checks the signature and nonce; we check issuer, audience and time."""
        if not token:
            raise SsoRefused("token", "no id_token in the token response")
        payload = super().verify_token(token, **kwargs)
        if not isinstance(payload, dict):
            raise SsoRefused("token", "the ID token is not a JSON object")
        now, leeway = time.time(), settings.SSO_CLOCK_LEEWAY
        for claim in ("iss", "sub", "aud", "exp", "iat"):
            if claim not in payload:
                raise SsoRefused("claims", f"ID token has no {claim}")
        if payload["iss"] != self.provider.expected_issuer(payload):
            raise SsoRefused("token", f"issuer {payload['iss']!r}")
        audience = payload["aud"] if isinstance(payload["aud"], list) else [payload["aud"]]
        if self.OIDC_RP_CLIENT_ID not in audience:
            raise SsoRefused("token", f"audience {payload['aud']!r}")
        if not isinstance(payload["exp"], (int, float)) or payload["exp"] < now - leeway:
            raise SsoRefused("token", f"expired at {payload['exp']!r}")
        if not isinstance(payload["iat"], (int, float)) or payload["iat"] > now + leeway:
            raise SsoRefused("token", f"issued in the future at {payload['iat']!r}")
        if not isinstance(payload["sub"], str) or not payload["sub"] or len(payload["sub"]) > 255:
            raise SsoRefused("claims", "subject is not a string of 1 to 255 characters")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        from accounts.services import sign_in_with_identity

        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT and access_token:
            userinfo = self.get_userinfo(access_token, id_token, payload)
            if not isinstance(userinfo, dict):
                raise SsoRefused("claims", "userinfo is not a JSON object")
            if userinfo.get("sub") != payload["sub"]:  # OpenID Connect Core 5.3.2
                raise SsoRefused("token", "userinfo subject differs from the ID token's")
            claims.update({k: v for k, v in userinfo.items() if k not in ("iss", "aud", "exp", "iat", "nonce", "amr")})
        claims = self.provider.complete_claims(claims, access_token)
        try:
            user = sign_in_with_identity(provider=self.provider, claims=claims)
        except IntegrityError:
            # The same person's first sign-in in two tabs at once: the other created the identity.
            user = sign_in_with_identity(provider=self.provider, claims=claims)
        self.request.sso_mfa = satisfies_two_step(payload)
        self.request.sso_id_token = id_token
        return user

    def get_user(self, user_id):
        try:
            user = User._default_manager.select_related("local_authority", "school", "network_operator").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
