"""Bearer-token authentication for supplier and network operator systems.

Kept apart from the other API plumbing: DRF imports it while it loads its own settings.
"""

from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header


class ApiTokenAuthentication(BaseAuthentication):
    """``Authorization: Bearer <token>``. A missing header falls through to the session."""

    keyword = b"bearer"

    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Authorization: Bearer <token>."))
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The token is not valid.")) from None
        from reports.services import authenticate_token

        token = authenticate_token(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("The token is not valid, or it has been revoked."))
        from django.contrib.auth.models import AnonymousUser

        return (AnonymousUser(), token)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


