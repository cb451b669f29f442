"""The connectivity API: SIMs (read), operators' usage readings (write, operator tokens), a
network's queue of requests and its status updates, and children's connection plans and the
council's data bank vouchers (read; an officer gives a voucher through ``plans.give_voucher``,
the service the give page calls)."""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import permissions as _permissions, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from allocations.models import Child
from connectivity import plans
from connectivity.filters import DataVoucherFilterSet, NetworkRequestFilterSet, SimFilterSet
from connectivity.models import ConnectionPlan, DataVoucher, NetworkRequest, Sim
from connectivity.usage import MAX_MB as USAGE_MAX_MB  # one bound for the API and operators' files
from reports.api_auth import ApiTokenAuthentication
from reports.api_common import (
    MAX_ROWS, HasTokenKind, Pagination, ScopedReadOnlyViewSet, StrictFilterBackend, TokenOrUserRateThrottle, WriteRateThrottle,
    rows_as_csv,
)
from reports.models import ApiToken


class SimSerializer(serializers.ModelSerializer):
    local_authority = serializers.CharField(source="local_authority.code", read_only=True)
    network = serializers.CharField(source="network.name", read_only=True, allow_null=True, default=None)
    device = serializers.IntegerField(source="device_id", read_only=True, allow_null=True)

    class Meta:
        model = Sim
        fields = ["id", "iccid", "msisdn", "network", "device", "local_authority", "status"]


class SimViewSet(ScopedReadOnlyViewSet):
    """SIMs the caller may see, newest first. Filters are those of the SIMs page."""

    model = Sim
    serializer_class = SimSerializer
    filterset_class = SimFilterSet
    related = ("local_authority", "network")


class UsageRowSerializer(serializers.Serializer):
    iccid = serializers.CharField(max_length=22, help_text="The SIM's ICCID (19 or 20 digits)")
    month = serializers.RegexField(r"^\d{4}-(0[1-9]|1[0-2])$", help_text="The month, as YYYY-MM")
    mb_used = serializers.FloatField(min_value=0, max_value=USAGE_MAX_MB, help_text="Data used in the month, in MB")

    def validate_month(self, value):
        if not 1990 <= int(value[:4]) <= 2100:
            raise serializers.ValidationError(_("Use a month between 1990-01 and 2100-12."))
        return value


class UsageSerializer(serializers.Serializer):
    rows = UsageRowSerializer(many=True, allow_empty=False, min_length=1, max_length=MAX_ROWS)


class UsageResultSerializer(serializers.Serializer):
    written = serializers.IntegerField()


class UsageReadingsView(APIView):
    """A network operator posts monthly usage for SIMs on its own network; all or none.

    A row for a SIM that is not on the token's network is refused exactly like an unknown
    SIM, so a token cannot learn which ICCIDs other operators hold.
    """

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasTokenKind]
    throttle_classes = [WriteRateThrottle]
    parser_classes = [JSONParser]  # ``rows`` is a list of objects: a form body cannot carry it
    token_kind = "operator"

    @extend_schema(request=UsageSerializer, responses={201: UsageResultSerializer})
    def post(self, request):
        from connectivity.usage import UsageFileError, import_usage

        token = request.auth
        payload = UsageSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        rows = [(r["iccid"], r["month"], r["mb_used"]) for r in payload.validated_data["rows"]]
        sims = Sim.objects.filter(network=token.network_operator)
        operator = token.network_operator.slug
        source = lambda: rows_as_csv(["ICCID", "Month", "Usage (MB)"], rows)  # noqa: E731
        try:
            check = import_usage(source(), operator=operator, filename="api.csv", sims=sims, dry_run=True)
            problems = [{"row": None, "field": "", "message": str(e)} for e in check.errors]
            problems += [
                {"row": n - 1, "field": "iccid", "message": _("No SIM with this ICCID is on your network.")} for n, _key in check.unknown
            ]
            if problems or check.unknown_count:
                return Response({"errors": problems}, status=status.HTTP_400_BAD_REQUEST)
            result = import_usage(source(), operator=operator, filename="api.csv", sims=sims)
        except UsageFileError as exc:
            return Response({"detail": str(exc.message)}, status=status.HTTP_400_BAD_REQUEST)
        if result.errors:
            return Response({"errors": [{"row": None, "field": "", "message": str(e)} for e in result.errors]}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"written": result.written}, status=status.HTTP_201_CREATED)


# --- network side: a network's queue of requests, and its bulk status update


#: Session roles that may read requests through the API (as on the request pages).
REQUEST_API_ROLES = ("council_officer", "cio", "school_staff", "support_agent", "network")


def _operator_token(request):
    token = request.auth
    return token if isinstance(token, ApiToken) and token.is_active and token.kind == ApiToken.Kind.OPERATOR else None


class StaffOrOperatorToken(_permissions.BasePermission):
    """A signed-in user with one of the view's ``api_roles``, or a network's operator token;
    with ``network_only``, only a network's users and operator tokens."""

    message = _("Sign in as a user with access to network requests, or use your network's API token.")

    def has_permission(self, request, view):
        if isinstance(request.auth, ApiToken):
            return _operator_token(request) is not None
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if getattr(view, "network_only", False):
            return user.role == "network" and bool(user.network_operator_id)
        return user.is_superuser or user.role == "admin" or user.role in view.api_roles


class NetworkRequestSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True)
    network = serializers.CharField(source="network.name", read_only=True)
    iccid = serializers.CharField(source="sim.iccid", read_only=True, allow_null=True, default=None)
    local_authority = serializers.CharField(source="local_authority.code", read_only=True)

    class Meta:
        model = NetworkRequest
        fields = ["id", "reference", "kind", "status", "problem", "network", "iccid", "msisdn", "local_authority",
                  "account_holder", "phone_plan", "created_at", "changed_at"]


class NetworkRequestApiFilterSet(NetworkRequestFilterSet):
    """The request list's filters; the network by its slug (``ee``), where an unknown one
    matches nothing instead of being an error."""

    import django_filters as _df

    network = _df.CharFilter(field_name="network__slug", label=_("Network"), max_length=40)


class NetworkRequestViewSet(viewsets.ReadOnlyModelViewSet):
    """Requests to networks the caller may see, most recently changed first: a network's users
    and its operator tokens see only that network's. Filters are those of the request list."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [StaffOrOperatorToken]
    lookup_value_regex = "[^/]+"
    throttle_classes = [TokenOrUserRateThrottle]
    pagination_class = Pagination
    filter_backends = [StrictFilterBackend]
    filterset_class = NetworkRequestApiFilterSet
    serializer_class = NetworkRequestSerializer
    api_roles = REQUEST_API_ROLES
    model = NetworkRequest

    def get_queryset(self):
        token = _operator_token(self.request)
        if token is not None:
            qs = NetworkRequest.objects.filter(network_id=token.network_operator_id)
        else:
            qs = NetworkRequest.objects.visible_to(self.request.user)
        return qs.select_related("network", "sim", "local_authority").order_by("-changed_at", "-pk")

    def get_object(self):
        # Any id reaches here: a non-number is the same JSON 404 as another network's request.
        from django.http import Http404

        value = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if not value.isdigit() or len(value) > 12:
            raise Http404
        return super().get_object()


class StatusRowSerializer(serializers.Serializer):
    reference = serializers.CharField(max_length=40, help_text="The request's reference (NR-000123) or its SIM's ICCID")
    status = serializers.ChoiceField(choices=NetworkRequest.Status.choices)
    problem = serializers.ChoiceField(choices=NetworkRequest.Problem.choices, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class StatusUpdateSerializer(serializers.Serializer):
    rows = StatusRowSerializer(many=True, allow_empty=False, min_length=1, max_length=MAX_ROWS)


class StatusUpdateResultSerializer(serializers.Serializer):
    updated = serializers.IntegerField()


class NetworkStatusUpdateView(APIView):
    """A network sets the status of many of its requests at once, all or none: every row is
    checked as in a status file (``connectivity.network_statuses``); any row error, and nothing
    is written (400 with each row's error, rows counted from 1)."""

    authentication_classes = [ApiTokenAuthentication, SessionAuthentication]
    permission_classes = [StaffOrOperatorToken]
    throttle_classes = [WriteRateThrottle]
    parser_classes = [JSONParser]
    network_only = True

    @extend_schema(request=StatusUpdateSerializer, responses={200: StatusUpdateResultSerializer})
    def post(self, request):
        from connectivity import network_statuses as ns

        payload = StatusUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        token = _operator_token(request)
        network_id = token.network_operator_id if token is not None else request.user.network_operator_id
        by = None if token is not None else request.user
        plan, errors = ns.check_rows(network_id, payload.validated_data["rows"])
        if errors:
            return Response({"errors": [{"row": e["row"], "field": e["column"], "message": e["message"]} for e in errors]},
                            status=status.HTTP_400_BAD_REQUEST)
        try:
            updated = ns.apply(plan, by=by)
        except ns.Changed as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response({"updated": updated}, status=status.HTTP_200_OK)



# --- connection plans and data bank vouchers (issue 16: a plan for every child's connection)

#: Who reads plans and vouchers through the API: the roles of their pages (``connectivity.views``).
PLAN_API_ROLES = ("council_officer", "cio", "school_staff", "support_agent")
VOUCHER_API_ROLES = ("council_officer", "cio")
#: Who may give a voucher (as on the give page).
VOUCHER_GIVE_ROLES = ("council_officer",)


class ConnectionPlanSerializer(serializers.ModelSerializer):
    child_reference = serializers.CharField(source="child.reference", read_only=True)
    local_authority = serializers.CharField(source="child.local_authority.code", read_only=True)
    voucher = serializers.CharField(source="voucher.code", read_only=True, allow_null=True, default=None)

    class Meta:
        model = ConnectionPlan
        fields = ["id", "child", "child_reference", "local_authority", "kind", "provider", "outcome", "starts", "ends",
                  "monthly_cost", "voucher", "network_request", "is_current", "chosen_at", "replaced_at"]


class ConnectionPlanApiFilterSet(django_filters.FilterSet):
    current = django_filters.BooleanFilter(field_name="is_current", label=_("Current plans only"))
    kind = django_filters.ChoiceFilter(choices=ConnectionPlan.Kind.choices, label=_("Where the data comes from"))
    child = django_filters.NumberFilter(field_name="child_id", label=_("Child"))

    class Meta:
        model = ConnectionPlan
        fields = ["current", "kind", "child"]


class ConnectionPlanViewSet(ScopedReadOnlyViewSet):
    """Children's connection plans the caller may see (the current one and earlier choices),
    newest first. ``?current=true`` for current plans only."""

    model = ConnectionPlan
    serializer_class = ConnectionPlanSerializer
    filterset_class = ConnectionPlanApiFilterSet
    related = ("child", "child__local_authority", "voucher")
    api_roles = PLAN_API_ROLES


class DataVoucherSerializer(serializers.ModelSerializer):
    local_authority = serializers.CharField(source="local_authority.code", read_only=True)
    given_to_reference = serializers.CharField(source="given_to.reference", read_only=True, allow_null=True, default=None)

    class Meta:
        model = DataVoucher
        fields = ["id", "code", "provider", "kind", "data_mb", "expires", "local_authority", "given_to",
                  "given_to_reference", "given_at"]


class GiveVoucherSerializer(serializers.Serializer):
    child_reference = serializers.CharField(max_length=40, help_text="The council's reference for the child, e.g. CAM-0001")


class DataVoucherViewSet(ScopedReadOnlyViewSet):
    """The council's data bank vouchers and SIMs, newest first, with the voucher page's filters.
    ``POST .../{id}/give/`` gives the voucher to a child named by reference (council officers;
    the same service and refusals as the give page: a code is never given twice)."""

    model = DataVoucher
    serializer_class = DataVoucherSerializer
    filterset_class = DataVoucherFilterSet
    related = ("local_authority", "given_to")
    api_roles = VOUCHER_API_ROLES

    def get_object(self):
        from django.http import Http404

        value = str(self.kwargs.get(self.lookup_url_kwarg or self.lookup_field, ""))
        if not value.isdigit() or len(value) > 12:
            raise Http404
        return super().get_object()

    def get_throttles(self):
        return [WriteRateThrottle()] if self.action == "give" else super().get_throttles()

    @extend_schema(request=GiveVoucherSerializer, responses={201: ConnectionPlanSerializer})
    @action(detail=True, methods=["post"], parser_classes=[JSONParser])
    def give(self, request, pk=None):
        user = request.user
        if not (user.is_superuser or user.role in VOUCHER_GIVE_ROLES):
            return Response({"detail": _("Only a council officer can give a voucher.")}, status=status.HTTP_403_FORBIDDEN)
        voucher = self.get_object()
        payload = GiveVoucherSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        reference = payload.validated_data["child_reference"].strip()
        child = (
            Child.objects.visible_to(user).active()
            .filter(local_authority_id=voucher.local_authority_id, reference__iexact=reference).first()
        )
        if child is None:
            return Response({"child_reference": [_("No child with this reference is on the council's list.")]}, status=status.HTTP_400_BAD_REQUEST)
        try:
            plan = plans.give_voucher(child=child, voucher=voucher, by=user)
        except DjangoValidationError as exc:
            return Response({"detail": exc.messages}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ConnectionPlanSerializer(plan).data, status=status.HTTP_201_CREATED)
