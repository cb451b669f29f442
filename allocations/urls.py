from django.urls import path

from allocations import views

app_name = "allocations"

urlpatterns = [
    path("children/", views.ChildListView.as_view(), name="child_list"),
    path("children/add/", views.ChildCreateView.as_view(), name="child_create"),
    path("children/<int:pk>/", views.ChildDetailView.as_view(), name="child_detail"),
    path("children/<int:pk>/edit/", views.ChildUpdateView.as_view(), name="child_update"),
    path("children/<int:pk>/allocate/", views.ChildAllocateView.as_view(), name="child_allocate"),
    path("children/<int:pk>/subject-access/", views.ChildExportView.as_view(), name="child_export"),
    path("allocations/", views.AllocationListView.as_view(), name="allocation_list"),
    path("allocations/<int:pk>/", views.AllocationDetailView.as_view(), name="allocation_detail"),
    path("allocations/<int:pk>/hand-over/", views.HandOverView.as_view(), name="allocation_hand_over"),
    path("allocations/<int:pk>/return/", views.ReturnView.as_view(), name="allocation_return"),
    path("allocations/<int:pk>/cancel/", views.CancelView.as_view(), name="allocation_cancel"),
    path("allocations/<int:pk>/replace/", views.ReplaceView.as_view(), name="allocation_replace"),
    path("allocations/<int:pk>/transfer-ownership/", views.TransferOwnershipView.as_view(), name="allocation_transfer"),
    path("allocations/<int:pk>/letter/", views.LetterView.as_view(), name="allocation_letter"),
    path("allocations/<int:pk>/letter/post/", views.PostLetterView.as_view(), name="allocation_letter_post"),
    path("allocations/<int:pk>/acceptance/", views.AcceptanceView.as_view(), name="allocation_acceptance"),
    path("allocations/<int:pk>/acceptance.pdf", views.AcceptancePdfView.as_view(), name="acceptance_pdf"),
    path("allocations/<int:pk>/acceptance/post/", views.SendAcceptanceView.as_view(), name="acceptance_send"),
    path("allocations/<int:pk>/readiness/", views.ReadinessView.as_view(), name="allocation_readiness"),
]
