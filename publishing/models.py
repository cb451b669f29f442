"""Publications of London's suppressed figures to the London Datastore (DataPress).

A ``Publication`` is one attempt-series at publishing one period's files: the files themselves
(CSV, Table Schema, dataset metadata) are built once, when it is requested, and stored here, so
every retry sends exactly the same bytes and the record shows what left (with its SHA-256).

Publications belong to no LA: they hold only suppressed London-wide aggregates. Only the London
lead and administrators may see them (``PublicationQuerySet.visible_to``).
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet


class PublicationQuerySet(ScopedQuerySet):
    scope_la_field = None
    aggregate_visible_to_london = True

    def visible_to(self, user):
        """The London lead and administrators; nobody else (central support agents included)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser or user.role in ("admin", "london_lead"):
            return self.all()
        return self.none()

    def due_for_retry(self, now):
        return self.filter(status=Publication.Status.RETRYING, next_attempt_at__lte=now)


class Publication(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RETRYING = "retrying", _("Failed, will retry")
        PUBLISHED = "published", _("Published")
        FAILED = "failed", _("Failed")

    class What(models.TextChoices):
        LONDON_FIGURES = "london_figures", _("London figures (suppressed)")

    what = models.CharField(_("what"), max_length=30, choices=What.choices, default=What.LONDON_FIGURES)
    period = models.DateField(_("period"), help_text=_("First day of the month the figures are for."))
    as_at = models.DateField(_("figures as at"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.QUEUED, db_index=True)
    driver = models.CharField(_("driver"), max_length=20)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name=_("requested by"), help_text=_("Empty: the monthly schedule."),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    csv_text = models.TextField(_("CSV file"))
    schema_json = models.TextField(_("Table Schema"))
    metadata_json = models.TextField(_("dataset metadata"))
    csv_sha256 = models.CharField(_("CSV SHA-256"), max_length=64)
    schema_sha256 = models.CharField(_("schema SHA-256"), max_length=64)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    suppressed_cells = models.PositiveIntegerField(_("suppressed cells"), default=0)
    provider_answer = models.TextField(_("provider's answer"), blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    objects = PublicationQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at", "-pk"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self):
        return f"{self.get_what_display()} {self.period:%Y-%m}"

    def get_absolute_url(self):
        return reverse("publishing:publication_detail", args=[self.pk])

    @property
    def csv_filename(self):
        return f"london-devices-for-children-{self.period:%Y-%m}.csv"

    @property
    def schema_filename(self):
        return f"london-devices-for-children-{self.period:%Y-%m}.schema.json"
