from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("reports/", views.DashboardView.as_view(), name="dashboard"),
    path("reports/dfe-return.xlsx", views.DfeReturnView.as_view(), name="dfe_return"),
    path("reports/london/", views.LondonView.as_view(), name="london"),
    path("reports/figures/", views.FigureDefinitionsView.as_view(), name="figure_definitions"),
    path("reports/london.csv", views.LondonCsvView.as_view(), name="london_csv"),
    path("reports/need-estimates/", views.NeedEstimateListView.as_view(), name="need_estimate_list"),
    path("reports/need-estimates/add/", views.NeedEstimateCreateView.as_view(), name="need_estimate_create"),
    path("reports/need-estimates/<int:pk>/", views.NeedEstimateUpdateView.as_view(), name="need_estimate_update"),
    path("reports/need-estimates/<int:pk>/delete/", views.NeedEstimateDeleteView.as_view(), name="need_estimate_delete"),
    path("api-tokens/", views.ApiTokenListView.as_view(), name="token_list"),
    path("api-tokens/add/", views.ApiTokenCreateView.as_view(), name="token_create"),
    path("api-tokens/<int:pk>/", views.ApiTokenDetailView.as_view(), name="token_detail"),
    path("api-tokens/<int:pk>/revoke/", views.ApiTokenRevokeView.as_view(), name="token_revoke"),
]
