from django.urls import path

from campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("campaigns/", views.CampaignListView.as_view(), name="campaign_list"),
    path("campaigns/new/", views.CampaignCreateView.as_view(), name="campaign_create"),
    path("campaigns/<int:campaign_pk>/", views.CampaignDetailView.as_view(), name="campaign_detail"),
    path("campaigns/<int:pk>/send/", views.CampaignSendView.as_view(), name="campaign_send"),
    path("campaigns/<int:pk>/close/", views.CampaignCloseView.as_view(), name="campaign_close"),
    path("campaigns/devices/<int:pk>/", views.CampaignDeviceDetailView.as_view(), name="item_detail"),
    path("campaigns/devices/<int:pk>/move/", views.CampaignDeviceMoveView.as_view(), name="item_move"),
    path("campaigns/devices/<int:pk>/letter/", views.CampaignLetterView.as_view(), name="item_letter"),
]
