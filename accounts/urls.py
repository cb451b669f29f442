from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("schools/", views.SchoolListView.as_view(), name="school_list"),
    path("schools/<int:pk>/", views.SchoolDetailView.as_view(), name="school_detail"),
    path("local-authorities/", views.LocalAuthorityListView.as_view(), name="la_list"),
    path("local-authorities/<int:pk>/", views.LocalAuthorityDetailView.as_view(), name="la_detail"),
]
