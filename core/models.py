"""Shared infrastructure rows: spreadsheet import jobs and remembered column mappings.

The import engine (``core.imports``) serves every import in the product (deliveries,
allocations, usage, licences); each job is one upload, checked by a dry run and then
committed all-or-nothing.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import ScopedQuerySet


class ImportJobQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = None


class ImportJob(models.Model):
    """One uploaded spreadsheet: who, what, the dry-run result, errors, progress, outcome."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery", _("Delivery manifest")
        ALLOCATIONS = "allocations", _("Allocations")
        USAGE = "usage", _("Data usage")
        LICENCES = "licences", _("Licences")
        # --- connection plans
        VOUCHERS = "vouchers", _("Data bank vouchers")

        # --- requests: the council's and school's side
        FAMILY_DATA = "family_data", _("Extra data on families' own phones")

    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Uploaded")
        VALIDATING = "validating", _("Checking")
        INVALID = "invalid", _("Has errors")
        VALID = "valid", _("Ready to import")
        COMMITTING = "committing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    local_authority = models.ForeignKey(
        "accounts.LocalAuthority", on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("local authority")
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by"))
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=300)
    file_name = models.CharField(_("file name"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    options = models.JSONField(default=dict, blank=True)  # operator, mapping, etc.
    mapping = models.JSONField(default=dict, blank=True)  # field -> column header
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.UPLOADED)
    validated_sha256 = models.CharField(max_length=64, blank=True)
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)  # [{"row": N, "column": "...", "message": "..."}]
    error_count = models.PositiveIntegerField(_("errors"), default=0)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(default=0)
    message = models.TextField(blank=True)
    # Background runs: the task's id, a token that only the latest run may use (a retried job's
    # old task finds its token stale and stops) and the time the running task last reported.
    task_id = models.CharField(max_length=64, blank=True)
    run_token = models.CharField(max_length=32, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self):
        return f"{self.get_kind_display()}: {self.file_name}"

    def get_absolute_url(self):
        return reverse("core:import_detail", args=[self.pk])

    @property
    def progress_percent(self):
        return int(100 * self.rows_done / self.total_rows) if self.total_rows else 0


class ColumnMappingQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"


class ColumnMapping(models.Model):
    """The column mapping an LA last confirmed for a kind of import, reused next time."""

    local_authority = models.ForeignKey("accounts.LocalAuthority", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=ImportJob.Kind.choices)
    mapping = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()
    objects = ColumnMappingQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["local_authority", "kind"], name="one_mapping_per_la_kind")]


class ScheduledJob(models.Model):
    """When a periodic job (``core.scheduler``) was last enqueued, last finished and last
    finished without an error; ``first_seen_at`` is the baseline for a job that has never
    succeeded (a job overdue since then raises an alert: ``core.scheduler.overdue``)."""

    name = models.CharField(_("job"), max_length=60, unique=True)
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_enqueued_at = models.DateTimeField(_("last queued"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_succeeded_at = models.DateTimeField(_("last succeeded"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("scheduled job")
        verbose_name_plural = _("scheduled jobs")

    def __str__(self):
        return self.name
