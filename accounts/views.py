from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, TemplateView, View

from accounts import otp
from accounts.forms import GiasUploadForm
from accounts.filters import LocalAuthorityFilterSet, SchoolFilterSet, SuccessorFilterSet
from accounts.models import LocalAuthority, School
from accounts.services import (
    GiasImportError,
    GiasLaChangeRefused,
    SuccessorMoveRefused,
    discard_staged_gias,
    import_gias,
    move_to_successor,
    read_staged_gias,
    stage_gias_files,
    successor_move_problems,
)
from accounts.tables import LocalAuthorityTable, SchoolTable, SuccessorTable
from core.ratelimit import rate_limited
from core.views import ObjectDetailView, ObjectListView, RoleRequiredMixin


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

    def get_queryset(self):
        return super().get_queryset().select_related("local_authority", "successor")


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

    def get_context_data(self, **kwargs):
        """The single sign-on buttons of the configured providers (``accounts.sso``)."""
        from accounts import sso

        context = super().get_context_data(**kwargs)
        next_query = f"?{urlencode({'next': context['next']})}" if context.get("next") else ""
        context["sso_providers"] = [
            {"name": p.name, "button": p.button, "url": reverse(f"accounts:sso_start_{p.name}") + next_query} for p in sso.configured()
        ]
        return context

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


# --------------------------------------------------------------------------- closed schools and GIAS changes


class SuccessorListView(ObjectListView):
    """Closed schools in the user's scope whose GIAS successor is recorded, with what each holds."""

    model = School
    table_class = SuccessorTable
    filterset_class = SuccessorFilterSet
    allowed_roles = ("council_officer",)
    template_name = "accounts/successor_list.html"
    title = _("Closed schools with a successor")
    export_name = "closed-schools"

    def get_queryset(self):
        return super().get_queryset().closed_with_successor().with_holdings(self.request.user)


class SuccessorMoveView(ObjectDetailView):
    """Check your answers for moving a closed school's children and devices to its successor;
    the POST makes the move (``accounts.services.move_to_successor``), all in one transaction."""

    model = School
    allowed_roles = ("council_officer",)
    template_name = "accounts/successor_move.html"
    context_object_name = "school"

    def get_queryset(self):
        return super().get_queryset().select_related("local_authority", "successor__local_authority").with_holdings(self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        school = self.object
        context.update(
            title=_("Move %(name)s's children and devices to its successor") % {"name": school.name},
            successor=school.successor,
            problems=kwargs.get("problems") or successor_move_problems(school=school, successor=school.successor),
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        try:
            children, devices = move_to_successor(school=self.object, by=request.user)
        except SuccessorMoveRefused as exc:
            context = self.get_context_data(object=self.object, problems=[exc.message], refused=True)
            return self.render_to_response(context, status=409)
        request.session[SUCCESSOR_MOVED_KEY] = {"school": self.object.pk, "children": children, "devices": devices}
        return redirect("accounts:successor_moved", pk=self.object.pk)


SUCCESSOR_MOVED_KEY = "accounts.successor_moved"


class SuccessorMovedView(ObjectDetailView):
    """The confirmation after a move: what moved, where, and that it is in each record's history."""

    model = School
    allowed_roles = ("council_officer",)
    template_name = "accounts/successor_moved.html"
    context_object_name = "school"

    def get_queryset(self):
        return super().get_queryset().select_related("successor__local_authority").with_holdings(self.request.user)

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        moved = request.session.get(SUCCESSOR_MOVED_KEY) or {}
        if moved.get("school") != self.object.pk:
            return redirect("accounts:successor_list")
        return self.render_to_response(self.get_context_data(object=self.object, moved=moved, title=_("Children and devices moved")))


GIAS_CHECK_KEY = "accounts.gias_check"
GIAS_DONE_KEY = "accounts.gias_done"


class GiasImportView(RoleRequiredMixin, FormView):
    """Admins: upload a GIAS extract; the dry run shows what would change and every LA change
    of a school that holds children, devices or tickets, for confirming on this page."""

    allowed_roles = ()
    form_class = GiasUploadForm
    template_name = "accounts/gias_import.html"

    def form_valid(self, form):
        data = form.cleaned_data["file"].read()
        links = form.cleaned_data["links"].read() if form.cleaned_data.get("links") else None
        try:
            result = import_gias(data=data, links=links, dry_run=True)
        except GiasImportError as exc:
            return self.render_to_response(self.get_context_data(form=form, errors=exc.errors[:200]))
        discard_staged_gias(self.request.session.pop(GIAS_CHECK_KEY, None))
        check = stage_gias_files(data=data, links=links, result=result)
        self.request.session[GIAS_CHECK_KEY] = check
        return self.render_to_response(self.get_context_data(form=self.form_class(), result=result, check=check))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Load the GIAS school register")
        return context


class GiasConfirmView(RoleRequiredMixin, View):
    """POST: import the extract checked on the page before, making exactly the LA changes shown."""

    allowed_roles = ()
    http_method_names = ["post"]

    def post(self, request):
        check = request.session.get(GIAS_CHECK_KEY) or {}
        if request.POST.get("check") != check.get("token"):
            messages.error(request, _("That check is out of date: upload the extract again."))
            return redirect("accounts:gias_import")
        data, links = read_staged_gias(check)
        if data is None:
            messages.error(request, _("The file you checked is no longer stored, or has changed: upload the extract again."))
            return redirect("accounts:gias_import")
        try:
            result = import_gias(data=data, links=links, accept_la_changes=set(check["la_changes"]), by=request.user)
        except GiasLaChangeRefused as exc:
            messages.error(
                request,
                _("Nothing was imported: the register has changed since your check, and the extract now moves %(n)s more school(s) to another LA. Check the extract again.")
                % {"n": len(exc.changes)},
            )
            return redirect("accounts:gias_import")
        except GiasImportError as exc:
            messages.error(request, "; ".join(exc.errors[:5]))
            return redirect("accounts:gias_import")
        discard_staged_gias(request.session.pop(GIAS_CHECK_KEY, None))
        s = result.schools
        request.session[GIAS_DONE_KEY] = {
            "created": s.created, "updated": s.updated, "unchanged": s.unchanged, "las_created": s.las_created,
            "la_changes": len(s.la_changes), "successors": result.successors[0],
        }
        return redirect("accounts:gias_done")


class GiasDoneView(RoleRequiredMixin, TemplateView):
    allowed_roles = ()
    template_name = "accounts/gias_done.html"

    def get(self, request, *args, **kwargs):
        done = request.session.get(GIAS_DONE_KEY)
        if not done:
            return redirect("accounts:gias_import")
        return self.render_to_response(self.get_context_data(done=done, title=_("GIAS register loaded")))
