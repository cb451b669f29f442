"""Stocktakes: count what is on the shelf against what the records say should be there.

A ``Stocktake`` is of one school's cupboard or of an LA's store room (``school`` empty). When it
starts, the devices expected there are copied into ``StocktakeItem`` rows (the snapshot:
``expected=True``); each scan marks one item found, or adds an unexpected item. Its status moves
only through ``stocktakes.services`` (``MOVES``): open, then closed, and a closed stocktake is
kept as its report and never reopened.
"""

import re

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import ScopedQuerySet

_SPACE = re.compile(r"\s+")


def normalise_code(raw):
    """A scanned or typed code as it is matched: whitespace removed, upper case.

    Serials are stored trimmed and upper-cased (``Device.save``), IMEIs are digits, and asset
    tags are compared the same way, so ``" ab 12-3 "`` matches ``AB12-3``."""
    return _SPACE.sub("", raw or "").upper()


class StocktakeQuerySet(ScopedQuerySet):
    scope_la_field = "local_authority"
    scope_school_field = "school"

    def open(self):
        return self.filter(status=Stocktake.Status.OPEN)

    def closed(self):
        return self.filter(status=Stocktake.Status.CLOSED)

    def with_counts(self):
        """Annotate ``n_expected``, ``n_found``, ``n_missing``, ``n_unexpected`` in one query."""
        return self.annotate(
            n_expected=Count("items", filter=Q(items__expected=True)),
            n_found=Count("items", filter=Q(items__expected=True, items__found_at__isnull=False)),
            n_missing=Count("items", filter=Q(items__expected=True, items__found_at__isnull=True)),
            n_unexpected=Count("items", filter=Q(items__expected=False)),
        )


class Stocktake(models.Model):
    """One count of the devices at a school, or in an LA's store room (no school)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    local_authority = models.ForeignKey(
        "accounts.LocalAuthority", on_delete=models.PROTECT, related_name="stocktakes", verbose_name=_("local authority")
    )
    school = models.ForeignKey(
        "accounts.School", on_delete=models.PROTECT, null=True, blank=True, related_name="stocktakes", verbose_name=_("school")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    started_at = models.DateTimeField(_("started"))
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("started by")
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("closed by")
    )
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    objects = StocktakeQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("stocktake")
        verbose_name_plural = _("stocktakes")
        indexes = [models.Index(fields=["school", "status", "closed_at"]), models.Index(fields=["local_authority", "-started_at"])]
        constraints = [
            # One open stocktake per place at a time: two would split the same shelf's scans.
            models.UniqueConstraint(
                fields=["local_authority", "school"], condition=Q(status="open"), name="one_open_stocktake_per_school"
            ),
            models.UniqueConstraint(
                fields=["local_authority"], condition=Q(status="open", school__isnull=True), name="one_open_store_room_stocktake"
            ),
            models.CheckConstraint(
                name="stocktake_closed_has_time", condition=Q(status="open") | Q(closed_at__isnull=False)
            ),
        ]

    def __str__(self):
        return _("Stocktake of %(place)s, started %(date)s") % {
            "place": self.place_name,
            "date": formats.date_format(timezone.localtime(self.started_at), "j F Y"),
        }

    @property
    def place_name(self):
        if self.school_id:
            return self.school.name
        return _("the %(la)s store room") % {"la": self.local_authority.name}

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    def get_absolute_url(self):
        return reverse("stocktakes:stocktake_detail", args=[self.pk])


class StocktakeItemQuerySet(ScopedQuerySet):
    scope_la_field = "stocktake__local_authority"
    scope_school_field = "stocktake__school"

    def counts(self):
        """``n_expected``, ``n_found``, ``n_missing``, ``n_unexpected`` of these lines: one
        aggregate, read from the (stocktake, expected, found_at) index without the table."""
        return self.aggregate(
            n_expected=Count("pk", filter=Q(expected=True)),
            n_found=Count("pk", filter=Q(expected=True, found_at__isnull=False)),
            n_missing=Count("pk", filter=Q(expected=True, found_at__isnull=True)),
            n_unexpected=Count("pk", filter=Q(expected=False)),
        )

    def found(self):
        return self.filter(expected=True, found_at__isnull=False)

    def missing(self):
        return self.filter(expected=True, found_at__isnull=True)

    def unexpected(self):
        return self.filter(expected=False)


class StocktakeItem(models.Model):
    """One line of a stocktake: an expected device (the snapshot taken at the start), found or
    not, or a code scanned that matched nothing expected (``expected=False``).

    ``code`` is the matching key: the expected device's serial, or the unexpected code
    normalised (``normalise_code``). ``imei`` and ``asset_tag`` are the other keys a scanner may
    read, normalised too. The serial, kind, make and model are copied so the report stays as it
    was when the device later moves or changes. ``device`` is empty for a code that matched no
    device the scanner may see: nothing about such a device is stored or shown."""

    class State(models.TextChoices):
        FOUND = "found", _("Found")
        MISSING = "missing", _("Missing")
        UNEXPECTED = "unexpected", _("Unexpected")

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="items", verbose_name=_("stocktake"))
    device = models.ForeignKey(
        "devices.Device", on_delete=models.SET_NULL, null=True, blank=True, related_name="stocktake_items", verbose_name=_("device")
    )
    expected = models.BooleanField(_("expected"), default=True)
    code = models.CharField(_("code"), max_length=60)
    imei = models.CharField(_("IMEI"), max_length=15, blank=True)
    asset_tag = models.CharField(_("asset tag"), max_length=40, blank=True)
    description = models.CharField(_("device"), max_length=200, blank=True)
    status_at_start = models.CharField(_("status at the start"), max_length=24, blank=True)
    found_at = models.DateTimeField(_("found"), null=True, blank=True)
    found_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("found by")
    )
    scans = models.PositiveIntegerField(_("times scanned"), default=0)

    objects = StocktakeItemQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("stocktake item")
        verbose_name_plural = _("stocktake items")
        indexes = [
            models.Index(fields=["stocktake", "imei"]),
            models.Index(fields=["stocktake", "asset_tag"]),
            models.Index(fields=["device", "-found_at"]),
            models.Index(fields=["stocktake", "expected", "found_at"]),
        ]
        constraints = [
            # A code is one line of a stocktake, however many people scan it at once: the loser
            # of an insert race gets an IntegrityError and counts the scan as a duplicate.
            models.UniqueConstraint(fields=["stocktake", "code"], name="one_item_per_code"),
            models.UniqueConstraint(
                fields=["stocktake", "device"], condition=Q(device__isnull=False), name="one_item_per_device"
            ),
        ]

    def __str__(self):
        return self.code

    @property
    def state(self):
        if not self.expected:
            return self.State.UNEXPECTED
        return self.State.FOUND if self.found_at else self.State.MISSING


class StocktakeScanQuerySet(ScopedQuerySet):
    scope_la_field = "stocktake__local_authority"
    scope_school_field = "stocktake__school"


class StocktakeScan(models.Model):
    """Each scan or typed code, as it came, and what it was taken to be: the audit trail of
    a stocktake (who scanned what, when; duplicates kept, never counted twice)."""

    class Result(models.TextChoices):
        FOUND = "found", _("Found")
        DUPLICATE = "duplicate", _("Already scanned")
        UNEXPECTED = "unexpected", _("Unexpected")

    stocktake = models.ForeignKey(Stocktake, on_delete=models.CASCADE, related_name="scan_log", verbose_name=_("stocktake"))
    item = models.ForeignKey(StocktakeItem, on_delete=models.CASCADE, related_name="scan_log", verbose_name=_("item"))
    typed = models.CharField(_("as scanned"), max_length=60)
    result = models.CharField(_("result"), max_length=12, choices=Result.choices)
    at = models.DateTimeField(_("at"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = StocktakeScanQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("stocktake scan")
        verbose_name_plural = _("stocktake scans")
