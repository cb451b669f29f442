"""Pages for SIMs, data usage upload, allowance monitoring and the allowance evidence.

Thin views: they parse input, call ``connectivity.usage`` / ``connectivity.monitoring`` with
the user's scope, and render.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext
from django.views.generic import FormView, TemplateView

from accounts.models import Role
from core.imports.readers import ReadError
from connectivity.coverage import plans_with_labels, usage_months
from connectivity import services
from connectivity.filters import NetworkRequestFilterSet, SimFilterSet
from connectivity.forms import RequestMoveForm
from connectivity.models import NetworkRequest, Sim
from connectivity.navigation import EVIDENCE_ROLES, RUNOUT_ROLES, UPLOAD_ROLES
from connectivity.navigation import data_pages as related_pages
from connectivity.tables import NetworkRequestTable, SimTable
from core.navigation_roles import DEVICE_ROLES
from core.views import LaChoiceMixin, ObjectDetailView, ObjectListView, RoleRequiredMixin
from devices.horizon import add_months
from devices.validators import format_uk_national
from connectivity.monitoring import evidence, likely_to_run_out
from connectivity.usage import operator_choices, parse_period
from connectivity.usage_imports import start_usage_import
from reports import definitions, published
from reports.suppression import hides_small_numbers



class UsageUploadForm(forms.Form):
    operator = forms.ChoiceField(label=_("Network operator"), help_text=_("Whose file layout this is."))
    file = forms.FileField(label=_("Usage file (CSV or Excel)"), help_text=_("Columns: ICCID or mobile number, data used, month or date."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = operator_choices()


class UsageUploadView(RoleRequiredMixin, FormView):
    """Upload an operator's usage file: stored as an import job whose dry run and commit run in
    the background worker (``connectivity.usage_imports``); the job page shows progress and errors.
    Only SIMs in the officer's scope are touched."""

    allowed_roles = UPLOAD_ROLES
    form_class = UsageUploadForm
    template_name = "connectivity/usage_upload.html"

    def form_valid(self, form):
        try:
            job = start_usage_import(user=self.request.user, operator=form.cleaned_data["operator"], upload=form.cleaned_data["file"])
        except ReadError as exc:
            form.add_error("file", exc.message)
            return self.form_invalid(form)
        return redirect(job.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Upload data usage")
        return context


def _month_param(request):
    raw = request.GET.get("month", "")
    if raw:
        try:
            month, _granularity = parse_period(raw, month_column=True)
            return month
        except ValueError:
            pass
    return timezone.localdate().replace(day=1)


class RunoutView(RoleRequiredMixin, TemplateView):
    """Children and devices likely to run out of data this month, within the user's scope."""

    allowed_roles = RUNOUT_ROLES
    template_name = "connectivity/runout.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = _month_param(self.request)
        rows = likely_to_run_out(self.request.user, month)
        page = Paginator(rows, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(
            title=_("Likely to run out of data"),
            month=month,
            previous_month=add_months(month, -1),
            next_month=add_months(month, 1),
            page=page,
            total=len(rows),
            related=related_pages(self.request.user),
        )
        return context


class EvidenceView(RoleRequiredMixin, LaChoiceMixin, TemplateView):
    """Per month, for one LA: the share of SIMs that used their whole allowance, median and
    90th percentile use. The case for a larger allowance. Small numbers are hidden by the one
    policy (``reports.suppression.hides_small_numbers``): in full for the LA's own staff."""

    allowed_roles = EVIDENCE_ROLES
    template_name = "connectivity/evidence.html"
    months = 12

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        las = self.visible_las()
        la = self.chosen_la(las)
        this_month = timezone.localdate().replace(day=1)
        first = add_months(this_month, -(self.months - 1))
        rows = evidence([la.pk], first, this_month) if la else []
        context.update(
            title=_("Data allowance evidence"),
            la=la,
            las=las if len(las) > 1 else None,
            rows=published.evidence_rows(rows, self.request.user, [la.pk] if la else None),
            suppressed=la is not None and hides_small_numbers(self.request.user, [la.pk]),
            related=related_pages(self.request.user),
        )
        return context


class SimListView(ObjectListView):
    model = Sim
    table_class = SimTable
    filterset_class = SimFilterSet
    allowed_roles = DEVICE_ROLES
    export_name = "sims"
    title = _("SIMs")

    def get_queryset(self):
        return super().get_queryset().select_related("network", "device", "local_authority")


class SimDetailView(ObjectDetailView):
    model = Sim
    allowed_roles = DEVICE_ROLES
    template_name = "connectivity/sim_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("network", "device", "local_authority")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plans = plans_with_labels(self.object)
        context["plans"] = plans
        context["usage"] = usage_months(self.object, plans)
        context["sim_msisdn"] = format_uk_national(self.object.msisdn)
        context["title"] = gettext("SIM %(iccid)s") % {"iccid": self.object.iccid}
        return context


REQUEST_ROLES = ("council_officer", "cio", "school_staff", "support_agent", "network")
#: Who may change a request's status: staff who raise requests, and the network's own users.
MOVE_ROLES = ("council_officer", "school_staff", "network")


def can_move_requests(user):
    return user.is_superuser or user.role in (*MOVE_ROLES, "admin")


class NetworkRequestListView(ObjectListView):
    """Requests to the networks in the user's scope; a network user sees only their network's."""

    model = NetworkRequest
    table_class = NetworkRequestTable
    filterset_class = NetworkRequestFilterSet
    allowed_roles = REQUEST_ROLES
    export_name = "network-requests"
    title = _("Requests to networks")

    def get_queryset(self):
        return super().get_queryset().select_related("network", "sim", "local_authority")


class NetworkRequestDetailView(ObjectDetailView):
    model = NetworkRequest
    allowed_roles = REQUEST_ROLES
    template_name = "connectivity/request_detail.html"

    def get_queryset(self):
        return super().get_queryset().select_related("network", "sim", "local_authority", "school", "requested_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request, user = self.object, self.request.user
        options = [(s, services.MOVE_LABELS[s]) for s in services.allowed_moves(request.status, services.side_of(user))]
        context["move_form"] = RequestMoveForm(options=options) if options and can_move_requests(user) else None
        context["events"] = list(request.events.select_related("actor"))
        context["msisdn"] = format_uk_national(request.msisdn) if request.msisdn else ""
        context["title"] = gettext("Request %(ref)s") % {"ref": request.reference}
        return context


class NetworkRequestMoveView(RoleRequiredMixin, View):
    """POST a status move from the request page; a refused move is a message there."""

    model = NetworkRequest
    allowed_roles = MOVE_ROLES

    def get(self, request, pk):
        return redirect(get_object_or_404(NetworkRequest.objects.visible_to(request.user), pk=pk).get_absolute_url())

    def post(self, request, pk):
        item = get_object_or_404(NetworkRequest.objects.visible_to(request.user), pk=pk)
        options = [(s, services.MOVE_LABELS[s]) for s in services.allowed_moves(item.status, services.side_of(request.user))]
        form = RequestMoveForm(request.POST, options=options)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(item.get_absolute_url())
        try:
            item = services.move_request(
                request=item, to_status=form.cleaned_data["to_status"], problem=form.cleaned_data["problem"],
                note=form.cleaned_data["note"], by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, gettext("Request %(ref)s is now “%(status)s”.") % {"ref": item.reference, "status": item.get_status_display()})
        return redirect(item.get_absolute_url())


# --- idle SIMs and check-ins

from django.conf import settings  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.utils import translation  # noqa: E402

from connectivity import checkins  # noqa: E402
from connectivity.filters import CheckInFilterSet  # noqa: E402
from connectivity.forms import CheckInAnswerForm  # noqa: E402
from connectivity.models import CheckIn  # noqa: E402
from connectivity.tables import CheckInFollowUpTable, CheckInTable  # noqa: E402
from core.ratelimit import rate_limited  # noqa: E402

CHECKIN_ROLES = ("council_officer", "cio", "school_staff", "support_agent")


class CheckInListView(ObjectListView):
    """Every check-in sent to families in the user's scope, with its answer."""

    model = CheckIn
    table_class = CheckInTable
    filterset_class = CheckInFilterSet
    allowed_roles = CHECKIN_ROLES
    export_name = "check-ins"
    title = _("Device check-ins")

    def get_queryset(self):
        return super().get_queryset().select_related("child", "school", "device")


class CheckInFollowUpView(CheckInListView):
    """The follow-up list: families who did not answer a check-in within
    ``CONNECTIVITY_CHECKIN_FOLLOW_UP_DAYS`` days; the school or officer calls them."""

    table_class = CheckInFollowUpTable
    export_name = "check-ins-to-follow-up"
    title = _("Families to follow up")
    template_name = "connectivity/checkin_follow_up.html"

    def get_queryset(self):
        return super().get_queryset().to_follow_up(timezone.localdate())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["follow_up_days"] = settings.CONNECTIVITY_CHECKIN_FOLLOW_UP_DAYS
        return context


class CheckInAnswerView(View):
    """/help/<lang>/check-in/<token>/: a family answers a check-in with one tap, no sign-in.

    In the language of the link (every language of settings.LANGUAGES, right to left where
    needed). A link that is unknown or altered, expired or already used gets a page saying so
    and records nothing."""

    template_name = "connectivity/checkin_answer.html"

    def dispatch(self, request, lang, token):
        if lang not in dict(settings.LANGUAGES):
            lang = settings.LANGUAGE_CODE
        with translation.override(lang):
            request.LANGUAGE_CODE = lang
            request.family_language = lang
            response = super().dispatch(request, lang=lang, token=token)
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
        response.headers["Content-Language"] = lang
        return response

    def page(self, request, state, *, form=None, checkin=None, status=200):
        context = {
            "state": state, "form": form, "checkin": checkin, "answers": CheckIn.Answer.choices,
            "support_phone": settings.SUPPORT_PHONE, "link_days": settings.CONNECTIVITY_CHECKIN_LINK_DAYS,
        }
        response = render(request, self.template_name, context, status=status)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "same-origin"  # the token never leaves in a Referer; "no-referrer" would make the form post Origin: null
        return response

    def problem(self, request, error):
        status = {"unknown": 404, "expired": 410}.get(error.code, 200)
        return self.page(request, error.code, checkin=error.checkin, status=status)

    def get(self, request, lang, token):
        try:
            checkin = checkins.find(token)
            checkins.check_open(checkin)
        except checkins.CheckInError as error:
            return self.problem(request, error)
        return self.page(request, "ask", form=CheckInAnswerForm(), checkin=checkin)

    def post(self, request, lang, token):
        if rate_limited(request, "checkin"):
            return render(request, "support/help_limited.html", {"support_phone": settings.SUPPORT_PHONE}, status=429)
        try:
            checkin = checkins.find(token)
            checkins.check_open(checkin)
        except checkins.CheckInError as error:
            return self.problem(request, error)
        form = CheckInAnswerForm(request.POST)
        if not form.is_valid():
            return self.page(request, "ask", form=form, checkin=checkin, status=400)
        try:
            checkin = checkins.answer_checkin(checkin=checkin, answer=form.cleaned_data["answer"], channel=CheckIn.AnsweredBy.WEB)
        except checkins.CheckInError as error:
            return self.problem(request, error)
        return self.page(request, "thanks", checkin=checkin)
