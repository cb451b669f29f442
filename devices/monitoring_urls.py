"""Routes for usage upload, allowance monitoring, licences and the cliff edge.

Included by ``devices.urls`` into the ``devices`` namespace.
"""

from django.urls import path

from devices import monitoring_views as views

urlpatterns = [
    path("usage/upload/", views.UsageUploadView.as_view(), name="usage_upload"),
    path("usage/running-out/", views.RunoutView.as_view(), name="runout"),
    path("usage/evidence/", views.EvidenceView.as_view(), name="allowance_evidence"),
    path("licences/upload/", views.LicenceUploadView.as_view(), name="licence_upload"),
    path("horizon/", views.CliffEdgeView.as_view(), name="cliff_edge"),
]
