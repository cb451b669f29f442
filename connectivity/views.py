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


# --- requests: the council's and school's side (raising one, in bulk, on a family's own phone)

from django.db.models import Count, Max, Q  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.utils.translation import ngettext  # noqa: E402

from allocations.models import Child  # noqa: E402
from connectivity.forms import BulkRaiseForm, FamilyDataForm, RaiseRequestForm  # noqa: E402
from connectivity.tables import SimSelectTable  # noqa: E402

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
        sims = Sim.objects.visible_to(request.user)
        if form.cleaned_data["scope"] == "all":
            filterset = SimFilterSet(data, queryset=sims, request=request)
            sims = filterset.qs.filter(pk__lte=form.cleaned_data.get("upto") or 0) if filterset.is_valid() else sims.none()
        else:
            sims = sims.filter(pk__in=form.cleaned_data["sim"][:5000])
        return form, sims

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

