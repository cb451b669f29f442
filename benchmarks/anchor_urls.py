"""URLconf used only by the ``device_list`` benchmark: the project's URLs plus the anchor view,
so ours and the anchor are both requested through the test Client and the full middleware."""

from django.core.paginator import Paginator
from django.urls import path

from devices.views import DeviceListView
from tracker.urls import urlpatterns as project_urlpatterns


class AnchorDeviceListView(DeviceListView):
    """The device list with django-tables2's default paginator (Django's counting Paginator)."""

    table_pagination = {"paginator_class": Paginator}


urlpatterns = [
    path("bench/device-list-anchor/", AnchorDeviceListView.as_view(), name="bench_device_list_anchor"),
    *project_urlpatterns,
]
