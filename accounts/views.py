from urllib.parse import urlencode

from django.contrib.auth import views as auth_views
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import otp
from accounts.filters import LocalAuthorityFilterSet, SchoolFilterSet
from accounts.models import LocalAuthority, School
from accounts.tables import LocalAuthorityTable, SchoolTable
from core.views import ObjectDetailView, ObjectListView


class SchoolListView(ObjectListView):
    model = School
    table_class = SchoolTable
    filterset_class = SchoolFilterSet
    allowed_roles = ("council_officer", "cio", "support_agent", "school_staff")

    def get_queryset(self):
        return super().get_queryset().select_related("local_authority")


class SchoolDetailView(ObjectDetailView):
    model = School
    template_name = "accounts/school_detail.html"
    allowed_roles = ("council_officer", "cio", "support_agent", "school_staff")


class LocalAuthorityListView(ObjectListView):
    model = LocalAuthority
    table_class = LocalAuthorityTable
    filterset_class = LocalAuthorityFilterSet
    allowed_roles = ("council_officer", "cio", "support_agent", "school_staff", "london_lead")


class LocalAuthorityDetailView(ObjectDetailView):
    model = LocalAuthority
    template_name = "accounts/localauthority_detail.html"
    allowed_roles = ("council_officer", "cio", "support_agent", "school_staff", "london_lead")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["school_count"] = School.objects.visible_to(self.request.user).filter(local_authority=self.object).count()
        return context


class LoginView(auth_views.LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
    extra_context = {"title": _("Sign in")}

    def get_success_url(self):
        """Staff who must use two-step sign-in go on to enter a code (or set it up)."""
        target = super().get_success_url()
        user = self.request.user
        if otp.needs_verification(user) and not getattr(user, "is_verified", lambda: False)():
            name = "accounts:two_factor_verify" if otp.has_two_factor(user) else "accounts:two_factor_setup"
            return f"{reverse(name)}?{urlencode({'next': target})}"
        return target
