"""The connectivity API: SIMs (read) and operators' usage readings (write, operator tokens)."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import JSONParser
from rest_framework.response import Response
from rest_framework.views import APIView

from connectivity.filters import SimFilterSet
from connectivity.models import Sim
from connectivity.usage import MAX_MB as USAGE_MAX_MB  # one bound for the API and operators' files
from devices.api import MAX_ROWS, ScopedReadOnlyViewSet, _csv
from reports.api_auth import ApiTokenAuthentication
from reports.api_common import HasTokenKind, WriteRateThrottle


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
        source = lambda: _csv(["ICCID", "Month", "Usage (MB)"], rows)  # noqa: E731
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
