from django.urls import path

from guides import views

app_name = "guides"

urlpatterns = [
    # Families, no account: after the language (/help/), before the ticket form (/help/<lang>/).
    path("help/<str:lang>/start/", views.StartView.as_view(), name="start"),
    path("help/<str:lang>/guides/<slug:slug>/", views.GuideView.as_view(), name="guide"),
    path("help/<str:lang>/guides/<slug:slug>/solved/", views.SolvedView.as_view(), name="solved"),
    # Staff.
    path("guides/", views.GuideListView.as_view(), name="guide_list"),
    path("guides/new/", views.GuideCreateView.as_view(), name="guide_create"),
    path("guides/coverage/", views.CoverageView.as_view(), name="coverage"),
    path("guides/<int:pk>/", views.GuideDetailView.as_view(), name="guide_detail"),
    path("guides/<int:pk>/edit/", views.GuideUpdateView.as_view(), name="guide_update"),
    path("guides/<int:pk>/text/<str:lang>/", views.GuideTextEditView.as_view(), name="text_edit"),
]
