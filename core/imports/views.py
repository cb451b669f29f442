"""Import pages: history, upload, mapping + dry run, commit, progress, retry, error download.

Thin views: each parses input, calls ``core.imports.services``, and renders or redirects.
Every job is found through ``ImportJob.objects.visible_to(user)`` (another LA's job is a 404).
"""

import tempfile

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.generic import DetailView, FormView, ListView, View

from core.imports import services
from core.imports.engine import format_error
from core.imports.headers import describe_columns
from core.imports.readers import ReadError
from core.imports.registry import available_kinds, get_spec, get_spec_or_404
from core.models import ImportJob
from core.views import RoleRequiredMixin

VIEW_ROLES = ("council_officer", "cio")
UPLOAD_ROLES = ("council_officer",)
ERRORS_SHOWN = 500


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_l("Spreadsheet"),
        help_text=_l("An .xlsx or .csv file of up to 20 MB and 200,000 rows. The first sheet is read; you can choose another next."),
    )

    def clean_file(self):
        f = self.cleaned_data["file"]
        from django.conf import settings

        if f.size > getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024):
            raise forms.ValidationError(
                _("The file is %(size)s MB; the largest file we accept is %(max)s MB. Split it into smaller files.")
                % {"size": round(f.size / 1048576, 1), "max": round(settings.IMPORT_MAX_BYTES / 1048576, 1)}
            )
        return f


class JobMixin(RoleRequiredMixin):
    model = ImportJob
    allowed_roles = VIEW_ROLES

    def get_queryset(self):
        return ImportJob.objects.visible_to(self.request.user).select_related("created_by", "local_authority")

    def get_job(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class ImportListView(JobMixin, ListView):
    """Import history: who, when, file, counts, outcome."""

    template_name = "core/imports/import_list.html"
    paginate_by = 25
    context_object_name = "jobs"

    def get_queryset(self):
        return super().get_queryset().defer("errors", "options")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Imports")
        user = self.request.user
        context["kinds"] = available_kinds() if (user.role in UPLOAD_ROLES and user.local_authority_id) else []
        for job in context["jobs"]:
            job.count_lines = _count_lines(job)
        return context


def _done_lines(spec, job):
    """(label, n, url) for what a finished import wrote; only counts that are facts now."""
    from django.urls import NoReverseMatch, reverse

    lines = []
    for key, (label, url_name) in spec.done_labels.items():
        n = (job.counts or {}).get(key, 0)
        if not n:
            continue
        try:
            url = reverse(url_name) if url_name else ""
        except NoReverseMatch:
            url = ""
        if url and hasattr(spec, "done_query"):  # a link to exactly the rows this import wrote
            url += spec.done_query(key, job)
        lines.append((str(label), n, url))
    return lines


def _count_lines(job):
    try:
        labels = get_spec(job.kind).count_labels
    except LookupError:
        labels = {}
    return [(str(labels.get(k, k)), v) for k, v in (job.counts or {}).items() if v]


class ImportUploadView(RoleRequiredMixin, FormView):
    """Upload a spreadsheet for one kind of import (``?kind=delivery``); no kind: choose one."""

    allowed_roles = UPLOAD_ROLES
    form_class = ImportUploadForm
    template_name = "core/imports/import_upload.html"

    def dispatch(self, request, *args, **kwargs):
        kind = request.GET.get("kind") or kwargs.get("kind") or ""
        self.spec = get_spec_or_404(kind) if kind else None
        if self.spec is not None and getattr(self.spec, "upload_url_name", ""):
            # An import with its own upload page (usage files also need the operator).
            return redirect(self.spec.upload_url_name)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.spec is None:
            from django.shortcuts import render

            return render(request, "core/imports/import_choose.html", {"title": _("New import"), "kinds": available_kinds()})
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        if self.spec is None:
            raise Http404
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        user = self.request.user
        if not user.local_authority_id:
            form.add_error("file", _("Your account is not linked to a council, so you cannot import."))
            return self.form_invalid(form)
        try:
            job = services.start_import(user=user, local_authority=user.local_authority, kind=self.spec.kind, upload=form.cleaned_data["file"])
        except ReadError as exc:
            form.add_error("file", exc.message)
            return self.form_invalid(form)
        return redirect(job.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Import: %(kind)s") % {"kind": self.spec.title}
        context["spec"] = self.spec
        return context


class ImportDetailView(JobMixin, DetailView):
    """One job: mapping form, dry-run result, commit button, or progress while running."""

    template_name = "core/imports/import_detail.html"
    context_object_name = "job"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        job = self.object
        try:
            spec = get_spec(job.kind)
        except LookupError:
            raise Http404 from None
        headers = job.options.get("headers", [])
        user = self.request.user
        can_edit = (
            user.role in UPLOAD_ROLES
            and getattr(spec, "column_choice", True)
            and job.status in (ImportJob.Status.UPLOADED, ImportJob.Status.INVALID, ImportJob.Status.VALID, ImportJob.Status.FAILED)
        )
        context.update(
            title=str(job),
            spec=spec,
            can_edit=can_edit,
            can_commit=user.role in UPLOAD_ROLES and job.status == ImportJob.Status.VALID,
            can_retry=user.role in UPLOAD_ROLES and services.can_retry(job),
            # One truthful state: a run whose task stopped reporting is shown as stopped, not running.
            running=job.status in (ImportJob.Status.VALIDATING, ImportJob.Status.COMMITTING) and not services.can_retry(job),
            writing=job.status == ImportJob.Status.COMMITTING and job.total_rows and job.rows_done >= job.total_rows,
            done_lines=_done_lines(spec, job) if job.status == ImportJob.Status.DONE else [],
            mapping_rows=[
                {"field": f, "selected": job.mapping.get(f.name, ""), "name": f"map_{f.name}"} for f in spec.fields
            ],
            headers=headers,
            columns=describe_columns(spec, headers, job.mapping, services.remembered_mapping(job.local_authority, job.kind)) if can_edit else [],
            sheet_names=job.options.get("sheet_names", []),
            error_lines=[format_error(e) for e in job.errors[:ERRORS_SHOWN]],
            errors_truncated=job.error_count > ERRORS_SHOWN,
            count_lines=[(str(label), job.counts.get(key, 0)) for key, label in spec.count_labels.items()],
        )
        context["column_warnings"] = sum(1 for c in context["columns"] if c["warning"])
        # A spec may add lines of its own under the counts (usage: the rows for unknown SIMs).
        context["notes"] = spec.notes(job) if hasattr(spec, "notes") and not context["running"] else []
        return context


class JobActionView(JobMixin, View):
    """POST-only actions on a job; each calls one service and redirects back to the job."""

    allowed_roles = UPLOAD_ROLES
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        job = self.get_job()
        try:
            self.act(job, request)
        except services.ImportActionRefused as exc:
            messages.error(request, exc.message)
        except ReadError as exc:
            messages.error(request, exc.message)
        return redirect(job.get_absolute_url())


class ImportMappingView(JobActionView):
    """Save the column choices (remembered for the LA) and check every row."""

    def act(self, job, request):
        sheet = request.POST.get("sheet", "")
        if sheet and sheet != job.sheet_name and sheet in job.options.get("sheet_names", []):
            services.choose_sheet(job=job, user=request.user, sheet=sheet)
            messages.info(request, _("Now reading the sheet “%(sheet)s”. Check the columns, then check the file.") % {"sheet": sheet})
            return
        spec = get_spec(job.kind)
        mapping = {f.name: request.POST.get(f"map_{f.name}", "") for f in spec.fields}
        services.save_mapping(job=job, user=request.user, mapping=mapping)
        job.refresh_from_db()
        services.request_dry_run(job=job, user=request.user)


class ImportCommitView(JobActionView):
    def act(self, job, request):
        job = services.request_commit(job=job, user=request.user)
        if job.status == ImportJob.Status.DONE:
            messages.success(request, job.message or _("Imported."))


class ImportRetryView(JobActionView):
    def act(self, job, request):
        services.retry(job=job, user=request.user)


class ImportErrorsView(JobMixin, View):
    """The uploaded sheet as XLSX with an "Errors" column added."""

    def get(self, request, *args, **kwargs):
        job = self.get_job()
        if not job.errors:
            raise Http404
        tmp = tempfile.NamedTemporaryFile(suffix=".xlsx")
        try:
            services.write_errors_workbook(job, tmp.name)
        except (ReadError, OSError):
            tmp.close()
            messages.error(request, _("The uploaded file is no longer stored, so the errors cannot be added to it."))
            return redirect(job.get_absolute_url())
        tmp.seek(0)
        base = job.file_name.rsplit(".", 1)[0] or "import"
        return FileResponse(
            tmp,
            as_attachment=True,
            filename=f"{get_valid_filename(base)}-errors.xlsx",
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


class ImportTemplateView(RoleRequiredMixin, View):
    """``?kind=delivery``: a blank XLSX with the kind's columns and what each accepts."""

    allowed_roles = UPLOAD_ROLES

    def get(self, request):
        from django.http import HttpResponse

        from core.imports.blank import template_workbook

        spec = get_spec_or_404(request.GET.get("kind", ""))
        response = HttpResponse(
            template_workbook(spec), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="{spec.kind}-template.xlsx"'
        return response

