"""Import pages, included into the ``core`` namespace by ``core.urls``."""

from django.urls import path

from core.imports import views

urlpatterns = [
    path("imports/", views.ImportListView.as_view(), name="import_list"),
    path("imports/new/", views.ImportUploadView.as_view(), name="import_upload"),
    path("imports/template.xlsx", views.ImportTemplateView.as_view(), name="import_template"),
    path("imports/<int:pk>/", views.ImportDetailView.as_view(), name="import_detail"),
    path("imports/<int:pk>/check/", views.ImportMappingView.as_view(), name="import_mapping"),
    path("imports/<int:pk>/import/", views.ImportCommitView.as_view(), name="import_commit"),
    path("imports/<int:pk>/retry/", views.ImportRetryView.as_view(), name="import_retry"),
    path("imports/<int:pk>/errors.xlsx", views.ImportErrorsView.as_view(), name="import_errors"),
]
