from django.urls import path

from transfers import views

app_name = "transfers"

urlpatterns = [
    path("transfers/", views.TransferListView.as_view(), name="transfer_list"),
    path("children/<int:pk>/move/", views.ProposeView.as_view(), name="transfer_propose"),
    path("transfers/<int:pk>/", views.TransferDetailView.as_view(), name="transfer_detail"),
    path("transfers/<int:pk>/accept/", views.AcceptView.as_view(), name="transfer_accept"),
    path("transfers/<int:pk>/decline/", views.DeclineView.as_view(), name="transfer_decline"),
    path("transfers/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="transfer_withdraw"),
]
