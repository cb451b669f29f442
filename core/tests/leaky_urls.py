"""A URLconf for core/tests/test_access.py: the project's routes plus views that forget their
scope (and one that crashes), to show the access walker reports them."""

from django.urls import path
from django.views import View

from accounts.filters import SchoolFilterSet
from accounts.models import School
from accounts.tables import SchoolTable
from core.views import ObjectDetailView, ObjectListView
from tracker.urls import urlpatterns as project_urlpatterns

ROLES = ("council_officer", "cio", "support_agent", "school_staff")


class ScopedSchoolDetail(ObjectDetailView):
    model = School
    template_name = "accounts/school_detail.html"
    allowed_roles = ROLES


class LeakySchoolDetail(ScopedSchoolDetail):
    def get_queryset(self):
        return School.objects.all()  # the bug: no visible_to(user)


class ScopedSchoolList(ObjectListView):
    model = School
    table_class = SchoolTable
    filterset_class = SchoolFilterSet
    allowed_roles = ROLES


class LeakySchoolList(ScopedSchoolList):
    def get_queryset(self):
        return School.objects.all()  # the bug: no visible_to(user)


class CrashView(View):
    def get(self, request):
        return 1 / 0


urlpatterns = project_urlpatterns + [
    path("leaky/schools/", LeakySchoolList.as_view(), name="leaky_school_list"),
    path("leaky/schools/<int:pk>/", LeakySchoolDetail.as_view(), name="leaky_school_detail"),
    path("leaky/crash/", CrashView.as_view(), name="leaky_crash"),
    path("leaky/scoped/schools/", ScopedSchoolList.as_view(), name="leaky_scoped_school_list"),
    path("leaky/scoped/schools/<int:pk>/", ScopedSchoolDetail.as_view(), name="leaky_scoped_school_detail"),
]
