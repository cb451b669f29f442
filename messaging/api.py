"""Messaging API: the messages sent to families and where they got to (agents and admins).

Read-only; scoped like the pages (messages on safeguarding tickets only for designated leads).
The text itself is not in the API: it is on the message page, which is for people."""

from rest_framework import serializers, viewsets
from rest_framework.authentication import SessionAuthentication

from messaging.filters import OutboundMessageFilterSet
from messaging.models import OutboundMessage
from reports.api_common import IsStaff, Pagination, StrictFilterBackend, TokenOrUserRateThrottle


class OutboundMessageSerializer(serializers.ModelSerializer):
    ticket = serializers.CharField(source="ticket.reference", read_only=True, allow_null=True, default=None)

    class Meta:
        model = OutboundMessage
        fields = ["id", "channel", "template", "language", "status", "ticket", "attempts", "created_at", "sent_at", "delivered_at", "failed_at"]


class OutboundMessageViewSet(viewsets.ReadOnlyModelViewSet):
    """Messages to families the caller may see, newest first."""

    serializer_class = OutboundMessageSerializer
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsStaff]
    lookup_value_regex = "[^/]+"
    throttle_classes = [TokenOrUserRateThrottle]
    pagination_class = Pagination
    filter_backends = [StrictFilterBackend]
    filterset_class = OutboundMessageFilterSet
    api_roles = ("support_agent",)

    def get_queryset(self):
        return OutboundMessage.objects.visible_to(self.request.user).select_related("ticket").order_by("-pk")
