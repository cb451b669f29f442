from django.urls import path

from devices import views

app_name = "devices"

urlpatterns = [
    path("devices/", views.DeviceListView.as_view(), name="device_list"),
    path("devices/bulk/", views.DeviceBulkView.as_view(), name="device_bulk"),
    path("alerts/bulk/", views.AlertBulkView.as_view(), name="alert_bulk"),
    path("devices/labels/", views.DeviceLabelsView.as_view(), name="labels"),
    path("devices/scan-in/", views.ScanInView.as_view(), name="scan_in"),
    path("devices/add/", views.DeviceAddView.as_view(), name="device_add"),
    path("devices/<int:pk>/", views.DeviceDetailView.as_view(), name="device_detail"),
    path("devices/<int:pk>/status/", views.DeviceTransitionView.as_view(), name="device_transition"),
    path("deliveries/", views.DeliveryBatchListView.as_view(), name="batch_list"),
    path("deliveries/<int:pk>/", views.DeliveryBatchDetailView.as_view(), name="batch_detail"),
    path("alerts/", views.AlertListView.as_view(), name="alert_list"),
    path("alerts/acknowledge/", views.AlertAcknowledgeAllView.as_view(), name="alert_acknowledge_all"),
    path("alerts/<int:pk>/acknowledge/", views.AlertAcknowledgeView.as_view(), name="alert_acknowledge"),
    path("licences/upload/", views.LicenceUploadView.as_view(), name="licence_upload"),
    path("horizon/", views.CliffEdgeView.as_view(), name="cliff_edge"),
    path("d/<str:serial>/", views.DeviceCodeView.as_view(), name="device_code"),
]
