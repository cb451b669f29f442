from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts import otp
from accounts.filters import LocalAuthorityFilterSet, SchoolFilterSet
from accounts.models import LocalAuthority, School
from accounts.tables import LocalAuthorityTable, SchoolTable
from core.ratelimit import rate_limited
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


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset form, limited per client address and per email address
    (``PASSWORD_RESET_RATE_LIMIT`` in ``PASSWORD_RESET_RATE_WINDOW`` seconds, counted in the
    shared rate-limit store). Over the limit nothing is sent and the answer is the same "check
    your email" page as always, so the limit reveals nothing about which addresses have an account."""

    def form_valid(self, form):
        email = form.cleaned_data["email"].strip().lower()
        limits = {"limit": settings.PASSWORD_RESET_RATE_LIMIT, "window": settings.PASSWORD_RESET_RATE_WINDOW}
        # Both are counted on every request, so neither count can be spent without the other.
        by_address = rate_limited(self.request, "password-reset", **limits)
        by_email = rate_limited(self.request, f"password-reset-email:{email}", per_address=False, **limits)
        if by_address or by_email:
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)
