"""Devices API: read devices and SIMs (scoped, filtered like the pages); suppliers post
delivery manifests; network operators post usage readings for their own SIMs.

Writes reuse the spreadsheet engines, so the API and the upload pages accept and refuse the
same rows with the same messages: a delivery goes through ``devices.imports.SPEC`` (the import
engine's delivery spec) and usage through ``connectivity.usage.import_usage``. The JSON rows are
written to an in-memory CSV whose header row is row 1, so ``row N`` in an error is the N-th
item of the posted ``rows`` list.
"""

from django.db import transaction
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.parsers import JSONParser
from rest_framework.views import APIView

from accounts.models import LocalAuthority
from devices.filters import DeviceFilterSet
from devices.models import Device
from reports.api_auth import ApiTokenAuthentication
from reports.api_common import MAX_ROWS, HasTokenKind, ScopedReadOnlyViewSet, WriteRateThrottle, rows_as_csv


class DeviceSerializer(serializers.ModelSerializer):
    local_authority = serializers.CharField(source="local_authority.code", read_only=True)
    school_urn = serializers.IntegerField(source="school.urn", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Device
        fields = [
            "id", "kind", "make", "model", "serial", "imei", "asset_tag", "local_authority", "school_urn", "status",
            "ownership", "delivered_on", "handed_over_on", "warranty_end",
        ]


class DeviceViewSet(ScopedReadOnlyViewSet):
    """Devices the caller may see, newest first. Filters are those of the devices page."""

    model = Device
    serializer_class = DeviceSerializer
    filterset_class = DeviceFilterSet
    related = ("local_authority", "school")


# --- writes ---------------------------------------------------------------------------------


def api_row_errors(errors):
    """Engine errors (spreadsheet rows, header = row 1) as API rows (first item = row 1)."""
    out = []
    for e in errors:
        if isinstance(e, dict):
            row = e.get("row")
            out.append({"row": (row - 1) if isinstance(row, int) and row > 1 else row, "field": e.get("column", ""), "message": str(e.get("message", ""))})
        else:
            out.append({"row": None, "field": "", "message": str(e)})
    return out


class DeliveryRowSerializer(serializers.Serializer):
    kind = serializers.CharField(max_length=40, help_text="laptop, tablet or router")
    serial = serializers.CharField(max_length=60)
    delivered_on = serializers.CharField(max_length=20, help_text="A date, for example 2026-01-15 or 15/01/2026")
    make = serializers.CharField(max_length=60, required=False, allow_blank=True)
    model = serializers.CharField(max_length=100, required=False, allow_blank=True)
    imei = serializers.CharField(max_length=20, required=False, allow_blank=True)
    iccid = serializers.CharField(max_length=22, required=False, allow_blank=True)
    msisdn = serializers.CharField(max_length=20, required=False, allow_blank=True)
    network = serializers.CharField(max_length=60, required=False, allow_blank=True)
    order_reference = serializers.CharField(max_length=60, required=False, allow_blank=True)
    asset_tag = serializers.CharField(max_length=40, required=False, allow_blank=True)


class DeliveryManifestSerializer(serializers.Serializer):
    local_authority = serializers.CharField(max_length=3, help_text="DfE LA code the devices were delivered to, for example 202")
    rows = DeliveryRowSerializer(many=True, allow_empty=False, min_length=1, max_length=MAX_ROWS)


class DeliveryResultSerializer(serializers.Serializer):
    devices = serializers.IntegerField()
    sims = serializers.IntegerField()
    batches = serializers.IntegerField()


DELIVERY_FIELDS = ["kind", "serial", "delivered_on", "make", "model", "imei", "iccid", "msisdn", "network", "order_reference", "asset_tag"]


class DeliveryManifestView(APIView):
    """A supplier posts the rows of a delivery manifest; all are recorded, or none."""

    authentication_classes = [ApiTokenAuthentication]
    permission_classes = [HasTokenKind]
    throttle_classes = [WriteRateThrottle]
    parser_classes = [JSONParser]  # ``rows`` is a list of objects: a form body cannot carry it
    token_kind = "supplier"

    @extend_schema(request=DeliveryManifestSerializer, responses={201: DeliveryResultSerializer})
    def post(self, request):
        from core.imports.engine import ImportRejected, commit, validate
        from core.imports.readers import ReadError
        from devices.imports import SPEC

        token = request.auth
        payload = DeliveryManifestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        la = LocalAuthority.objects.filter(code=data["local_authority"].strip()).first()
        if la is None:
            return Response({"local_authority": [_("No local authority has this code.")]}, status=status.HTTP_400_BAD_REQUEST)
        if token.local_authority_id and token.local_authority_id != la.pk:
            return Response({"local_authority": [_("This token may only post deliveries for %(la)s.") % {"la": token.local_authority.code}]}, status=status.HTTP_403_FORBIDDEN)
        headers = DELIVERY_FIELDS + ["supplier"]
        rows = [[r.get(f, "") for f in DELIVERY_FIELDS] + [token.supplier_name] for r in data["rows"]]
        mapping = {f: f for f in headers}
        try:
            ctx = validate(SPEC, rows_as_csv(headers, rows), local_authority=la, mapping=mapping, filename="api.csv")
            if not ctx.ok:
                return Response({"errors": api_row_errors(ctx.errors)}, status=status.HTTP_400_BAD_REQUEST)
            with transaction.atomic():
                ctx = commit(SPEC, rows_as_csv(headers, rows), local_authority=la, mapping=mapping, filename="api.csv")
        except ImportRejected as exc:
            return Response({"errors": api_row_errors(exc.ctx.errors if exc.ctx else [str(exc)])}, status=status.HTTP_400_BAD_REQUEST)
        except ReadError as exc:
            return Response({"detail": str(exc.message)}, status=status.HTTP_400_BAD_REQUEST)
        counts = ctx.counts
        return Response(
            {"devices": counts.get("devices", 0), "sims": counts.get("sims", 0), "batches": counts.get("batches", 0)},
            status=status.HTTP_201_CREATED,
        )
