"""The campaigns API (read): campaigns and their devices the caller may see."""

from rest_framework import serializers

from campaigns.filters import CampaignDeviceApiFilterSet, CampaignFilterSet
from campaigns.models import Campaign, CampaignDevice
from campaigns.views import VIEW_ROLES
from devices.api import ScopedReadOnlyViewSet


class CampaignSerializer(serializers.ModelSerializer):
    local_authority = serializers.CharField(source="local_authority.code", read_only=True)
    progress = serializers.SerializerMethodField()

    class Meta:
        model = Campaign
        fields = ["id", "kind", "title", "instructions", "status", "local_authority", "criteria", "created_at", "closed_at", "progress"]

    def get_progress(self, obj) -> dict:
        from campaigns.models import ItemStatus

        return {s: getattr(obj, f"n_{s}", 0) for s in ItemStatus.values}


class CampaignDeviceSerializer(serializers.ModelSerializer):
    serial = serializers.CharField(source="device.serial", read_only=True)
    school = serializers.CharField(source="device.school.urn", read_only=True, allow_null=True, default=None)

    class Meta:
        model = CampaignDevice
        fields = ["id", "campaign", "device", "serial", "school", "status", "changed_at"]


class CampaignViewSet(ScopedReadOnlyViewSet):
    """Campaigns the caller may see, newest first, with counts of their devices by status (the
    caller's devices only: school staff count their school's)."""

    model = Campaign
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilterSet
    related = ("local_authority",)
    api_roles = VIEW_ROLES

    def get_queryset(self):
        return super().get_queryset().with_progress()


class CampaignDeviceViewSet(ScopedReadOnlyViewSet):
    """Devices in campaigns the caller may see; filter by ``campaign``, ``status``, ``school``."""

    model = CampaignDevice
    serializer_class = CampaignDeviceSerializer
    filterset_class = CampaignDeviceApiFilterSet
    related = ("device", "device__school")
    api_roles = VIEW_ROLES
