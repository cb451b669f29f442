"""Shared API plumbing: token authentication, permissions, throttles, errors and schema.

Staff use the API with their signed-in session; read endpoints return only
``visible_to(request.user)`` rows. Suppliers and network operators use a bearer token
(``reports.models.ApiToken``) and may only call the write endpoint for their kind.
"""

import csv
import io

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
import django_filters
from django_filters.rest_framework import DjangoFilterBackend
from rest_framework import pagination, permissions, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.throttling import SimpleRateThrottle
from rest_framework.views import exception_handler as drf_exception_handler

from core.navigation_roles import STAFF_ROLES
from reports import api_schema  # noqa: F401  (registers the token scheme with drf-spectacular)
from reports.api_auth import ApiTokenAuthentication  # noqa: F401
from reports.models import ApiToken


class IsStaff(permissions.BasePermission):
    """A signed-in member of staff (not a token) with one of the view's ``api_roles``."""

    message = _("Sign in as a member of staff with access to this list.")

    def has_permission(self, request, view):
        user = request.user
        if isinstance(request.auth, ApiToken) or not user or not user.is_authenticated:
            return False
        roles = getattr(view, "api_roles", STAFF_ROLES)
        return user.is_superuser or user.role == "admin" or user.role in roles


class HasTokenKind(permissions.BasePermission):
    """A valid, unrevoked API token of the view's ``token_kind``."""

    message = _("This endpoint needs a valid API token of the right kind.")

    def has_permission(self, request, view):
        token = request.auth
        return isinstance(token, ApiToken) and token.is_active and token.kind == view.token_kind


class TokenOrUserRateThrottle(SimpleRateThrottle):
    """Per token, else per user, else per address. Rates: ``DEFAULT_THROTTLE_RATES['api']``."""

    scope = "api"

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            ident = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            ident = self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


class WriteRateThrottle(TokenOrUserRateThrottle):
    scope = "api_write"


class Pagination(pagination.PageNumberPagination):
    """``page_size`` is absent, or a whole number from 1 to ``max_page_size``; anything else
    (``null``, empty, 0, negative, too big) is a 400, not silently the default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [_("Give a whole number from 1 to %(max)s.") % {"max": self.max_page_size}]}
            )
        return int(raw)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters


class StrictFilterBackend(DjangoFilterBackend):
    """The filters, with a present-but-empty date or choice (``?handed_over_from=``,
    ``?language=``) refused with a 400 like any other invalid value (the HTML pages, whose
    forms send empty fields, keep the lenient behaviour)."""

    def filter_queryset(self, request, queryset, view):
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            errors = {}
            for name, spec in filterset_class.base_filters.items():
                if isinstance(spec, (django_filters.DateFilter, django_filters.ChoiceFilter, django_filters.DateFromToRangeFilter)):
                    values = request.query_params.getlist(name)
                    if values and any(v.strip() == "" for v in values):
                        errors[name] = [_("This value may not be blank.")]
            if errors:
                raise ValidationError(errors)
        return super().filter_queryset(request, queryset, view)


def exception_handler(exc, context):
    """DRF's handler, plus Django validation errors as 400 (never a 500 for bad input)."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        return Response(detail, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, (Http404, DjangoPermissionDenied)):
        return drf_exception_handler(exc, context)
    return drf_exception_handler(exc, context)


# --- shared by the apps' api.py: the scoped read-only viewset and JSON rows as a CSV upload

#: Session roles that read the staff lists (devices, SIMs, plans, vouchers) through the API.
API_STAFF_ROLES = ("council_officer", "school_staff", "support_agent", "cio")
#: The most rows one JSON write (a delivery, usage readings, statuses) may carry.
MAX_ROWS = 5000


class ScopedReadOnlyViewSet(viewsets.ReadOnlyModelViewSet):
    """List and detail of ``visible_to(request.user)`` rows, filtered by the page's filterset."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsStaff]
    lookup_value_regex = "[^/]+"  # any id reaches the view, which answers a JSON 404
    throttle_classes = [TokenOrUserRateThrottle]
    pagination_class = Pagination
    filter_backends = [StrictFilterBackend]
    api_roles = API_STAFF_ROLES
    model = None
    related = ()

    def get_queryset(self):
        qs = self.model.objects.visible_to(self.request.user).select_related(*self.related)
        return qs.order_by("-pk")


def rows_as_csv(headers, rows):
    """JSON rows as an in-memory CSV upload (header row first, ``None`` as an empty cell), so an
    API write goes through the same spreadsheet engine and row errors as the upload pages."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    data = io.BytesIO(out.getvalue().encode("utf-8"))
    data.name = "api.csv"
    return data
