"""Publishing pages: the publications list and record, their files, and the publish button
(with its confirmation page). The London lead and administrators only."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.views import ObjectDetailView, ObjectListView, RoleRequiredMixin
from publishing import files, services
from publishing.drivers import driver_name
from publishing.filters import PublicationFilterSet
from publishing.models import Publication
from publishing.tables import PublicationTable

ROLES = ("london_lead",)


class PublicationListView(ObjectListView):
    model = Publication
    table_class = PublicationTable
    filterset_class = PublicationFilterSet
    allowed_roles = ROLES
    template_name = "publishing/publication_list.html"
    export_name = "publications"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["latest"] = services.latest()
        return context


class PublicationDetailView(ObjectDetailView):
    model = Publication
    allowed_roles = ROLES

    def get_queryset(self):
        return super().get_queryset().select_related("requested_by")


class PublicationCsvView(ObjectDetailView):
    """The CSV exactly as it was sent (the bytes whose SHA-256 the record shows)."""

    model = Publication
    allowed_roles = ROLES

    def render_to_response(self, context, **kwargs):
        response = HttpResponse(self.object.csv_text, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.object.csv_filename}"'
        return response


class PublicationSchemaView(ObjectDetailView):
    model = Publication
    allowed_roles = ROLES

    def render_to_response(self, context, **kwargs):
        response = HttpResponse(self.object.schema_json, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.object.schema_filename}"'
        return response


class PublishView(RoleRequiredMixin, TemplateView):
    """GET: what would be published (period, rows, hidden cells, where to); POST: publish."""

    allowed_roles = ROLES
    template_name = "publishing/publish_confirm.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        built = files.build(services.month_of(today), today)
        context.update(
            title=_("Publish London's figures to the London Datastore"), built=built, today=today,
            period=services.month_of(today), driver=driver_name(), columns=len(built.schema["fields"]),
            already=Publication.objects.filter(period=services.month_of(today), status=Publication.Status.PUBLISHED).first(),
        )
        return context

    def post(self, request):
        try:
            publication = services.request_publication(by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("publishing:publish")
        publication.refresh_from_db()
        if publication.status == Publication.Status.PUBLISHED:
            messages.success(request, _("London's figures for %(period)s are published.") % {"period": f"{publication.period:%B %Y}"})
        else:
            messages.info(request, _("London's figures for %(period)s are queued for publishing.") % {"period": f"{publication.period:%B %Y}"})
        return redirect(publication)
