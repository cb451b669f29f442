"""Two-step sign-in pages: set up, enter a code, recovery codes, turn off, admin reset."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import ListView
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import otp
from accounts.forms import CodeForm
from accounts.models import Role, User
from core.views import RoleRequiredMixin



def show_recovery_codes(request, codes, next_url):
    """The new recovery codes, in the response to the POST that made them: never stored, so
    shown exactly once."""
    context = {"codes": codes, "title": _("Your recovery codes"), "next": next_url}
    response = render(request, "accounts/two_factor_recovery_codes.html", context)
    response["Cache-Control"] = "no-store"
    return response


def safe_next(request, default="home"):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return target
    return reverse(default)


def _with_next(url_name, request):
    target = request.POST.get("next") or request.GET.get("next")
    return reverse(url_name) + (f"?{urlencode({'next': target})}" if target else "")


def _show_locked(request):
    """Too many wrong codes: sign out and say so."""
    logout(request)
    minutes = max(1, settings.TWO_FACTOR_LOCKOUT_SECONDS // 60)
    return render(request, "accounts/two_factor_locked.html", {"title": _("Too many wrong codes"), "minutes": minutes}, status=403)


class VerifyView(LoginRequiredMixin, View):
    """After the password: enter a code from the app or a recovery code."""

    template_name = "accounts/two_factor_verify.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            if not otp.has_two_factor(request.user):
                return redirect(_with_next("accounts:two_factor_setup", request))
            if request.user.is_verified():
                return redirect(safe_next(request))
            if otp.locked_until(request.user):
                return _show_locked(request)
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, status=200):
        context = {"form": form, "title": _("Enter your security code"), "next": self.request.GET.get("next") or self.request.POST.get("next", "")}
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_form(CodeForm())

    def post(self, request):
        form = CodeForm(request.POST)
        if not form.is_valid():
            return self.render_form(form)
        result = otp.verify_code(user=request.user, token=form.cleaned_data["code"])
        if result.locked:
            return _show_locked(request)
        if result.device is None:
            if result.wait_until:
                form.add_error("code", _("Too many wrong codes. Wait until %(time)s and try again.") % {"time": date_format(localtime(result.wait_until), "H:i:s")})
            else:
                form.add_error("code", _("The code is not correct. Check your authenticator app and try again."))
            return self.render_form(form)
        otp_login(request, result.device)
        if result.device.persistent_id.startswith("otp_static"):
            left = otp.recovery_codes_left(request.user)
            messages.warning(request, _("You used a recovery code. You have %(count)d left.") % {"count": left})
        return redirect(safe_next(request))


class SetupView(LoginRequiredMixin, View):
    """Set up an authenticator app: QR code and secret, then confirm with a code."""

    template_name = "accounts/two_factor_setup.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and otp.has_two_factor(request.user):
            # Never let an unverified session add a second device.
            name = "accounts:two_factor" if request.user.is_verified() else "accounts:two_factor_verify"
            return redirect(_with_next(name, request))
        return super().dispatch(request, *args, **kwargs)

    def render_form(self, form, device):
        context = {
            "form": form,
            "title": _("Set up two-step sign-in"),
            "secret": otp.format_secret(device),
            "qr": otp.qr_svg(device),
            "required": otp.is_required_by_role(self.request.user),
            "next": self.request.GET.get("next") or self.request.POST.get("next", ""),
        }
        return render(self.request, self.template_name, context)

    def get(self, request):
        return self.render_form(CodeForm(recovery_allowed=False), otp.start_setup(user=request.user))

    def post(self, request):
        device = otp.start_setup(user=request.user)
        form = CodeForm(request.POST, recovery_allowed=False)
        allowed, info = device.verify_is_allowed()
        if form.is_valid() and not allowed:
            form.add_error("code", _("Too many wrong codes. Wait until %(time)s and try again.") % {"time": date_format(localtime(info["locked_until"]), "H:i:s")})
        elif form.is_valid():
            codes = otp.confirm_setup(user=request.user, device=device, token=form.cleaned_data["code"])
            if codes is not None:
                device.refresh_from_db()
                otp_login(request, device)
                messages.success(request, _("Two-step sign-in is on."))
                return show_recovery_codes(request, codes, safe_next(request))
            form.add_error("code", _("The code is not correct. Check the time on your phone is right and try again."))
        return self.render_form(form, device)


class RecoveryCodesView(LoginRequiredMixin, View):
    """Recovery codes are shown once, when made; POST makes a new set (the old ones stop working)."""

    template_name = "accounts/two_factor_recovery_codes.html"

    def get(self, request):
        return render(request, self.template_name, {"codes": None, "title": _("Your recovery codes")})

    def post(self, request):
        if not (request.user.is_verified() and otp.has_two_factor(request.user)):
            return redirect("accounts:two_factor")
        return show_recovery_codes(request, otp.new_recovery_codes(user=request.user), reverse("accounts:two_factor"))


class AccountTwoFactorView(LoginRequiredMixin, View):
    """The user's own "Two-step sign-in" page: on or off, recovery codes left, turn on or off."""

    template_name = "accounts/two_factor.html"

    def get(self, request):
        enabled = otp.has_two_factor(request.user)
        context = {
            "title": _("Two-step sign-in"),
            "enabled": enabled,
            "required": otp.is_required_by_role(request.user),
            "codes_left": otp.recovery_codes_left(request.user) if enabled else 0,
        }
        return render(request, self.template_name, context)

    def post(self, request):
        verified = request.user.is_verified() or not otp.needs_verification(request.user)
        if request.POST.get("action") == "turn_off" and not otp.is_required_by_role(request.user) and verified:
            otp.turn_off(user=request.user)
            messages.success(request, _("Two-step sign-in is off."))
        return redirect("accounts:two_factor")


class UserTwoFactorListView(RoleRequiredMixin, ListView):
    """Administrators: every user and whether two-step sign-in is set up, with a reset link."""

    allowed_roles = (Role.ADMIN,)
    model = User
    paginate_by = 50
    template_name = "accounts/two_factor_users.html"
    extra_context = {"title": gettext_lazy("Two-step sign-in for users")}

    def get_queryset(self):
        confirmed = TOTPDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
        qs = User.objects.visible_to(self.request.user).annotate(has_app=Exists(confirmed)).order_by("username")
        query = self.request.GET.get("q", "").strip()[:100]
        if query:
            qs = qs.filter(Q(username__icontains=query) | Q(email__icontains=query) | Q(last_name__icontains=query))
        return qs

    def get_context_data(self, **kwargs):
        return super().get_context_data(q=self.request.GET.get("q", "")[:100], **kwargs)


class UserTwoFactorResetView(RoleRequiredMixin, View):
    """Administrators: remove a user's authenticator and recovery codes (they set it up again)."""

    allowed_roles = (Role.ADMIN,)
    model = User
    template_name = "accounts/two_factor_reset.html"

    def get_object(self):
        return get_object_or_404(User.objects.visible_to(self.request.user), pk=self.kwargs["pk"])

    def get(self, request, pk):
        target = self.get_object()
        context = {"target": target, "enabled": otp.has_two_factor(target), "title": _("Reset two-step sign-in")}
        return render(request, self.template_name, context)

    def post(self, request, pk):
        target = self.get_object()
        otp.reset(user=target, by=request.user)
        messages.success(request, _("Two-step sign-in was reset for %(user)s. They will set it up again when they next sign in.") % {"user": target.username})
        return redirect("accounts:two_factor_users")
