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
    """Every operation documents the errors it can return, so clients (and schemathesis) know;
    a nested list's bounds (``allow_empty=False``, ``max_length``) are in the schema too."""

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        from rest_framework.serializers import ListSerializer

        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        if isinstance(field, ListSerializer) and schema.get("type") == "array":
            if field.min_length is not None or not field.allow_empty:
                schema["minItems"] = max(field.min_length or 0, 0 if field.allow_empty else 1)
            if field.max_length is not None:
                schema["maxItems"] = field.max_length
        return schema

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in ("400", "401", "403", "404", "405", "406", "415", "429"):
            if code not in responses:
                responses[code] = self._get_response_for_code(ERROR, code, direction=direction)
        return responses
