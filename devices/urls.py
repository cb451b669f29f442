from django.urls import path

from devices import views

app_name = "devices"

urlpatterns = [
    path("devices/", views.DeviceListView.as_view(), name="device_list"),
    path("devices/<int:pk>/", views.DeviceDetailView.as_view(), name="device_detail"),
    path("devices/<int:pk>/status/", views.DeviceTransitionView.as_view(), name="device_transition"),
    path("sims/", views.SimListView.as_view(), name="sim_list"),
    path("sims/<int:pk>/", views.SimDetailView.as_view(), name="sim_detail"),
    path("deliveries/", views.DeliveryBatchListView.as_view(), name="batch_list"),
    path("deliveries/<int:pk>/", views.DeliveryBatchDetailView.as_view(), name="batch_detail"),
    path("alerts/", views.AlertListView.as_view(), name="alert_list"),
    path("alerts/acknowledge/", views.AlertAcknowledgeAllView.as_view(), name="alert_acknowledge_all"),
    path("alerts/<int:pk>/acknowledge/", views.AlertAcknowledgeView.as_view(), name="alert_acknowledge"),
]

# The monitoring pages (usage import, allowance, horizon), in the same ``devices`` namespace;
# skipped until that module exists so the project always starts.
try:
    from devices import monitoring_urls
except ModuleNotFoundError as exc:
    if exc.name != "devices.monitoring_urls":
        raise
else:
    urlpatterns += monitoring_urls.urlpatterns
