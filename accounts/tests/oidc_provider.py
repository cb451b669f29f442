"""A small OpenID provider for the tests, on 127.0.0.1 in a thread.

It speaks the parts of OpenID Connect our client uses: the discovery document, the JWKS, an
authorisation endpoint that approves ``identity`` at once (no sign-in page) and redirects back
with a single-use code, the token endpoint (client secret, redirect URI and PKCE checked) and
userinfo. ID tokens are RS256 JWTs signed with an RSA key generated when it starts.

Tests change what it answers through attributes: ``identity`` (the user's claims),
``id_token_claims`` (extra or overriding ID-token claims, e.g. ``{"exp": 0}``) and
``forge`` (sign with a key the JWKS does not hold). For Entra's groups overage it also answers
Microsoft Graph's ``POST /v1.0/me/getMemberObjects`` for a token it issued: ``member_objects``
(the ids), ``graph_page`` (ids per page, with ``@odata.nextLink``) and ``graph_status`` (an
error status to answer instead).
"""

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CLIENT_ID = "devices-for-children"
CLIENT_SECRET = "test-client-secret"
KID = "test-key-1"


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _int_b64(n):
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def sign_jwt(claims, key, kid=KID):
    header = b64url(json.dumps({"alg": "RS256", "typ": "JWT", "kid": kid}).encode())
    body = b64url(json.dumps(claims).encode())
    signature = key.sign(f"{header}.{body}".encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{header}.{body}.{b64url(signature)}"


class LocalOpenIDProvider:
    def __init__(self, identity=None):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.identity = dict(identity or {})
        self.id_token_claims = {}
        self.forge = False
        self.raw_id_token = None  # answer this instead of a signed ID token
        self.codes = {}
        self.tokens = {}
        self.requests = []
        self.member_objects = []
        self.logouts = []
        self.graph_page = 100
        self.graph_status = None
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlparse(self.path)
                provider.requests.append(("GET", url.path))
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self._json(200, provider.discovery())
                if url.path == "/jwks":
                    public = provider.key.public_key().public_numbers()
                    jwk = {"kty": "RSA", "use": "sig", "alg": "RS256", "kid": KID, "n": _int_b64(public.n), "e": _int_b64(public.e)}
                    return self._json(200, {"keys": [jwk]})
                if url.path == "/authorize":
                    if query.get("client_id") != CLIENT_ID or query.get("response_type") != "code":
                        return self._json(400, {"error": "invalid_request"})
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query.get("state", "")})
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if url.path == "/logout":  # RP-initiated logout: back to the client's page
                    provider.logouts.append(query)
                    self.send_response(302)
                    self.send_header("Location", query.get("post_logout_redirect_uri", "/"))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return None
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self._json(401, {"error": "invalid_token"})
                    return self._json(200, provider.tokens[token])
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                url = urlparse(self.path)
                provider.requests.append(("POST", url.path))
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode()
                if url.path == "/v1.0/me/getMemberObjects":
                    return self.member_objects(url, raw)
                form = {k: v[0] for k, v in parse_qs(raw).items()}
                if url.path != "/token":
                    return self._json(404, {"error": "not_found"})
                grant = provider.codes.pop(form.get("code", ""), None)  # single use
                if grant is None:
                    return self._json(400, {"error": "invalid_grant"})
                if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
                    return self._json(401, {"error": "invalid_client"})
                if form.get("redirect_uri") != grant["redirect_uri"]:
                    return self._json(400, {"error": "invalid_grant"})
                if "code_challenge" in grant:
                    digest = b64url(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
                    if digest != grant["code_challenge"]:
                        return self._json(400, {"error": "invalid_grant"})
                return self._json(200, provider.token_response(grant))

            def member_objects(self, url, raw):
                token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                if token not in provider.tokens:
                    return self._json(401, {"error": {"code": "InvalidAuthenticationToken"}})
                if provider.graph_status:
                    return self._json(provider.graph_status, {"error": {"code": "Authorization_RequestDenied"}})
                if json.loads(raw or "{}").get("securityEnabledOnly") is not True:
                    return self._json(400, {"error": {"code": "BadRequest"}})
                start = int(parse_qs(url.query).get("skip", ["0"])[0])
                page = provider.member_objects[start:start + provider.graph_page]
                body = {"value": page}
                if start + provider.graph_page < len(provider.member_objects):
                    body["@odata.nextLink"] = f"{provider.issuer}/v1.0/me/getMemberObjects?skip={start + provider.graph_page}"
                return self._json(200, body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.issuer = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "end_session_endpoint": f"{self.issuer}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def token_response(self, grant):
        now = int(time.time())
        claims = {"iss": self.issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": grant.get("nonce"), **self.identity}
        claims.update(self.id_token_claims)
        claims = {k: v for k, v in claims.items() if v is not None}
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048) if self.forge else self.key
        access_token = secrets.token_urlsafe(16)
        self.tokens[access_token] = {k: v for k, v in self.identity.items() if k != "amr"}
        return {"access_token": access_token, "token_type": "Bearer", "expires_in": 300, "id_token": self.raw_id_token or sign_jwt(claims, key)}

    def settings(self):
        """The ``SSO_PROVIDERS`` entry that points our client at this provider (and at its
        stand-in for Microsoft Graph)."""
        return {"CLIENT_ID": CLIENT_ID, "CLIENT_SECRET": CLIENT_SECRET, "ISSUER": self.issuer, "GRAPH_URL": self.issuer}

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
