"""Stocktake pages: list, start, the scan page (the report once closed), scan, close, export,
and the schools whose stocktake is overdue. Thin: each writing view calls one service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.generic import FormView, View
from django.views.generic.detail import SingleObjectMixin

from accounts.models import School
from core.exports import csv_response, xlsx_response
from core.views import ObjectDetailView, ObjectListView, RoleRequiredMixin, ScopedQuerysetMixin
from devices.models import Device
from stocktakes import overdue, services
from stocktakes.filters import OverdueSchoolFilterSet, StocktakeFilterSet
from stocktakes.forms import ScanForm, StartStocktakeForm
from stocktakes.models import Stocktake, StocktakeItem, StocktakeScan
from stocktakes.tables import OverdueSchoolTable, StocktakeTable


def can_run(user):
    return user.is_superuser or user.role == "admin" or user.role in services.RUNNER_ROLES


def counts_of(stocktake):
    """Expected, found, missing and unexpected for one stocktake: one aggregate query."""
    return StocktakeItem.objects.filter(stocktake=stocktake).counts()


class StocktakeListView(ObjectListView):
    model = Stocktake
    table_class = StocktakeTable
    filterset_class = StocktakeFilterSet
    allowed_roles = services.READER_ROLES
    template_name = "stocktakes/stocktake_list.html"
    export_name = "stocktakes"

    def get_queryset(self):
        return super().get_queryset().with_counts().select_related("school", "local_authority")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Stocktakes")
        context["can_run"] = can_run(self.request.user)
        context["sees_overdue"] = self.request.user.is_superuser or self.request.user.role in OVERDUE_ROLES
        return context


class StocktakeStartView(RoleRequiredMixin, FormView):
    allowed_roles = services.RUNNER_ROLES
    form_class = StartStocktakeForm
    template_name = "stocktakes/stocktake_start.html"
    extra_context = {"title": _lazy("Start a stocktake")}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            stocktake = services.start_stocktake(
                by=self.request.user, local_authority=form.cleaned_data["local_authority"], school=form.cleaned_data["place"]
            )
        except services.StocktakeError as exc:
            form.add_error("place", exc.messages[0])
            return self.form_invalid(form)
        return redirect(stocktake.get_absolute_url())


class StocktakeDetailView(ObjectDetailView):
    """The scan page while open; the kept report once closed (printable, exportable)."""

    model = Stocktake
    allowed_roles = services.READER_ROLES

    def get_queryset(self):
        return super().get_queryset().select_related("school", "local_authority", "started_by", "closed_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        stocktake = self.object
        items = list(stocktake.items.select_related("found_by").order_by("code"))
        unexpected = [i for i in items if not i.expected]
        visible = set(
            Device.objects.visible_to(self.request.user).filter(pk__in=[i.device_id for i in unexpected if i.device_id]).values_list("pk", flat=True)
        )
        for item in unexpected:
            item.visible_device = item.device_id in visible
        context.update(
            title=str(stocktake),
            counts=counts_of(stocktake),
            missing=[i for i in items if i.expected and not i.found_at],
            found=[i for i in items if i.expected and i.found_at],
            unexpected=unexpected,
            duplicates=StocktakeScan.objects.filter(stocktake=stocktake, result=StocktakeScan.Result.DUPLICATE).count(),
            recent=list(stocktake.scan_log.select_related("item")[:10]),
            can_run=stocktake.is_open and can_run(self.request.user),
            form=ScanForm(),
        )
        return context


class StocktakeScanView(RoleRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, View):
    """One scan. With JavaScript it answers JSON (the page updates in place); without, it
    redirects back to the scan page with the outcome as a message."""

    model = Stocktake
    allowed_roles = services.RUNNER_ROLES

    def get_queryset(self):
        return super().get_queryset().select_related("school", "local_authority")

    def get(self, request, *args, **kwargs):
        return redirect(self.get_object().get_absolute_url())

    def post(self, request, *args, **kwargs):
        stocktake = self.get_object()
        wants_json = "application/json" in request.headers.get("Accept", "")
        form = ScanForm(request.POST)
        try:
            if not form.is_valid():
                raise services.StocktakeError(form.errors["code"][0])
            outcome = services.record_scan(stocktake=stocktake, code=form.cleaned_data["code"], by=request.user)
        except (services.StocktakeError, PermissionDenied) as exc:
            message = exc.messages[0] if hasattr(exc, "messages") else str(exc)
            if wants_json:
                return JsonResponse({"error": message, "code": request.POST.get("code", "")[:200]}, status=400)
            messages.error(request, message)
            return redirect(stocktake.get_absolute_url() + "#scan")
        if wants_json:
            item = outcome.item
            return JsonResponse(
                {
                    "result": outcome.result,
                    "message": outcome.message,
                    "item": {"id": item.pk, "code": item.code, "description": item.description if item.expected else "", "state": item.state},
                    "counts": counts_of(stocktake),
                }
            )
        level = messages.success if outcome.result == StocktakeScan.Result.FOUND else messages.warning
        level(request, outcome.message)
        return redirect(stocktake.get_absolute_url() + "#scan")


class StocktakeCloseView(RoleRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, View):
    """GET: the confirmation page (closing cannot be undone); POST: close."""

    model = Stocktake
    allowed_roles = services.RUNNER_ROLES

    def get_queryset(self):
        return super().get_queryset().select_related("school", "local_authority")

    def get(self, request, *args, **kwargs):
        self.object = stocktake = self.get_object()
        return render(request, "stocktakes/stocktake_close.html", {
            "stocktake": stocktake, "counts": counts_of(stocktake),
            "title": _("Close the stocktake of %(place)s") % {"place": stocktake.place_name},
        })

    def post(self, request, *args, **kwargs):
        stocktake = self.get_object()
        try:
            services.close_stocktake(stocktake=stocktake, by=request.user)
        except services.StocktakeError as exc:
            messages.error(request, exc.messages[0])
            return redirect(stocktake.get_absolute_url())
        messages.success(request, _("Stocktake closed. This is its report."))
        return redirect(stocktake.get_absolute_url())


class StocktakeExportView(RoleRequiredMixin, ScopedQuerysetMixin, SingleObjectMixin, View):
    """The stocktake's lines as CSV (``?format=csv``, the default) or Excel (``?format=xlsx``)."""

    model = Stocktake
    allowed_roles = services.READER_ROLES

    def get(self, request, *args, **kwargs):
        stocktake = self.get_object()
        states = dict(StocktakeItem.State.choices)
        headers = [_("Code"), _("Device"), _("IMEI"), _("Asset tag"), _("Result"), _("Status at the start"), _("Found at"), _("Found by"), _("Times scanned")]
        items = stocktake.items.select_related("found_by").order_by("-expected", "found_at", "code")

        def rows():
            for i in items.iterator(chunk_size=2000):
                yield [
                    i.code, i.description, i.imei, i.asset_tag, str(states[i.state]), i.status_at_start,
                    timezone.localtime(i.found_at).replace(tzinfo=None) if i.found_at else None, str(i.found_by) if i.found_by else "", i.scans,
                ]

        name = f"stocktake-{stocktake.pk}"
        if request.GET.get("format") == "xlsx":
            return xlsx_response([str(h) for h in headers], rows(), name, sheet_title=str(_("Stocktake")))
        return csv_response([str(h) for h in headers], rows(), name)


OVERDUE_ROLES = ("council_officer", "cio")


class OverdueSchoolListView(ObjectListView):
    """Open schools whose last stocktake closed over ``STOCKTAKE_OVERDUE_DAYS`` ago, or never."""

    model = School
    table_class = OverdueSchoolTable
    filterset_class = OverdueSchoolFilterSet
    allowed_roles = OVERDUE_ROLES
    export_name = "stocktakes-overdue"

    def get_queryset(self):
        return overdue.overdue_schools(self.request.user).only("pk", "name", "urn")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Schools due a stocktake")
        return context
