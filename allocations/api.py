"""Allocations API: read allocations (scoped, filtered like the allocations page).

Child personal data (names, year group, language) is included only for roles that see it on
the pages (``allocations.views.VIEW_ROLES``); guardian contact details only for roles that
manage children. The London lead sees no rows at all (``visible_to``) and is refused.
"""

from drf_spectacular.utils import extend_schema_field
from rest_framework.authentication import SessionAuthentication
from rest_framework import serializers, viewsets

from allocations.filters import AllocationFilterSet
from allocations.models import Allocation
from allocations.views import MANAGE_ROLES, VIEW_ROLES
from reports.api_common import IsStaff, Pagination, StrictFilterBackend, TokenOrUserRateThrottle


def _has(user, roles):
    return user.is_superuser or user.role == "admin" or user.role in roles


class ChildSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    # ``null``: the child belongs to the LA directly (no school).
    school_urn = serializers.IntegerField(source="school.urn", allow_null=True, default=None)
    first_name = serializers.CharField(required=False)
    last_name = serializers.CharField(required=False)
    year_group = serializers.CharField(required=False)
    preferred_language = serializers.CharField(required=False)
    needs_laptop = serializers.BooleanField()
    needs_connectivity = serializers.BooleanField()
    guardian_name = serializers.CharField(required=False)
    guardian_phone = serializers.CharField(required=False)
    guardian_email = serializers.CharField(required=False)

    PERSONAL = ("first_name", "last_name", "year_group", "preferred_language")
    CONTACT = ("guardian_name", "guardian_phone", "guardian_email")

    def to_representation(self, child):
        data = super().to_representation(child)
        user = self.context["request"].user
        hide = set()
        if not _has(user, VIEW_ROLES) or child.anonymised_at:
            hide |= set(self.PERSONAL) | set(self.CONTACT)
        if not _has(user, MANAGE_ROLES):
            hide |= set(self.CONTACT)
        for name in hide:
            data.pop(name, None)
        return data


class AllocationSerializer(serializers.ModelSerializer):
    device_serial = serializers.CharField(source="device.serial", read_only=True)
    device_kind = serializers.CharField(source="device.kind", read_only=True)
    child = serializers.SerializerMethodField()

    class Meta:
        model = Allocation
        fields = ["id", "status", "planned_on", "handed_over_on", "ended_on", "device", "device_serial", "device_kind", "child"]

    @extend_schema_field(ChildSummarySerializer)
    def get_child(self, obj):
        return ChildSummarySerializer(obj.child, context=self.context).data


class AllocationViewSet(viewsets.ReadOnlyModelViewSet):
    """Allocations the caller may see, newest first."""

    serializer_class = AllocationSerializer
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsStaff]
    lookup_value_regex = "[^/]+"  # any id reaches the view, which answers a JSON 404
    throttle_classes = [TokenOrUserRateThrottle]
    pagination_class = Pagination
    filter_backends = [StrictFilterBackend]
    filterset_class = AllocationFilterSet
    api_roles = VIEW_ROLES

    def get_queryset(self):
        return Allocation.objects.visible_to(self.request.user).select_related("device", "child", "child__school").order_by("-pk")
