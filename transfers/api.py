"""The transfers API: moves between councils the caller's council is party to (read only).
Like the pages, it names no child, contact or serial number: the references, councils, status,
dates and the kinds of device that went or stayed."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from reports.api_common import ScopedReadOnlyViewSet
from transfers.filters import ChildTransferFilterSet
from transfers.models import ChildTransfer
from transfers.services import READER_ROLES


class ChildTransferSerializer(serializers.ModelSerializer):
    from_local_authority = serializers.CharField(source="from_local_authority.code", read_only=True)
    to_local_authority = serializers.CharField(source="to_local_authority.code", read_only=True)
    #: The receiver's reference only to the receiver (and administrators): the sender keeps its
    #: own reference and nothing of the receiver's, as on the pages.
    to_reference = serializers.SerializerMethodField()

    class Meta:
        model = ChildTransfer
        fields = [
            "id", "from_local_authority", "to_local_authority", "status", "from_reference", "to_reference", "lent_devices_stay",
            "devices_moved", "devices_kept", "tickets_moved", "proposed_at", "decided_at",
        ]


    @extend_schema_field(serializers.CharField())
    def get_to_reference(self, obj):
        user = self.context["request"].user
        if user.is_superuser or user.role == "admin" or user.local_authority_id == obj.to_local_authority_id:
            return obj.to_reference
        return ""


class ChildTransferViewSet(ScopedReadOnlyViewSet):
    """Moves between councils that the caller's council sends or receives, newest first."""

    model = ChildTransfer
    serializer_class = ChildTransferSerializer
    filterset_class = ChildTransferFilterSet
    related = ("from_local_authority", "to_local_authority")
    api_roles = READER_ROLES
