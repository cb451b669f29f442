"""Reports' own rows: schools' estimates of need not yet named, and API tokens.

Everything else in reports is SQL aggregation over the other apps' tables (``reports.figures``).
"""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import ScopedQuerySet
from devices.models import DeviceKind


class NeedEstimateQuerySet(ScopedQuerySet):
    scope_la_field = "school__local_authority"
    scope_school_field = "school"


class NeedEstimate(models.Model):
    """A school's estimate of children who need a device but are not yet named to the LA.

    Counts towards need in the shortfall figures alongside named children with a need flag.
    The latest estimate per school and device kind is the one that counts (``reports.figures``),
    so a school revises its estimate by adding a new one; older ones remain as history.
    """

    school = models.ForeignKey("accounts.School", on_delete=models.CASCADE, related_name="need_estimates", verbose_name=_("school"))
    kind = models.CharField(_("device kind"), max_length=10, choices=DeviceKind.choices, default=DeviceKind.LAPTOP)
    count = models.PositiveIntegerField(_("children"), help_text=_("Children who need this kind of device and are not yet named."))
    estimated_on = models.DateField(_("estimated on"), default=timezone.localdate)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()
    objects = NeedEstimateQuerySet.as_manager()

    class Meta:
        ordering = ["-estimated_on", "-pk"]
        verbose_name = _("need estimate")
        verbose_name_plural = _("need estimates")
        indexes = [models.Index(fields=["school", "kind", "-estimated_on"])]
        constraints = [models.CheckConstraint(name="need_estimate_count_reasonable", condition=models.Q(count__lte=100000))]

    def __str__(self):
        return f"{self.school.name}: {self.count} × {self.get_kind_display()} ({self.estimated_on:%d/%m/%Y})"

    def get_absolute_url(self):
        return reverse("reports:need_estimate_list")


class ApiTokenQuerySet(ScopedQuerySet):
    # Tokens tied to an LA are visible to that LA's officers; others to admins only.
    scope_la_field = "local_authority"
    scope_school_field = None

    def active(self):
        return self.filter(revoked_at__isnull=True)


def hash_token(raw):
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


class ApiToken(models.Model):
    """A bearer token for a supplier or network operator's systems.

    Only the SHA-256 of the token is stored; the token itself is shown once, when it is
    created (``reports.services.create_api_token``). A supplier token may post delivery
    manifest rows (for its own LA when ``local_authority`` is set); an operator token may post
    usage readings for SIMs on its own network only. A revoked token is refused.
    """

    class Kind(models.TextChoices):
        SUPPLIER = "supplier", _("Supplier: posts delivery manifests")
        OPERATOR = "operator", _("Network operator: posts data usage")

    PREFIX_LENGTH = 8

    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, for example “Computacenter deliveries”."))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    supplier_name = models.CharField(_("supplier"), max_length=100, blank=True)
    network_operator = models.ForeignKey(
        "connectivity.NetworkOperator", on_delete=models.PROTECT, null=True, blank=True, related_name="api_tokens", verbose_name=_("network operator")
    )
    local_authority = models.ForeignKey(
        "accounts.LocalAuthority", on_delete=models.PROTECT, null=True, blank=True, related_name="api_tokens",
        verbose_name=_("local authority"), help_text=_("Limit a supplier token to deliveries for this LA."),
    )
    prefix = models.CharField(_("token starts"), max_length=PREFIX_LENGTH, db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    history = HistoricalRecords(excluded_fields=["token_hash"])
    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        constraints = [
            models.CheckConstraint(
                name="operator_token_has_operator",
                condition=~models.Q(kind="operator") | models.Q(network_operator__isnull=False),
            ),
            models.CheckConstraint(
                name="supplier_token_has_supplier",
                condition=~models.Q(kind="supplier") | ~models.Q(supplier_name=""),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    def get_absolute_url(self):
        return reverse("reports:token_detail", args=[self.pk])

    @property
    def organisation(self):
        if self.kind == self.Kind.OPERATOR and self.network_operator_id:
            return str(self.network_operator)
        return self.supplier_name

    @property
    def is_active(self):
        return self.revoked_at is None

    @staticmethod
    def generate():
        """A new raw token: ``dfc_`` and 40 URL-safe random characters."""
        return "dfc_" + secrets.token_urlsafe(30)


# --- Summary tables (reports/summaries.py) ----------------------------------------------------
#
# Counts kept by database triggers so the national figures read a few thousand rows instead of
# millions. Each table is a *ledger*: triggers only ever append signed deltas (``n`` is +k or
# -k), so concurrent writers never wait on each other's summary rows; the figure is
# ``SUM(n)`` per key, and ``summaries.compact()`` (the scheduler, every few minutes) folds each
# key's deltas into one row. No foreign keys: these rows are derived, rebuilt from the source
# tables by ``manage.py rebuild_summaries``. Python never writes them except there.


class LaCount(models.Model):
    """A summary row: ``n`` things in one LA, keyed by the concrete table's other columns."""

    local_authority_id = models.BigIntegerField()
    n = models.BigIntegerField()

    class Meta:
        abstract = True


class ChildFlagsCount(LaCount):
    """``n`` children (not anonymised) with one combination of their need and device flags."""

    needs_laptop = models.BooleanField()
    needs_connectivity = models.BooleanField()
    has_active_laptop = models.BooleanField()
    laptop_handed_over = models.BooleanField()
    has_data = models.BooleanField()

    class Meta:
        abstract = True


class DeviceCount(LaCount):
    """Devices per LA, kind and status (every device, in service or not)."""

    kind = models.CharField(max_length=10)
    status = models.CharField(max_length=24)

    class Meta:
        indexes = [models.Index(fields=["local_authority_id", "kind", "status"])]


class ChildCount(ChildFlagsCount):
    """Children (not anonymised) per LA and combination of their need and device flags."""

    class Meta:
        indexes = [models.Index(fields=["local_authority_id"])]


class HorizonCount(LaCount):
    """Devices in service per LA and horizon terms (``devices.horizon``): ``start_month`` (month
    index of handover, else delivery; -1: neither known, i.e. this month), ``licence_month``
    (the first month after the last licence's end; with ``licence_default`` the month of
    delivery, the DfE default cover being added when read; -1: no date, this month),
    ``data_month`` (the first month after the last plan's end; -1: no plan) and
    ``needs_data``."""

    start_month = models.IntegerField()
    licence_month = models.IntegerField()
    licence_default = models.BooleanField()
    data_month = models.IntegerField()
    needs_data = models.BooleanField()

    class Meta:
        indexes = [models.Index(fields=["local_authority_id"])]


class SummaryState(models.Model):
    """One row: the date ``Child.has_data`` is computed for (``summaries.roll_data_date``)."""

    data_date = models.DateField(null=True)


class SchoolDeviceCount(LaCount):
    """Devices per LA, school (0: not at a school), kind and status."""

    school_id = models.BigIntegerField()
    kind = models.CharField(max_length=10)
    status = models.CharField(max_length=24)

    class Meta:
        indexes = [models.Index(fields=["local_authority_id"])]


class SchoolChildCount(ChildFlagsCount):
    """Children (not anonymised) per LA, school and combination of need and device flags."""

    school_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["local_authority_id"])]
