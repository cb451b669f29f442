"""Reports API: shortfall figures per LA for the LAs the caller may see (CIOs, officers, admins):
registered figures, small numbers hidden by the one policy (``reports.published``)."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.generics import GenericAPIView

from accounts.models import LocalAuthority
from reports import published
from reports.api_common import IsStaff, Pagination, TokenOrUserRateThrottle


class ShortfallSerializer(serializers.Serializer):
    """One LA's registered figures (``reports.definitions``; ``reports.published.API_FIELDS``
    names the figure behind each field). A figure hidden by the small-number policy is null."""

    local_authority = serializers.CharField()
    name = serializers.CharField()
    children_need_device = serializers.IntegerField(allow_null=True)
    estimated_device_need = serializers.IntegerField(allow_null=True)
    devices = serializers.IntegerField(allow_null=True)
    children_with_device = serializers.IntegerField(allow_null=True)
    children_handed_over = serializers.IntegerField(allow_null=True)
    laptop_shortfall = serializers.IntegerField(allow_null=True)
    laptop_cost = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    children_need_connectivity = serializers.IntegerField(allow_null=True)
    children_connected = serializers.IntegerField(allow_null=True)
    connectivity_shortfall = serializers.IntegerField(allow_null=True)
    connectivity_cost = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)


class ShortfallView(GenericAPIView):
    """Need, supply and shortfall for each LA the caller may see (one row per LA)."""

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsStaff]
    throttle_classes = [TokenOrUserRateThrottle]
    pagination_class = Pagination
    serializer_class = ShortfallSerializer
    api_roles = ("cio", "council_officer")

    def get_queryset(self):
        return LocalAuthority.objects.visible_to(self.request.user)

    @extend_schema(responses=ShortfallSerializer(many=True))
    def get(self, request):
        la_ids = list(self.get_queryset().values_list("pk", flat=True))
        rows = published.shortfall_by_la(request.user, la_ids) if la_ids else []
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
