from django.urls import path

from messaging import views

app_name = "messaging"

urlpatterns = [
    path("messages/outbox/", views.OutboxView.as_view(), name="outbox"),
    path("messages/not-arrived/", views.FailedMessagesView.as_view(), name="failed"),
    path("messages/from-families/", views.InboundListView.as_view(), name="inbound"),
    path("messages/demo-text/", views.DemoTextView.as_view(), name="demo_text"),
    path("messages/<int:pk>/", views.MessageDetailView.as_view(), name="message_detail"),
    path("messages/<int:pk>/send-again/", views.SendAgainView.as_view(), name="send_again"),
    # Provider callbacks (bearer token; no session, no CSRF).
    path("callbacks/notify/delivery-receipt/", views.NotifyDeliveryReceiptView.as_view(), name="notify_receipt"),
    path("callbacks/notify/inbound-text/", views.NotifyInboundTextView.as_view(), name="notify_inbound"),
]
