"""Shared base views. Every list, detail and edit page in the project derives from these,
so scope (``visible_to``), role checks, filtering, paging and export are written once.

A concrete view names a few attributes, NetBox-style::

    class DeviceListView(ObjectListView):
        model = Device
        table_class = DeviceTable
        filterset_class = DeviceFilterSet
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, TemplateView, UpdateView, View
from django_filters.views import FilterView
from django_tables2 import LazyPaginator, SingleTableMixin

from core.exports import csv_response, xlsx_response
from core.forms import give_forms_distinct_ids, restrict_form_fields
from core.navigation_roles import STAFF_ROLES


class RoleRequiredMixin(LoginRequiredMixin):
    """Signed-in staff with one of ``allowed_roles`` (admins always pass)."""

    allowed_roles = STAFF_ROLES
    raise_exception_for_authenticated = True

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return self.handle_no_permission()
        if not (user.is_superuser or user.role == "admin" or user.role in self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def render_to_response(self, context, **response_kwargs):
        # Several forms on one page (a ticket's reply, status and language forms) get distinct ids.
        return super().render_to_response(give_forms_distinct_ids(context), **response_kwargs)


class ScopedQuerysetMixin:
    """``get_queryset`` is always ``model.objects.visible_to(user)``, then narrowed."""

    model = None

    def get_base_queryset(self):
        return self.model.objects.visible_to(self.request.user)

    def get_queryset(self):
        return self.get_base_queryset()


class ObjectListView(RoleRequiredMixin, ScopedQuerysetMixin, SingleTableMixin, FilterView):
    """A filtered, sorted, paged table with CSV and XLSX export of the filtered set.

    Paging uses django-tables2's LazyPaginator, which fetches one row more than a page
    instead of counting the whole table (a full COUNT on two million rows costs seconds).
    """

    template_name = "core/object_list.html"
    paginate_by = 25
    table_pagination = {"paginator_class": LazyPaginator}
    export_name = None
    title = None
    create_url_name = None
    extra_actions = ()

    def get_paginate_by(self, queryset):
        # The table pages itself (LazyPaginator); Django's own paging would COUNT(*) the table.
        return None

    def get_table_pagination(self, table):
        pagination = dict(self.table_pagination)
        per_page = self.request.GET.get("per_page", "")
        pagination["per_page"] = int(per_page) if per_page.isdigit() and 0 < int(per_page) <= 200 else self.paginate_by
        return pagination

    def get(self, request, *args, **kwargs):
        per_page = request.GET.get("per_page")
        if per_page is not None and not (per_page.isdigit() and 0 < int(per_page) <= 200):
            # django-tables2 reads ?per_page= itself: a negative one was a 500, a huge one no cap.
            request.GET = request.GET.copy()
            request.GET["per_page"] = str(self.paginate_by)
        export = request.GET.get("_export")
        if export in ("csv", "xlsx"):
            return self.export(export)
        return super().get(request, *args, **kwargs)

    def get_table_kwargs(self):
        kwargs = super().get_table_kwargs()
        columns = self.request.GET.getlist("columns")
        if hasattr(self.table_class, "optional_columns"):
            kwargs["exclude"] = [c for c in self.table_class.optional_columns if c not in columns]
        return kwargs

    def export(self, fmt):
        filterset = self.get_filterset(self.get_filterset_class())
        qs = filterset.qs if filterset.is_valid() else self.get_queryset().none()
        table = self.table_class(qs)
        headers, rows = export_rows(table)
        name = self.export_name or self.model._meta.verbose_name_plural
        if fmt == "csv":
            return csv_response(headers, rows, name)
        return xlsx_response(headers, rows, name, sheet_title=str(name))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title or self.model._meta.verbose_name_plural.capitalize()
        context["create_url_name"] = self.create_url_name
        context["optional_columns"] = [
            (name, self.table_class.base_columns[name].header, name in self.request.GET.getlist("columns"))
            for name in getattr(self.table_class, "optional_columns", ())
        ]
        return context


def export_rows(table):
    """Headers and a row iterator for a table's exportable columns, streamed from the DB.

    Each cell is django-tables2's own export value (``Column.value``: what the page shows,
    without HTML), so a column's formatting is written once, in the table.
    """
    from django_tables2.rows import BoundRow

    columns = [c for c in table.columns if not c.column.exclude_from_export and c.visible]
    headers = [str(c.header) for c in columns]
    data = table.data.data
    if hasattr(data, "iterator"):
        data = data.iterator(chunk_size=2000)

    def rows():
        for record in data:
            row = BoundRow(record, table=table)
            yield [export_cell(row.get_cell_value(c.name)) for c in columns]

    return headers, rows()


def export_cell(value):
    if hasattr(value, "pk"):
        return str(value)
    if value is not None and not isinstance(value, (str, int, float, bool)) and hasattr(value, "__html__"):
        return str(value)
    return value


class ObjectDetailView(RoleRequiredMixin, ScopedQuerysetMixin, DetailView):
    """One row, found only within ``visible_to(user)``: anything else is a 404."""

    template_name_suffix = "_detail"


class ObjectEditView(RoleRequiredMixin, ScopedQuerysetMixin):
    """Create or edit through a form whose model choices are limited to the user's scope.

    Subclasses implement ``save(form)`` to call the app's service; views never write
    the model directly.
    """

    template_name = "core/object_form.html"
    title = None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        restrict_form_fields(form, self.request.user)
        return form

    def form_valid(self, form):
        self.object = self.save(form)
        return redirect(self.get_success_url())

    def save(self, form):
        return form.save()

    def get_success_url(self):
        return self.object.get_absolute_url()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = self.title
        return context


class ObjectCreateView(ObjectEditView, CreateView):
    pass


class ObjectUpdateView(ObjectEditView, UpdateView):
    pass


class HealthView(View):
    """200 when the database answers, 503 when it does not. No authentication, no data."""

    def get(self, request):
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                cursor.fetchone()
        except Exception:  # any database failure means unhealthy
            return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
        return JsonResponse({"status": "ok", "database": "up"})


class ScheduledJobsView(RoleRequiredMixin, TemplateView):
    """For admins: every scheduled job, when it last ran, its result, when it runs next and
    whether it is overdue (``core.scheduler.status``; ``run_scheduler --status`` prints the
    same). Service-level rows with no LA, so admins only."""

    allowed_roles = ("admin",)
    template_name = "core/scheduled_jobs.html"

    def get_context_data(self, **kwargs):
        from core import scheduler

        context = super().get_context_data(**kwargs)
        context["title"] = _("Scheduled jobs")
        context["statuses"] = scheduler.status()
        return context


class HomeView(RoleRequiredMixin, TemplateView):
    """The dashboard for the signed-in user's role: counts within their scope."""

    template_name = "core/home.html"
    # A mobile network's users land here too: their cards are their network's queue only.
    allowed_roles = (*STAFF_ROLES, "network")

    def get_context_data(self, **kwargs):
        from core.dashboard import cards_for

        context = super().get_context_data(**kwargs)
        context["cards"] = cards_for(self.request.user)
        return context


def robots(request):
    return HttpResponse("User-agent: *\nDisallow: /\n", content_type="text/plain")


class LaChoiceMixin:
    """The LA a page is about: the user's own, or (users who see several) ``?la=<id>``."""

    def visible_las(self):
        """The LAs the user may see, as a list (one query)."""
        from accounts.models import LocalAuthority

        return list(LocalAuthority.objects.visible_to(self.request.user).order_by("name"))

    def chosen_la(self, las):
        by_pk = {la.pk: la for la in las}
        raw = self.request.GET.get("la", "")
        if raw:
            if not raw.isdigit() or int(raw) not in by_pk:
                from django.http import Http404

                raise Http404
            return by_pk[int(raw)]
        own = by_pk.get(self.request.user.local_authority_id)
        return own or (las[0] if las else None)
