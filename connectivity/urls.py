"""Routes for SIMs, usage upload and allowance monitoring.

The paths are those these pages had under ``devices`` (``/sims/``, ``/usage/...``), so
bookmarks keep working; only the URL names moved to the ``connectivity`` namespace.
"""

from django.urls import path

from connectivity import views

app_name = "connectivity"

urlpatterns = [
    path("sims/", views.SimListView.as_view(), name="sim_list"),
    path("sims/<int:pk>/", views.SimDetailView.as_view(), name="sim_detail"),
    path("usage/upload/", views.UsageUploadView.as_view(), name="usage_upload"),
    path("usage/running-out/", views.RunoutView.as_view(), name="runout"),
    path("usage/evidence/", views.EvidenceView.as_view(), name="allowance_evidence"),
    path("network-requests/", views.NetworkRequestListView.as_view(), name="request_list"),
    path("network-requests/<int:pk>/", views.NetworkRequestDetailView.as_view(), name="request_detail"),
    path("network-requests/<int:pk>/status/", views.NetworkRequestMoveView.as_view(), name="request_move"),
]

# --- network side
urlpatterns += [
    path("network-requests/bulk/", views.NetworkRequestBulkView.as_view(), name="request_bulk"),
    path("network-requests/upload-statuses/", views.NetworkStatusUploadView.as_view(), name="status_upload"),
]


# --- connection plans
urlpatterns += [
    path("children/<int:pk>/connection-plan/", views.ConnectionPlanChooseView.as_view(), name="plan_choose"),
    path("connection-plans/no-plan/", views.ChildrenWithoutPlanListView.as_view(), name="plan_gap_list"),
    path("data-vouchers/", views.DataVoucherListView.as_view(), name="voucher_list"),
    path("data-vouchers/<int:pk>/give/", views.DataVoucherGiveView.as_view(), name="voucher_give"),
]


# --- idle SIMs and check-ins
urlpatterns += [
    path("check-ins/", views.CheckInListView.as_view(), name="checkin_list"),
    path("check-ins/follow-up/", views.CheckInFollowUpView.as_view(), name="checkin_follow_up"),
    path("help/<str:lang>/check-in/<str:token>/", views.CheckInAnswerView.as_view(), name="checkin_answer"),
]


# --- requests: the council's and school's side
urlpatterns += [
    path("sims/<int:pk>/network-request/", views.SimRaiseRequestView.as_view(), name="sim_request"),
    path("sims/network-requests/", views.SimBulkRequestView.as_view(), name="sim_bulk_request"),
    path("sims/network-requests/confirm/", views.SimBulkConfirmView.as_view(), name="sim_bulk_confirm"),
    path("children/<int:pk>/family-data/", views.FamilyDataRequestView.as_view(), name="family_data_request"),
]
