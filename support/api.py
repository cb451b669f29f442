"""Support API: read tickets (scoped like the queue: safeguarding concerns only for designated
leads), filtered like the queue page. No requester contact details are exposed."""

from rest_framework.authentication import SessionAuthentication
from rest_framework import serializers, viewsets

from reports.api_common import IsStaff, Pagination, StrictFilterBackend, TokenOrUserRateThrottle
from support.filters import TicketFilterSet
from support.models import Ticket
from support.views import TICKET_ROLES


class TicketSerializer(serializers.ModelSerializer):
    local_authority = serializers.CharField(source="local_authority.code", read_only=True, allow_null=True, default=None)
    school_urn = serializers.IntegerField(source="school.urn", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Ticket
        fields = [
            "id", "reference", "source", "local_authority", "school_urn", "device", "category", "priority", "status", "language",
            "needs_interpreter", "created_at", "first_response_due", "resolution_due", "first_responded_at", "resolved_at",
        ]


class TicketViewSet(viewsets.ReadOnlyModelViewSet):
    """Tickets the caller may see, newest first."""

    serializer_class = TicketSerializer
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsStaff]
    lookup_value_regex = "[^/]+"  # any id reaches the view, which answers a JSON 404
    throttle_classes = [TokenOrUserRateThrottle]
    pagination_class = Pagination
    filter_backends = [StrictFilterBackend]
    filterset_class = TicketFilterSet
    api_roles = tuple(r for r in TICKET_ROLES if r != "admin")

    def get_queryset(self):
        return Ticket.objects.visible_to(self.request.user).select_related("local_authority", "school").order_by("-pk")
