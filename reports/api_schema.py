"""OpenAPI schema details: the bearer-token scheme and documented error responses."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "reports.api_auth.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "description": "A supplier or network operator API token."}


ERROR = OpenApiResponse(response=OpenApiTypes.OBJECT, description="An error: a ``detail`` message, or messages per field.")


class Schema(AutoSchema):
    """Every operation documents the errors it can return, so clients (and schemathesis) know."""

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in ("400", "401", "403", "404", "405", "406", "415", "429"):
            if code not in responses:
                responses[code] = self._get_response_for_code(ERROR, code, direction=direction)
        return responses
