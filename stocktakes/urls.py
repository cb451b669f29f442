from django.urls import path

from stocktakes import views

app_name = "stocktakes"

urlpatterns = [
    path("stocktakes/", views.StocktakeListView.as_view(), name="stocktake_list"),
    path("stocktakes/start/", views.StocktakeStartView.as_view(), name="stocktake_start"),
    path("stocktakes/overdue/", views.OverdueSchoolListView.as_view(), name="overdue_list"),
    path("stocktakes/<int:pk>/", views.StocktakeDetailView.as_view(), name="stocktake_detail"),
    path("stocktakes/<int:pk>/scan/", views.StocktakeScanView.as_view(), name="stocktake_scan"),
    path("stocktakes/<int:pk>/close/", views.StocktakeCloseView.as_view(), name="stocktake_close"),
    path("stocktakes/<int:pk>/export/", views.StocktakeExportView.as_view(), name="stocktake_export"),
]
