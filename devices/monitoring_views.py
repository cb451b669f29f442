"""Pages for data usage upload, allowance monitoring, evidence, licences and the cliff edge.

Thin views: they parse input, call ``devices.usage`` / ``devices.monitoring`` /
``devices.horizon`` with the user's scope, and render.
"""

from django import forms
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.generic import FormView, RedirectView, TemplateView

from accounts.models import LocalAuthority, Role
from core.imports.readers import ReadError
from core.navigation_roles import LA_ROLES
from core.views import RoleRequiredMixin
from devices.horizon import add_months, cliff_edge, la_horizon
from devices.monitoring import evidence, likely_to_run_out
from devices.usage import operator_choices, parse_period
from devices.usage_imports import start_usage_import
from reports import definitions, published
from reports.suppression import hides_small_numbers

UPLOAD_ROLES = ("council_officer",)
RUNOUT_ROLES = ("council_officer", "cio", "support_agent", "school_staff")
EVIDENCE_ROLES = (*LA_ROLES, "london_lead")


class UsageUploadForm(forms.Form):
    operator = forms.ChoiceField(label=_("Network operator"), help_text=_("Whose file layout this is."))
    file = forms.FileField(label=_("Usage file (CSV or Excel)"), help_text=_("Columns: ICCID or mobile number, data used, month or date."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["operator"].choices = operator_choices()


class UsageUploadView(RoleRequiredMixin, FormView):
    """Upload an operator's usage file: stored as an import job whose dry run and commit run in
    the background worker (``devices.usage_imports``); the job page shows progress and errors.
    Only SIMs in the officer's scope are touched."""

    allowed_roles = UPLOAD_ROLES
    form_class = UsageUploadForm
    template_name = "devices/monitoring/usage_upload.html"

    def form_valid(self, form):
        try:
            job = start_usage_import(user=self.request.user, operator=form.cleaned_data["operator"], upload=form.cleaned_data["file"])
        except ReadError as exc:
            form.add_error("file", exc.message)
            return self.form_invalid(form)
        return redirect(job.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Upload data usage")
        return context


def _month_param(request):
    raw = request.GET.get("month", "")
    if raw:
        try:
            month, _granularity = parse_period(raw, month_column=True)
            return month
        except ValueError:
            pass
    return timezone.localdate().replace(day=1)


class RunoutView(RoleRequiredMixin, TemplateView):
    """Children and devices likely to run out of data this month, within the user's scope."""

    allowed_roles = RUNOUT_ROLES
    template_name = "devices/monitoring/runout.html"
    paginate_by = 50

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        month = _month_param(self.request)
        rows = likely_to_run_out(self.request.user, month)
        page = Paginator(rows, self.paginate_by).get_page(self.request.GET.get("page"))
        context.update(
            title=_("Likely to run out of data"),
            month=month,
            previous_month=add_months(month, -1),
            next_month=add_months(month, 1),
            page=page,
            total=len(rows),
            related=related_pages(self.request.user),
        )
        return context


def related_pages(user):
    """Links between the data-and-cover pages, limited to those the user's role may open."""
    role = "admin" if user.is_superuser else user.role
    pages = [
        ("devices:runout", _("Likely to run out of data"), RUNOUT_ROLES),
        ("devices:allowance_evidence", _("Allowance evidence"), EVIDENCE_ROLES),
        ("devices:cliff_edge", _("Three-year cover (cliff edge)"), EVIDENCE_ROLES),
        ("devices:usage_upload", _("Upload data usage"), UPLOAD_ROLES),
    ]
    return [(reverse(name), label) for name, label, roles in pages if role == "admin" or role in roles]


class LaChoiceMixin:
    """The LA a page is about: the user's own, or (users who see several) ``?la=<id>``."""

    def visible_las(self):
        """The LAs the user may see, as a list (one query)."""
        return list(LocalAuthority.objects.visible_to(self.request.user).order_by("name"))

    def chosen_la(self, las):
        by_pk = {la.pk: la for la in las}
        raw = self.request.GET.get("la", "")
        if raw:
            if not raw.isdigit() or int(raw) not in by_pk:
                raise Http404
            return by_pk[int(raw)]
        own = by_pk.get(self.request.user.local_authority_id)
        return own or (las[0] if las else None)


class EvidenceView(RoleRequiredMixin, LaChoiceMixin, TemplateView):
    """Per month, for one LA: the share of SIMs that used their whole allowance, median and
    90th percentile use. The case for a larger allowance. Small numbers are hidden by the one
    policy (``reports.suppression.hides_small_numbers``): in full for the LA's own staff."""

    allowed_roles = EVIDENCE_ROLES
    template_name = "devices/monitoring/evidence.html"
    months = 12

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        las = self.visible_las()
        la = self.chosen_la(las)
        this_month = timezone.localdate().replace(day=1)
        first = add_months(this_month, -(self.months - 1))
        rows = evidence([la.pk], first, this_month) if la else []
        context.update(
            title=_("Data allowance evidence"),
            la=la,
            las=las if len(las) > 1 else None,
            rows=published.evidence_rows(rows, self.request.user, [la.pk] if la else None),
            suppressed=la is not None and hides_small_numbers(self.request.user, [la.pk]),
            related=related_pages(self.request.user),
        )
        return context


class CliffEdgeView(RoleRequiredMixin, LaChoiceMixin, TemplateView):
    """The three-year horizon for one LA: devices losing cover per month, gaps and their cost;
    for users who see several LAs, a summary row per LA too. Registered figures
    (``reports.definitions``), small numbers hidden by the one policy."""

    allowed_roles = EVIDENCE_ROLES
    template_name = "devices/monitoring/cliff_edge.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        las = self.visible_las()
        la = self.chosen_la(las)
        user = self.request.user
        summary = total = None
        horizons = {}
        if len(las) > 1:
            # One pass of the cliff edge for every LA: the table of all of them and the chosen one.
            horizons = cliff_edge(today, la_ids=[item.pk for item in las])
            summary, total = published.cover_by_la(user, [item.pk for item in las], today, horizons=horizons)
        cover = months = None
        if la is not None:
            found = horizons.get(la.pk) if horizons else la_horizon(la, today)
            facts = definitions.Facts(definitions.Scope.for_la(la), today, horizon=definitions.as_horizon(found, today))
            cover = published.la_cover(facts, user)
            months = [(m, cover[f"m{i}"]) for i, m in enumerate(facts.horizon.months)]
        peak = max([n for _m, n in months or [] if isinstance(n, int)] or [0])
        context.update(
            title=_("Three-year cover: the cliff edge"),
            la=la,
            las=las if len(las) > 1 else None,
            cover=cover,
            months=months,
            summary=summary,
            total=total,
            suppressed=la is not None and hides_small_numbers(user, [la.pk]),
            peak=peak,
            related=related_pages(self.request.user),
        )
        return context


class LicenceUploadView(RoleRequiredMixin, RedirectView):
    """Licence files go through the shared import pages (kind ``licences``)."""

    allowed_roles = UPLOAD_ROLES

    def get_redirect_url(self, *args, **kwargs):
        return reverse("core:import_upload") + "?kind=licences"
