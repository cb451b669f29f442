"""Self-help guides a family reads on /help/ before the ticket form, a text per language, and
an anonymous record of each reading.

Guides are public content, the same for every LA: ``GuideQuerySet.visible_to`` lets every
signed-in user see every guide (who may *edit* is a role rule on the views) and anonymous
visitors see published guides. A ``GuideText`` holds one language's title, summary and steps
as plain text (one step a line, rendered escaped: editors cannot inject HTML). A
``GuideReading`` holds no personal data: the guide, the page language, the family's answer to
"Did this solve it?" and whether a ticket followed in the same browser session.
Writes go through ``guides.services``.
"""

import re

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from core.scoping import ScopedQuerySet
from devices.models import DeviceKind
from support.models import Category


class Problem(models.TextChoices):
    """The problems families actually have, in their words. Each maps to a ticket category."""

    SIGN_IN = "sign_in", _("I cannot sign in")
    PASSWORD = "password", _("I forgot my password")
    WIFI = "wifi", _("Wi-Fi or router set-up")
    DATA = "data", _("The internet data has run out")
    CHARGER = "charger", _("It will not charge or turn on")
    SCREEN = "screen", _("The screen is broken")
    LOST = "lost", _("The device is lost or stolen")


#: The ticket category the form is pre-filled with when a guide did not solve the problem.
PROBLEM_CATEGORY = {
    Problem.SIGN_IN: Category.SOFTWARE,
    Problem.PASSWORD: Category.SOFTWARE,
    Problem.WIFI: Category.NO_INTERNET,
    Problem.DATA: Category.NO_INTERNET,
    Problem.CHARGER: Category.HARDWARE,
    Problem.SCREEN: Category.DAMAGE,
    Problem.LOST: Category.LOST_STOLEN,
}

#: What the family picks ("a laptop or tablet", "a 4G router") -> the device kinds it covers.
DEVICE_CHOICE_KINDS = {
    "computer": (DeviceKind.LAPTOP, DeviceKind.TABLET),
    "router": (DeviceKind.ROUTER,),
    "": (),
}

STEP_NUMBER = re.compile(r"^\s*\d+[.)]\s*")


def language_codes():
    """The languages of ``settings.LANGUAGES``, English first."""
    return [code for code, _name in settings.LANGUAGES]


class GuideQuerySet(ScopedQuerySet):
    #: Guides belong to no LA or school: every row is public content. Read by the access
    #: walker (core/tests/access.py), which then treats every guide as in everyone's scope.
    public_rows = True

    def visible_to(self, user):
        """Every guide for a signed-in, active user; published guides for anyone else."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.published()
        return self.all()

    def published(self):
        return self.filter(is_published=True)

    def for_choice(self, *, problem, kinds=(), make="", model=""):
        """Published guides for a problem on a device: guides written for this make and model
        when there are any, else the general guides for the kind (or for any device)."""
        qs = self.published().filter(problem=problem)
        if kinds:
            qs = qs.filter(Q(device_kind__in=kinds) | Q(device_kind=""))
        if make and model:
            specific = list(qs.filter(device_make__iexact=make, device_model__iexact=model).order_by("order", "pk"))
            if specific:
                return specific
        return list(qs.filter(device_model="").order_by("order", "pk"))


class Guide(models.Model):
    """One self-help guide: the problem it answers, optionally for one device kind or one
    make and model. Guarantees: ``slug`` is unique; ``problem`` maps to a ticket category."""

    slug = models.SlugField(_("short name"), max_length=60, unique=True, help_text=_("Used in the guide's web address."))
    problem = models.CharField(_("problem"), max_length=20, choices=Problem.choices)
    device_kind = models.CharField(
        _("device kind"), max_length=10, choices=DeviceKind.choices, blank=True, help_text=_("Leave empty for every kind of device.")
    )
    device_make = models.CharField(_("device make"), max_length=60, blank=True, help_text=_("Only for a guide written for one model."))
    device_model = models.CharField(_("device model"), max_length=100, blank=True, help_text=_("Only for a guide written for one model."))
    is_published = models.BooleanField(_("published"), default=True)
    order = models.PositiveSmallIntegerField(_("order"), default=100)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    history = HistoricalRecords()
    objects = GuideQuerySet.as_manager()

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("guide")
        verbose_name_plural = _("guides")
        indexes = [models.Index(fields=["problem", "is_published"])]
        constraints = [
            models.CheckConstraint(
                name="guide_model_needs_make", condition=Q(device_model="") | ~Q(device_make="")
            ),
        ]

    def __str__(self):
        return self.slug

    def get_absolute_url(self):
        return reverse("guides:guide_detail", args=[self.pk])

    @property
    def category(self):
        return PROBLEM_CATEGORY.get(self.problem, Category.OTHER)

    @property
    def device_label(self):
        if self.device_model:
            return f"{self.device_make} {self.device_model}".strip()
        return self.get_device_kind_display() or _("Any device")


class GuideText(models.Model):
    """One language's text of a guide. ``body`` is plain text, one step a line.

    ``updated_at`` moves only when the text is saved, so an English text newer than a
    translation marks that translation as stale (it may not say the same any more)."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="texts", verbose_name=_("guide"))
    language = models.CharField(_("language"), max_length=8)
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300, blank=True)
    body = models.TextField(_("steps"), help_text=_("One step a line. Plain text only."))
    updated_at = models.DateTimeField(_("last changed"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("changed by")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["guide", "language"]
        verbose_name = _("guide text")
        verbose_name_plural = _("guide texts")
        constraints = [models.UniqueConstraint(fields=["guide", "language"], name="guide_text_once_per_language")]

    def __str__(self):
        return f"{self.guide.slug} ({self.language})"

    @property
    def steps(self):
        """The body's non-empty lines, any typed numbering ("1.", "2)") removed."""
        return [STEP_NUMBER.sub("", line).strip() for line in self.body.splitlines() if line.strip()]


class Helped(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    NO_ANSWER = "", _("No answer")


class GuideReadingQuerySet(models.QuerySet):
    def figures_by_guide(self):
        """{guide_id: {readings, helped_yes, helped_no, no_ticket}} in one query."""
        rows = self.values("guide_id").annotate(
            readings=Count("pk"),
            helped_yes=Count("pk", filter=Q(helped=Helped.YES)),
            helped_no=Count("pk", filter=Q(helped=Helped.NO)),
            no_ticket=Count("pk", filter=Q(ticket_raised=False)),
        ).order_by()
        return {row.pop("guide_id"): row for row in rows}


class GuideReading(models.Model):
    """A family read a guide. No personal data: no name, address, device or session key."""

    guide = models.ForeignKey(Guide, on_delete=models.CASCADE, related_name="readings", verbose_name=_("guide"))
    language = models.CharField(_("language"), max_length=8)
    helped = models.CharField(_("did it help"), max_length=3, choices=Helped.choices, blank=True, default="")
    ticket_raised = models.BooleanField(_("raised a ticket afterwards"), default=False)
    read_at = models.DateTimeField(_("read"), default=timezone.now, db_index=True)

    objects = GuideReadingQuerySet.as_manager()

    class Meta:
        ordering = ["-read_at", "-pk"]
        verbose_name = _("guide reading")
        verbose_name_plural = _("guide readings")
        indexes = [models.Index(fields=["guide", "read_at"])]

    def __str__(self):
        return f"{self.guide_id} {self.language} {self.read_at:%d/%m/%Y %H:%M}"
