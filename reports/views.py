"""Reports pages: the CIO dashboard, the DfE return download, the London view, need estimates
and API tokens. Views parse input, call ``reports.figures`` / services, and render."""

import csv
import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from accounts.models import LocalAuthority
from core.exports import neutralise
from core.views import ObjectCreateView, ObjectDetailView, ObjectListView, ObjectUpdateView, RoleRequiredMixin, ScopedQuerysetMixin
from reports import definitions, dfe_return, figures, london, services
from reports.filters import ApiTokenFilterSet, NeedEstimateFilterSet
from reports.forms import ApiTokenForm, NeedEstimateForm
from reports.models import ApiToken, NeedEstimate
from reports.tables import ApiTokenTable, NeedEstimateTable

CIO_ROLES = ("cio", "council_officer")
ESTIMATE_ROLES = ("cio", "council_officer", "school_staff")


def la_for(request):
    """The LA a CIO or officer reports on: their own. Admins choose one with ``?la=CODE``."""
    user = request.user
    if user.is_superuser or user.role == "admin":
        code = request.GET.get("la", "")
        las = LocalAuthority.objects.order_by("name")
        la = las.filter(code=code[:3]).first() if code else las.first()
        if la is None:
            raise Http404
        return la
    if user.role in CIO_ROLES and user.local_authority_id:
        return user.local_authority
    raise PermissionDenied


#: What a chart's colour means (static/js/reports.js draws them; static/css/app.css has the same
#: palette): red is a loss, orange a risk, blue neutral. Red and orange are hatched as well, so
#: colour is never the only sign (WCAG 1.4.1); every chart has its table beside it.
TONES = ("neutral", "neutral-light", "risk", "loss")


def chart(chart_id, kind, labels, datasets, y_label="", tones=None):
    """A chart of figures the page also shows in a table. ``tones`` gives each bar or slice its
    meaning (one of TONES; one tone for a whole series, or one per point); neutral by default."""
    tones = tones or "neutral"
    assert all(t in TONES for t in ([tones] if isinstance(tones, str) else tones)), tones
    return {"id": chart_id, "type": kind, "labels": [str(x) for x in labels], "y": str(y_label), "tones": tones,
            "datasets": [{"label": str(label), "data": [float(v) if v is not None else None for v in data]} for label, data in datasets]}


class DashboardView(RoleRequiredMixin, TemplateView):
    """Need against supply, progress, the cliff edge, allowance evidence and support, for one LA.

    Every figure is a registered one (``reports.definitions``), computed from the same facts
    as the DfE return; a council's own figures are shown in full."""

    template_name = "reports/dashboard.html"
    allowed_roles = CIO_ROLES
    SCHOOL_COLUMNS = ("device_need", "laptops_in_service", "children_handed_over", "laptop_shortfall", "connectivity_shortfall")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        la = la_for(self.request)
        dash = figures.dashboard(la)
        facts = definitions.Facts(definitions.Scope.for_la(la), shortfall=dash.total, horizon=dash.horizon, allowance=dash.allowance_overall)

        def rows(*names):
            return [(definitions.figure(n), definitions.value(n, facts)) for n in names]

        need_supply = rows("children_needing_device", "estimated_device_need", "laptops_in_service", "laptop_shortfall")
        progress = rows("children_handed_over", "children_allocated_not_handed_over", "children_waiting")
        cliff = list(zip(dash.horizon.months, dash.horizon.cliff, dash.horizon.cumulative()))
        charts = [
            chart("need-supply", "bar", [f.label for f, _n in need_supply], [(_("Count"), [n for _f, n in need_supply])],
                  tones=["neutral", "neutral", "neutral", "loss"]),
            chart("progress", "doughnut", [f.label for f, _n in progress], [(_("Children"), [n for _f, n in progress])],
                  tones=["neutral", "neutral-light", "risk"]),
            chart("cliff", "bar", [m.strftime("%b %Y") for m, _n, _c in cliff], [(_("Devices losing cover"), [n for _m, n, _c in cliff])], _("Devices"),
                  tones="loss"),
            chart("allowance", "line", [r.month.strftime("%b %Y") for r in dash.allowance], [(_("Share that used all 3 GB (%)"), [r.share for r in dash.allowance])], "%",
                  tones="risk"),
        ]
        if dash.support is not None:
            charts.append(chart("languages", "bar", [x[1] for x in dash.support.by_language], [(_("Tickets"), [x[3] for x in dash.support.by_language])]))
        schools = []
        for s in dash.schools:
            school_facts = definitions.Facts(definitions.Scope((la.pk,), s.key), shortfall=s)
            schools.append((s, [definitions.value(n, school_facts) for n in self.SCHOOL_COLUMNS]))
        is_admin = self.request.user.is_superuser or self.request.user.role == "admin"
        context.update(
            title=_("Dashboard for %(la)s") % {"la": la.name}, la=la, dash=dash, facts=facts, progress=progress, need_supply=need_supply,
            children_needing_device=rows("children_needing_device")[0],
            children_with_data=definitions.value("children_with_data", facts),
            children_needing_connectivity=definitions.value("children_needing_connectivity", facts),
            cover=rows("devices_in_service", "devices_without_cover", "devices_losing_cover", "devices_covered_to_end"),
            costs=rows("laptop_shortfall_cost", "connectivity_shortfall_cost", "licence_gap_cost", "data_gap_cost"),
            cost_counts=rows("laptop_shortfall", "connectivity_shortfall", "licence_gap_months", "data_gap_months"),
            total_cost=definitions.total_cost(facts), support=rows("open_tickets", "sla_breaches"),
            school_columns=[definitions.figure(n) for n in self.SCHOOL_COLUMNS], schools=schools,
            cliff=cliff, charts={"charts": charts}, is_admin=is_admin,
            las=LocalAuthority.objects.order_by("name") if is_admin else [],
        )
        # --- connection plans: the data gap split into "with a plan" and "no plan" (one query)
        context["plan_gap"] = rows("data_gap_with_plan", "data_gap_no_plan", "data_gap_plan_cost")
        context["plan_gap_months"] = facts.plan_gap.rows()
        return context


class DfeReturnView(RoleRequiredMixin, View):
    """The DfE return workbook for the user's LA, as a download."""

    allowed_roles = CIO_ROLES

    def get(self, request):
        la = la_for(request)
        wb = dfe_return.build_workbook(la, viewer=request.user)
        buffer = io.BytesIO()
        wb.save(buffer)
        response = HttpResponse(buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = f'attachment; filename="{dfe_return.filename(la)}"'
        return response


class LondonView(RoleRequiredMixin, TemplateView):
    """Every LA side by side: aggregates only, counts from 1 to 4 and their giveaways hidden.

    The table shows one group of columns at a time (``?columns=devices|children|connectivity|all``,
    devices by default) so it fits a 1280 px screen; the chooser above it names the other
    groups. A chart of the same published (suppressed) figures sits beside it."""

    template_name = "reports/london.html"
    allowed_roles = ("london_lead",)
    CHOICES = (
        ("devices", gettext_lazy("Laptops and tablets")),
        ("children", gettext_lazy("Children and need")),
        ("connectivity", gettext_lazy("Connectivity")),
        ("all", gettext_lazy("All columns")),
    )
    CHART_PARTS = {
        "devices": london.DEVICE_PARTS,
        "children": ["children_with_device", "children_waiting"],
        "connectivity": ["children_with_data", "children_without_data"],
    }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        header, rows, computed_at = london.published_london()
        group = self.request.GET.get("columns", "devices")
        if group not in dict(self.CHOICES):
            group = "devices"
        keys = list(london.COLUMNS)
        chosen = keys if group == "all" else london.GROUPS[group]
        index = [0, 1] + [2 + keys.index(k) for k in chosen]
        pick = lambda row: [row[i] for i in index]  # noqa: E731
        body = [pick(r) for r in rows[:-1]]
        parts = self.CHART_PARTS["devices" if group == "all" else group]
        chart_rows = [r for r in rows[:-1] if any(isinstance(r[2 + keys.index(k)], int) and r[2 + keys.index(k)] for k in parts)]
        london_chart = chart(
            "london", "bar", [r[1] for r in chart_rows],
            [(definitions.figure(k).label, [r[2 + keys.index(k)] if isinstance(r[2 + keys.index(k)], int) else None for r in chart_rows]) for k in parts],
        )
        london_chart.update(horizontal=True, stacked=True, height=max(320, 28 * len(chart_rows) + 80))
        context.update(
            title=_("London view"), header=pick(header), rows=body, total=pick(rows[-1]), today=timezone.localdate(), computed_at=computed_at,
            group=group, choices=self.CHOICES, shown=len(chosen), all_columns=len(keys), figure_names=chosen,
            chart_caption=_("Chart of the table's figures, by local authority"),
            charts={"charts": [london_chart]},
        )
        if group == "all":
            # Every column at once: short headers under their group's, the labels in <abbr> and a key.
            context["column_groups"] = [(london.GROUP_LABELS[g], len(names)) for g, names in london.GROUPS.items()]
            context["short_headers"] = [(london.SHORT_LABELS[k], definitions.figure(k).label) for k in chosen]
        return context


class LondonCsvView(RoleRequiredMixin, View):
    """The London table as open data (CSV), suppressed exactly as on the page."""

    allowed_roles = ("london_lead",)

    def get(self, request):
        header, rows, _computed_at = london.published_london()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([neutralise(str(h)) for h in header])
        for row in rows:
            writer.writerow([neutralise(str(v) if not isinstance(v, int) else v) for v in row])
        response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="london-devices-{timezone.localdate():%Y-%m-%d}.csv"'
        return response


# --- need estimates ----------------------------------------------------------------------------


class NeedEstimateListView(ObjectListView):
    model = NeedEstimate
    table_class = NeedEstimateTable
    filterset_class = NeedEstimateFilterSet
    allowed_roles = ESTIMATE_ROLES
    create_url_name = "reports:need_estimate_create"
    title = gettext_lazy("Estimates of need not yet named")

    def get_queryset(self):
        return super().get_queryset().select_related("school")


class NeedEstimateFormMixin:
    model = NeedEstimate
    form_class = NeedEstimateForm
    allowed_roles = ESTIMATE_ROLES
    success_url = reverse_lazy("reports:need_estimate_list")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def get_success_url(self):
        return str(self.success_url)


class NeedEstimateCreateView(NeedEstimateFormMixin, ObjectCreateView):
    title = gettext_lazy("Add an estimate of need")

    def save(self, form):
        d = form.cleaned_data
        estimate = services.record_need_estimate(
            school=d["school"], kind=d["kind"], count=d["count"], estimated_on=d["estimated_on"], note=d["note"], by=self.request.user
        )
        messages.success(self.request, _("Estimate saved."))
        return estimate


class NeedEstimateUpdateView(NeedEstimateFormMixin, ObjectUpdateView):
    title = gettext_lazy("Change an estimate of need")

    def save(self, form):
        d = form.cleaned_data
        estimate = services.update_need_estimate(
            estimate=self.object, kind=d["kind"], count=d["count"], estimated_on=d["estimated_on"], note=d["note"], by=self.request.user
        )
        messages.success(self.request, _("Estimate saved."))
        return estimate


class NeedEstimateDeleteView(RoleRequiredMixin, ScopedQuerysetMixin, View):
    model = NeedEstimate
    allowed_roles = ESTIMATE_ROLES

    def post(self, request, pk):
        estimate = get_object_or_404(self.get_queryset(), pk=pk)
        services.delete_need_estimate(estimate=estimate, by=request.user)
        messages.success(request, _("Estimate deleted."))
        return redirect("reports:need_estimate_list")


# --- API tokens --------------------------------------------------------------------------------


class ApiTokenListView(ObjectListView):
    model = ApiToken
    table_class = ApiTokenTable
    filterset_class = ApiTokenFilterSet
    allowed_roles = ("council_officer",)
    create_url_name = "reports:token_create"
    title = gettext_lazy("API tokens")

    def get_queryset(self):
        return super().get_queryset().select_related("network_operator")


class ApiTokenDetailView(ObjectDetailView):
    model = ApiToken
    template_name = "reports/apitoken_detail.html"
    allowed_roles = ("council_officer",)


class ApiTokenCreateView(RoleRequiredMixin, FormView):
    """Create a token and show it once, on this response only (it is never stored or redirected)."""

    form_class = ApiTokenForm
    template_name = "core/object_form.html"
    allowed_roles = ("council_officer",)
    extra_context = {"title": gettext_lazy("Create an API token")}

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        return kwargs

    def form_valid(self, form):
        d = form.cleaned_data
        token, raw = services.create_api_token(
            name=d["name"], kind=d["kind"], supplier_name=d.get("supplier_name", ""),
            network_operator=d.get("network_operator"), by=self.request.user,
        )
        response = render(self.request, "reports/apitoken_created.html", {"object": token, "raw": raw, "title": _("API token created")})
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenRevokeView(RoleRequiredMixin, ScopedQuerysetMixin, View):
    model = ApiToken
    allowed_roles = ("council_officer",)

    def post(self, request, pk):
        token = get_object_or_404(self.get_queryset(), pk=pk)
        services.revoke_api_token(token=token, by=request.user)
        messages.success(request, _("Token revoked. Requests using it are now refused."))
        return redirect(reverse("reports:token_detail", args=[token.pk]))


# --- what the figures count --------------------------------------------------------------------


class FigureDefinitionsView(RoleRequiredMixin, TemplateView):
    """Every registered figure with its definition (``reports.definitions``), linked from each
    "what this counts" hint."""

    template_name = "reports/definitions.html"
    GROUPS = (
        ("devices", gettext_lazy("Devices")),
        ("children", gettext_lazy("Children, need and shortfall")),
        ("horizon", gettext_lazy("Three-year cover")),
        ("allowance", gettext_lazy("Data allowance evidence")),
        ("tickets", gettext_lazy("Support")),
        ("allocations", gettext_lazy("Allocations")),
    )

    @staticmethod
    def group_of(f):
        if f.source == "shortfall":
            return "children"
        return f.source

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        groups = [(label, [f for f in definitions.FIGURES.values() if self.group_of(f) == key]) for key, label in self.GROUPS]
        context.update(
            title=_("What the figures count"), groups=groups,
            suppression_rule=_(
                "Small numbers: wherever figures about a council are shown to someone outside it (the London lead, central "
                "support agents, the London open data), counts from 1 to 4, and any figure that would let one be worked out, "
                "are shown as [c]. A council's own staff see their own figures in full, and so does its DfE return."
            ),
        )
        return context
