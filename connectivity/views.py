"""Pages for SIMs, data usage upload, allowance monitoring and the allowance evidence.

Thin views: they parse input, call ``connectivity.usage`` / ``connectivity.monitoring`` with
the user's scope, and render.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_lazy as _, ngettext
from django.views import View
from django.views.generic import FormView, TemplateView

from allocations.models import Child
from connectivity import checkins, plans, services
from connectivity.coverage import plans_with_labels, usage_months
from connectivity.filters import CheckInFilterSet, ChildWithoutPlanFilterSet, DataVoucherFilterSet, NetworkRequestFilterSet, SimFilterSet
from connectivity.forms import BulkRaiseForm, CheckInAnswerForm, ConnectionPlanForm, FamilyDataForm, GiveVoucherForm, RaiseRequestForm, RequestMoveForm
from connectivity.models import CheckIn, ConnectionPlan, DataVoucher, NetworkRequest, Sim
from connectivity.monitoring import evidence, likely_to_run_out
from connectivity.navigation import data_pages as related_pages, EVIDENCE_ROLES, RUNOUT_ROLES, UPLOAD_ROLES
from connectivity.tables import CheckInFollowUpTable, CheckInTable, ChildWithoutPlanTable, DataVoucherTable, NetworkRequestTable, SimSelectTable, SimTable
from connectivity.usage import operator_choices, parse_period
from connectivity.usage_imports import start_usage_import
from core.imports.readers import ReadError
from core.navigation_roles import DEVICE_ROLES
from core.ratelimit import rate_limited
from core.views import LaChoiceMixin, ObjectDetailView, ObjectListView, RoleRequiredMixin
from devices.horizon import add_months
from devices.validators import format_uk_national
from reports import published
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

    # --- requests: the council's and school's side (the "Ask the networks about several SIMs" button)
    template_name = "connectivity/sim_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_raise"] = can_raise_requests(self.request.user)
        return context


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

    # --- network side: the bulk status form above the list (NetworkRequestBulkView)
    template_name = "connectivity/request_list.html"

    def get_table_class(self):
        from connectivity.tables import NetworkRequestBulkTable

        return NetworkRequestBulkTable if can_move_requests(self.request.user) else self.table_class

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        if self.request.user.role == "network":
            # Every row is their own network's (the LA and number are on each request's page): the checkbox column fits at 1280 px.
            kwargs["exclude"] = [*kwargs.get("exclude", ()), "network", "msisdn", "local_authority"]
        return kwargs

    def get_context_data(self, **kwargs):
        from connectivity.forms import BulkMoveForm

        context = super().get_context_data(**kwargs)
        user = self.request.user
        if can_move_requests(user):
            query = self.request.GET.copy()
            for key in ("page", "per_page", "sort", "_export", "columns"):
                query.pop(key, None)
            context["bulk_form"] = BulkMoveForm(initial={"filters": query.urlencode()}, statuses=_bulk_statuses(user))
        context["can_upload_statuses"] = user.role == "network"
        return context


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


# --- network side: bulk status changes from the list, the status file, the network's queue
#: Rows one bulk change from the list may move (a bigger change is a status file).
BULK_MAX = 2000


def _bulk_statuses(user):
    """Every status the user's side may move some request to, in declaration order."""
    side = services.side_of(user)
    found = []
    for status in services.MOVES:
        for to in services.allowed_moves(status, side):
            if to not in found:
                found.append(to)
    labels = dict(NetworkRequest.Status.choices)
    return [(s, labels[s]) for s in NetworkRequest.Status.values if s in found]


class NetworkRequestBulkView(RoleRequiredMixin, View):
    """Change the status of many requests: those selected on the list, or all matching its
    filter. The first POST shows what would change (a confirmation page); the second, with
    ``confirm``, moves them through ``services.move_requests`` and shows what moved and what was
    refused, and why."""

    model = NetworkRequest
    allowed_roles = MOVE_ROLES

    def get(self, request):
        return redirect("connectivity:request_list")

    def post(self, request):
        from django.http import QueryDict
        from django.shortcuts import render

        from connectivity.forms import BulkMoveForm

        form = BulkMoveForm(request.POST, statuses=_bulk_statuses(request.user))
        filters = QueryDict(request.POST.get("filters", "")[:2000])
        list_url = reverse("connectivity:request_list") + (f"?{filters.urlencode()}" if filters else "")
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(list_url)
        data = form.cleaned_data
        queryset = form.rows(NetworkRequest.objects.visible_to(request.user), NetworkRequestFilterSet, request=request)
        if queryset is None:
            queryset = NetworkRequest.objects.none()  # filters not valid: nothing matches, as before
        rows = list(queryset.select_related("network", "sim", "local_authority").order_by("pk")[:BULK_MAX + 1])
        too_many = len(rows) > BULK_MAX
        context = {
            "form": form, "rows": rows[:BULK_MAX], "too_many": too_many, "bulk_max": BULK_MAX, "list_url": list_url,
            "to_label": dict(NetworkRequest.Status.choices).get(data["to_status"], ""),
            "problem_label": dict(NetworkRequest.Problem.choices).get(data["problem"], ""),
            "pks": [r.pk for r in rows[:BULK_MAX]],
        }
        if not rows:
            messages.error(request, gettext("No request matches: nothing was changed."))
            return redirect(list_url)
        if request.POST.get("confirm") != "1" or too_many:
            context["title"] = gettext("Check the change to %(n)s requests") % {"n": len(rows[:BULK_MAX])}
            return render(request, "connectivity/request_bulk_confirm.html", context)
        result = services.move_requests(
            requests=rows, to_status=data["to_status"], problem=data["problem"], note=data["note"], by=request.user,
        )
        context.update(result=result, title=gettext("%(moved)s moved, %(refused)s refused") % {"moved": len(result.moved), "refused": len(result.refused)})
        return render(request, "connectivity/request_bulk_result.html", context)


class NetworkStatusUploadView(RoleRequiredMixin, View):
    """A network's file of statuses: upload (the dry run: every row error, or what would change),
    then apply (checked again, all or nothing). The file waits between the two under a random
    name kept in the uploader's session."""

    allowed_roles = ("network",)
    template_name = "connectivity/status_upload.html"
    SESSION_KEY = "network_status_uploads"

    def render(self, request, **context):
        from django.shortcuts import render

        from connectivity.forms import StatusFileForm

        context.setdefault("form", StatusFileForm())
        context["title"] = gettext("Upload request statuses")
        context["columns"] = [str(label) for label in _status_columns()]
        return render(request, self.template_name, context)

    def get(self, request):
        return self.render(request)

    def post(self, request):
        from connectivity.forms import StatusFileForm

        if request.POST.get("upload"):
            return self.apply(request, request.POST["upload"])
        form = StatusFileForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render(request, form=form)
        from core.imports import engine

        from connectivity.status_imports import SPEC

        name, path = _keep_upload(form.cleaned_data["file"])
        try:
            ctx = engine.validate(SPEC, path, local_authority=None, user=request.user, filename=form.cleaned_data["file"].name, prepared=path + ".prepared")
        except (ReadError, engine.ImportRejected) as exc:
            _discard_upload(path)
            form.add_error("file", str(getattr(exc, "message", exc)))
            return self.render(request, form=form)
        if not ctx.ok:
            _discard_upload(path)
            return self.render(request, errors=_error_lines(ctx), error_count=len(ctx.errors), total=ctx.total_rows)
        kept = dict(list(request.session.get(self.SESSION_KEY, {}).items())[-4:])
        request.session[self.SESSION_KEY] = {**kept, name: form.cleaned_data["file"].name}
        return self.render(request, ready=ctx.counts.get("moved", 0), upload=name, filename=ctx.filename, moves=_move_summary(ctx))

    def apply(self, request, name):
        from core.imports import engine

        from connectivity.status_imports import SPEC

        uploads = request.session.get(self.SESSION_KEY, {})
        if not isinstance(uploads, dict) or name not in uploads:
            messages.error(request, gettext("That upload has expired: upload the file again."))
            return redirect("connectivity:status_upload")
        path = _upload_path(name)
        import os

        if not os.path.exists(path):
            messages.error(request, gettext("That upload has expired: upload the file again."))
            return redirect("connectivity:status_upload")
        try:
            ctx = engine.commit(SPEC, path, local_authority=None, user=request.user, filename=uploads[name], prepared=path + ".prepared")
        except engine.ImportRejected as exc:
            ctx = exc.ctx
            if ctx is None or ctx.ok:
                messages.error(request, exc.message)
                return redirect("connectivity:status_upload")
            return self.render(request, errors=_error_lines(ctx), error_count=len(ctx.errors), total=ctx.total_rows, rejected=True)
        except ReadError as exc:
            messages.error(request, str(exc.message))
            return redirect("connectivity:status_upload")
        finally:
            request.session[self.SESSION_KEY] = {n: f for n, f in uploads.items() if n != name}
            _discard_upload(path)
        done = ctx.counts.get("moved", 0)
        messages.success(request, gettext("%(n)s requests updated.") % {"n": done})
        return redirect("connectivity:request_list")


def _status_columns():
    from connectivity.network_statuses import COLUMN_LABELS

    return COLUMN_LABELS.values()


def _error_lines(ctx, limit=500):
    from core.imports.engine import format_error

    return [format_error(e) for e in ctx.errors[:limit]]


def _move_summary(ctx):
    from collections import Counter

    labels = dict(NetworkRequest.Status.choices)
    counts = Counter(p.to_status for p in ctx.state["checker"].plan)
    return [(labels[s], counts[s]) for s in NetworkRequest.Status.values if counts.get(s)]


def _upload_path(name):
    import os

    from django.conf import settings

    return os.path.join(settings.MEDIA_ROOT, "network-statuses", os.path.basename(name))


def _keep_upload(uploaded):
    import os
    import secrets

    ext = ".xlsx" if uploaded.name.lower().endswith(".xlsx") else ".csv"
    name = secrets.token_urlsafe(18) + ext
    path = _upload_path(name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as out:
        for chunk in uploaded.chunks():
            out.write(chunk)
    return name, path


def _discard_upload(path):
    import os

    for p in (path, path + ".prepared"):
        try:
            os.remove(p)
        except FileNotFoundError:
            pass


# --- connection plans: where a child's data comes from when the plan ends, and voucher stock


#: Who may choose a child's connection plan and give out vouchers; who may see the lists.
PLAN_ROLES = ("council_officer",)
PLAN_LIST_ROLES = ("council_officer", "cio", "school_staff", "support_agent")
VOUCHER_ROLES = ("council_officer", "cio")


def _plan_answers(form, voucher_preview=None):
    """The check-your-answers rows for a valid ``ConnectionPlanForm``."""
    data = form.cleaned_data
    kind = data["kind"]
    rows = [(form.fields["kind"].label, dict(ConnectionPlan.Kind.choices)[kind])]
    if kind == ConnectionPlan.Kind.DATA_BANK:
        rows.append((gettext("Voucher"), f"{voucher_preview.code} ({voucher_preview.provider})" if voucher_preview else "–"))
    if data.get("provider"):
        rows.append((gettext("Provider"), data["provider"]))
    if data.get("outcome"):
        rows.append((form.fields["outcome"].label, dict(ConnectionPlan.Outcome.choices)[data["outcome"]]))
    for name in ("starts", "ends"):
        if data.get(name):
            rows.append((form.fields[name].label, data[name].strftime("%d/%m/%Y")))
    if data.get("monthly_cost") is not None:
        rows.append((gettext("Monthly cost"), f"£{data['monthly_cost']:.2f}"))
    if data.get("network_request"):
        rows.append((form.fields["network_request"].label, dict(form.fields["network_request"].choices).get(data["network_request"], "")))
    if data.get("notes"):
        rows.append((form.fields["notes"].label, data["notes"]))
    return rows


class ConnectionPlanChooseView(ObjectDetailView):
    """Choose a child's connection plan: the form, a check-your-answers page, then the one
    service call (``plans.choose_plan``, or ``plans.give_voucher`` for a data bank voucher)."""

    model = Child
    allowed_roles = PLAN_ROLES
    template_name = "connectivity/plan_choose.html"

    def get_queryset(self):
        return super().get_queryset().active().select_related("school")

    def _form(self, data=None):
        requests = list(plans.family_data_requests(self.object))
        return ConnectionPlanForm(data, prefix="plan", requests=requests)

    def _render(self, form, template=None, **extra):
        context = self.get_context_data(object=self.object, form=form, current=plans.current_plan(self.object), **extra)
        return self.render_to_response(context) if template is None else render(self.request, template, context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = gettext("Data when the plan ends: %(child)s") % {"child": self.object}
        return context

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self._render(self._form())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self._form(request.POST)
        if not form.is_valid():
            return self._render(form)
        data = form.cleaned_data
        kind = data["kind"]
        request_obj = None
        if data.get("network_request"):
            request_obj = plans.family_data_requests(self.object).filter(pk=data["network_request"]).first()
        if kind == ConnectionPlan.Kind.DATA_BANK:
            call = dict(child=self.object, by=request.user, code=data.get("voucher_code", ""), notes=data.get("notes", ""))
        else:
            call = dict(
                child=self.object, kind=kind, by=request.user, provider=data.get("provider", ""), outcome=data.get("outcome", ""),
                starts=data.get("starts"), ends=data.get("ends"), monthly_cost=data.get("monthly_cost"),
                network_request=request_obj, notes=data.get("notes", ""),
            )
        if request.POST.get("confirm") != "yes":
            preview = None
            if kind == ConnectionPlan.Kind.DATA_BANK:
                qs = DataVoucher.objects.visible_to(request.user).filter(local_authority_id=self.object.local_authority_id)
                code = data.get("voucher_code", "").strip()
                preview = (qs.filter(code__iexact=code) if code else qs.in_stock(timezone.localdate()).order_by("expires", "pk")).first()
                problems = [] if preview else [gettext("There are no data bank vouchers in stock. Import the provider's list first.") if not code else gettext("No voucher with this code is in the council's stock.")]
                if preview and preview.given_to_id:
                    problems = [gettext("Voucher %(code)s has already been given out: a voucher code cannot be given twice.") % {"code": preview.code}]
            else:
                problems = plans.plan_problems(child=self.object, kind=kind, provider=call["provider"], outcome=call["outcome"], network_request=request_obj)
            for problem in problems:
                form.add_error(None, problem)
            if problems:
                return self._render(form)
            return self._render(form, "connectivity/plan_check.html", answers=_plan_answers(form, preview))
        try:
            if kind == ConnectionPlan.Kind.DATA_BANK:
                plan = plans.give_voucher(**call)
            else:
                plan = plans.choose_plan(**call)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self._render(form)
        if plan.voucher_id:
            messages.success(request, gettext("Voucher %(code)s given to %(child)s.") % {"code": plan.voucher.code, "child": self.object})
        else:
            messages.success(request, gettext("Plan recorded: %(kind)s.") % {"kind": plan.get_kind_display()})
        return redirect(self.object.get_absolute_url() + "#connection-plan")


class ChildrenWithoutPlanListView(ObjectListView):
    """Children who need connectivity with no connection plan chosen (or "no plan yet")."""

    model = Child
    table_class = ChildWithoutPlanTable
    filterset_class = ChildWithoutPlanFilterSet
    allowed_roles = PLAN_LIST_ROLES
    export_name = "children-without-a-connection-plan"
    title = _("Children who need connectivity with no plan for their data")

    def get_queryset(self):
        planned = ConnectionPlan.objects.filter(child=OuterRef("pk"), is_current=True, kind__in=ConnectionPlan.PLAN_KINDS)
        return super().get_queryset().active().filter(needs_connectivity=True).filter(~Exists(planned)).select_related("school")


class DataVoucherListView(ObjectListView):
    """The council's data bank vouchers and SIMs: imported from the provider's list, given out
    one per child."""

    model = DataVoucher
    table_class = DataVoucherTable
    filterset_class = DataVoucherFilterSet
    allowed_roles = VOUCHER_ROLES
    export_name = "data-vouchers"
    title = _("Data bank vouchers")
    template_name = "connectivity/voucher_list.html"

    def get_queryset(self):
        return super().get_queryset().select_related("given_to")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["can_import"] = user.is_superuser or user.role in PLAN_ROLES
        context["in_stock"] = self.get_base_queryset().in_stock(timezone.localdate()).count()
        return context


class DataVoucherGiveView(ObjectDetailView):
    """Give one voucher to a child named by reference: a form, check your answers, then
    ``plans.give_voucher``."""

    model = DataVoucher
    allowed_roles = PLAN_ROLES
    template_name = "connectivity/voucher_give.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = gettext("Give voucher %(code)s to a child") % {"code": self.object.code}
        return context

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data(form=GiveVoucherForm()))

    def post(self, request, *args, **kwargs):
        self.object = voucher = self.get_object()
        form = GiveVoucherForm(request.POST)
        child = None
        if form.is_valid():
            child = (
                Child.objects.visible_to(request.user).active()
                .filter(local_authority_id=voucher.local_authority_id, reference__iexact=form.cleaned_data["child_reference"].strip()).first()
            )
            if child is None:
                form.add_error("child_reference", gettext("No child with this reference is on the council's list."))
            elif voucher.given_to_id:
                form.add_error(None, gettext("Voucher %(code)s has already been given out: a voucher code cannot be given twice.") % {"code": voucher.code})
            else:
                for problem in plans.plan_problems(child=child, kind=ConnectionPlan.Kind.DATA_BANK, voucher=voucher):
                    form.add_error(None, problem)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        if request.POST.get("confirm") != "yes":
            return self.render_to_response(self.get_context_data(form=form, child=child, checking=True))
        try:
            plans.give_voucher(child=child, voucher=voucher, by=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(request, gettext("Voucher %(code)s given to %(child)s.") % {"code": voucher.code, "child": child})
        return redirect(child.get_absolute_url() + "#connection-plan")


# --- idle SIMs and check-ins


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


# --- requests: the council's and school's side (raising one, in bulk, on a family's own phone)


#: Who raises requests to the networks (and admins).
RAISE_ROLES = ("council_officer", "school_staff")
#: SIMs named on the bulk pages before "and N more".
BULK_SHOWN = 20


def can_raise_requests(user):
    return user.is_superuser or user.role in (*RAISE_ROLES, "admin")


class SimRaiseRequestView(RoleRequiredMixin, FormView):
    """Ask the network something about one SIM: a form (kind, reason), then the request's page.
    A refusal (an open request of that kind already, no network recorded) is shown on the form."""

    model = Sim
    allowed_roles = RAISE_ROLES
    form_class = RaiseRequestForm
    template_name = "connectivity/request_raise.html"

    def post(self, request, *args, **kwargs):
        self.sim = get_object_or_404(Sim.objects.visible_to(request.user).select_related("network", "device"), pk=kwargs["pk"])
        return super().post(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.sim = get_object_or_404(Sim.objects.visible_to(request.user).select_related("network", "device"), pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        kind = self.request.GET.get("kind", "")
        return {"kind": kind} if kind in services.SIM_KINDS else {}

    def form_valid(self, form):
        try:
            item = services.raise_request(kind=form.cleaned_data["kind"], sim=self.sim, by=self.request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Request %(ref)s raised.") % {"ref": item.reference})
        return redirect(item.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=gettext("Ask the network about SIM %(iccid)s") % {"iccid": self.sim.iccid},
            sim=self.sim, sim_msisdn=format_uk_national(self.sim.msisdn), back=self.sim.get_absolute_url(),
        )
        return context


class FamilyDataRequestView(RoleRequiredMixin, FormView):
    """Extra data on the family's own phone (the DfE scheme's offer), from the child page."""

    model = Child
    allowed_roles = RAISE_ROLES
    form_class = FamilyDataForm
    template_name = "connectivity/family_data_form.html"

    def post(self, request, *args, **kwargs):
        self.child = get_object_or_404(Child.objects.visible_to(request.user).filter(anonymised_at__isnull=True), pk=kwargs["pk"])
        return super().post(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        self.child = get_object_or_404(Child.objects.visible_to(request.user).filter(anonymised_at__isnull=True), pk=kwargs["pk"])
        return super().get(request, *args, **kwargs)

    def get_initial(self):
        return {"account_holder": self.child.guardian_name, "msisdn": format_uk_national(self.child.guardian_phone) if self.child.guardian_phone.startswith("+447") else ""}

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            item = services.raise_request(
                kind="family_data", child=self.child, msisdn=d["msisdn"], network=d["network"], account_holder=d["account_holder"],
                phone_plan=d["phone_plan"], consent_given=d["consent_given"], reason=d["reason"], by=self.request.user,
            )
        except ValidationError as exc:
            form.add_error("msisdn" if "number" in " ".join(exc.messages) else None, exc)
            return self.form_invalid(form)
        messages.success(self.request, gettext("Request %(ref)s raised.") % {"ref": item.reference})
        return redirect(item.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=gettext("Extra data on the family's own phone"), child=self.child, back=self.child.get_absolute_url())
        return context


def _bulk_filter_params(querydict):
    names = set(SimFilterSet.base_filters)
    return [(name, value) for name in querydict for value in querydict.getlist(name) if name in names and value]


class SimBulkRequestView(ObjectListView):
    """The SIM list with tick boxes: choose SIMs (or all that match the filter) and what to ask."""

    model = Sim
    table_class = SimSelectTable
    filterset_class = SimFilterSet
    allowed_roles = RAISE_ROLES
    export_name = "sims"
    title = _("Ask the networks about several SIMs")
    template_name = "connectivity/sim_bulk_request.html"

    def get_queryset(self):
        return super().get_queryset().select_related("network", "device", "local_authority")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset = context["filter"]
        qs = filterset.qs if filterset.is_valid() else Sim.objects.none()
        summary = qs.order_by().aggregate(n=Count("pk"), upto=Max("pk"))
        context.update(matching=summary["n"], upto=summary["upto"] or 0, form=BulkRaiseForm(initial={"scope": "selected"}),
                       params=_bulk_filter_params(self.request.GET))
        return context


class SimBulkConfirmView(RoleRequiredMixin, View):
    """Check your answers (GET), then raise them all in one transaction and say what was raised
    and what was refused, and why (POST: ``services.raise_requests``)."""

    model = Sim
    allowed_roles = RAISE_ROLES

    def _chosen(self, request, data):
        form = BulkRaiseForm(data)
        if not form.is_valid():
            return form, None
        sims = form.rows(Sim.objects.visible_to(request.user), SimFilterSet, request=request, filter_data=data, upto=form.cleaned_data.get("upto") or 0)
        return form, (Sim.objects.none() if sims is None else sims)  # filters not valid: nothing matches, as before

    def _back(self, data):
        from urllib.parse import urlencode

        return reverse("connectivity:sim_bulk_request") + ("?" + urlencode(_bulk_filter_params(data)) if _bulk_filter_params(data) else "")

    def get(self, request):
        form, sims = self._chosen(request, request.GET)
        if sims is None:
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect(self._back(request.GET))
        kind = form.cleaned_data["kind"]
        counts = sims.order_by().aggregate(
            n=Count("pk"), no_network=Count("pk", filter=Q(network__isnull=True)),
            open=Count("pk", filter=Q(pk__in=NetworkRequest.objects.open().filter(kind=kind).values("sim_id"))),
        )
        if not counts["n"]:
            messages.error(request, gettext("No SIMs were chosen that you can see. Choose them again."))
            return redirect(self._back(request.GET))
        return render(request, "connectivity/sim_bulk_confirm.html", {
            "title": gettext("Check your answers"), "form": form, "kind_label": dict(NetworkRequest.Kind.choices)[kind],
            "counts": counts, "first": list(sims.select_related("network").order_by("pk")[:BULK_SHOWN]),
            "params": _bulk_filter_params(request.GET), "back": self._back(request.GET),
        })

    def post(self, request):
        form, sims = self._chosen(request, request.POST)
        if sims is None:
            messages.error(request, gettext("Those answers could not be read. Choose the SIMs again."))
            return redirect(self._back(request.POST))
        result = services.raise_requests(sims=sims, kind=form.cleaned_data["kind"], reason=form.cleaned_data["reason"], by=request.user)
        return render(request, "connectivity/sim_bulk_result.html", {
            "title": ngettext("%(n)s request raised", "%(n)s requests raised", len(result.raised)) % {"n": len(result.raised)},
            "result": result, "raised": result.raised[:BULK_SHOWN * 5], "refused": result.refused[:BULK_SHOWN * 25],
            "kind_label": dict(NetworkRequest.Kind.choices)[form.cleaned_data["kind"]],
        })

