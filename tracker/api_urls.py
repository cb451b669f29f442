"""The REST API at /api/: a router over every app's ``api.py``, the OpenAPI schema and docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import DefaultRouter

from allocations.api import AllocationViewSet
from connectivity.api import SimViewSet, UsageReadingsView
from devices.api import DeliveryManifestView, DeviceViewSet
from reports.api import ShortfallView
from reports.api_docs import ApiDocsView

router = DefaultRouter()
router.include_root_view = False
router.register("devices", DeviceViewSet, basename="device")
router.register("sims", SimViewSet, basename="sim")
router.register("allocations", AllocationViewSet, basename="allocation")

try:
    from support.api import TicketViewSet
except ImportError:  # the support app is optional while it is being built
    TicketViewSet = None
if TicketViewSet is not None:
    router.register("tickets", TicketViewSet, basename="ticket")

from messaging.api import OutboundMessageViewSet  # noqa: E402

router.register("messages", OutboundMessageViewSet, basename="outbound-message")

# --- network side: a network's queue and its bulk status update (before the router's detail route)
from connectivity.api import NetworkRequestViewSet, NetworkStatusUpdateView  # noqa: E402

router.register("network-requests", NetworkRequestViewSet, basename="network-request")

# --- stocktakes
from stocktakes.api import StocktakeViewSet  # noqa: E402

router.register("stocktakes", StocktakeViewSet, basename="stocktake")

# --- campaigns: recall and fix-up campaigns and their devices (read)
from campaigns.api import CampaignDeviceViewSet, CampaignViewSet  # noqa: E402

router.register("campaigns", CampaignViewSet, basename="campaign")
router.register("campaign-devices", CampaignDeviceViewSet, basename="campaign-device")

# --- connection plans and data bank vouchers
from connectivity.api import ConnectionPlanViewSet, DataVoucherViewSet  # noqa: E402

router.register("connection-plans", ConnectionPlanViewSet, basename="connection-plan")
router.register("data-vouchers", DataVoucherViewSet, basename="data-voucher")

# --- moves between councils (read)
from transfers.api import ChildTransferViewSet  # noqa: E402

router.register("transfers", ChildTransferViewSet, basename="transfer")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", ApiDocsView.as_view(), name="api-docs"),
    path("shortfall/", ShortfallView.as_view(), name="api-shortfall"),
    path("deliveries/", DeliveryManifestView.as_view(), name="api-deliveries"),
    path("usage-readings/", UsageReadingsView.as_view(), name="api-usage-readings"),
    path("network-requests/statuses/", NetworkStatusUpdateView.as_view(), name="api-network-statuses"),
] + router.urls
