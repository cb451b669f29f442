"""Guide pages: the family's self-help step on /help/<lang>/ (no account, in the page's
language) and the staff pages to write, translate and measure guides.

Views parse input, call ``guides.services`` or a queryset, and render.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView, View

from core.views import ObjectCreateView, ObjectDetailView, ObjectListView, ObjectUpdateView, RoleRequiredMixin, ScopedQuerysetMixin
from guides import services
from guides.coverage import coverage
from guides.filters import GuideFilterSet
from guides.forms import AnswerForm, GuideForm, GuideTextForm, StartForm
from guides.models import DEVICE_CHOICE_KINDS, Guide, GuideReading, GuideText, Helped
from guides.tables import GuideTable
from support.views import FamilyLanguageMixin

EDITOR_ROLES = ("support_agent", "admin")


def _serial(request):
    return (request.GET.get("serial") or request.POST.get("serial") or "").strip()[:60]


def _help_form_url(lang, *, category="", serial=""):
    query = {k: v for k, v in (("category", category), ("serial", serial)) if v}
    url = reverse("support:help_form", args=[lang])
    return f"{url}?{urlencode(query)}" if query else url


def _with_serial(url, serial):
    return f"{url}?{urlencode({'serial': serial})}" if serial else url


def _texts_for(guides, language):
    """{guide_id: (text, is_fallback)}: the page language's text, else the English one."""
    wanted = {language, "en"}
    found = {}
    for text in GuideText.objects.filter(guide__in=[g.pk for g in guides], language__in=wanted):
        found.setdefault(text.guide_id, {})[text.language] = text
    result = {}
    for guide in guides:
        texts = found.get(guide.pk, {})
        if language in texts:
            result[guide.pk] = (texts[language], False)
        elif "en" in texts:
            result[guide.pk] = (texts["en"], language != "en")
    return result


# Family pages (no account) ----------------------------------------------------------------


class FamilyPageMixin(FamilyLanguageMixin):
    def page_language(self, request, **kwargs):
        return kwargs["lang"]


class StartView(FamilyPageMixin, TemplateView):
    """/help/<lang>/start/: "What do you need help with?" -> the guides for that choice.

    The choice is sent by GET. A serial from the device's QR code picks guides written for the
    device's make and model; the page never shows anything about the device itself."""

    template_name = "guides/start.html"

    def get(self, request, *args, **kwargs):
        serial = _serial(request)
        if "problem" not in request.GET:
            return self.render_to_response(self.get_context_data(form=StartForm(initial={"serial": serial})))
        form = StartForm(request.GET)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        guides = self.guides_for(form.cleaned_data["problem"], form.cleaned_data["device"], serial)
        if not guides:
            from guides.models import PROBLEM_CATEGORY

            return redirect(_help_form_url(self.language, category=PROBLEM_CATEGORY[form.cleaned_data["problem"]], serial=serial))
        if len(guides) == 1:
            return redirect(_with_serial(reverse("guides:guide", args=[self.language, guides[0].slug]), serial))
        texts = _texts_for(guides, self.language)
        choices = [
            {"guide": g, "text": texts[g.pk][0], "fallback": texts[g.pk][1],
             "url": _with_serial(reverse("guides:guide", args=[self.language, g.slug]), serial)}
            for g in guides if g.pk in texts
        ]
        return render(request, "guides/choose.html", {
            "title": _("Guides that may help"), "choices": choices,
            "form_url": _help_form_url(self.language, category=guides[0].category, serial=serial),
        })

    def guides_for(self, problem, device_choice, serial):
        from devices.models import Device

        kinds, make, model = DEVICE_CHOICE_KINDS.get(device_choice, ()), "", ""
        device = Device.objects.filter(serial=serial.upper()).values("kind", "make", "model").first() if serial else None
        if device:
            # A tablet gets the laptop-or-tablet guides, as if the family had picked that.
            kinds = next((k for k in DEVICE_CHOICE_KINDS.values() if device["kind"] in k), (device["kind"],))
            make, model = device["make"], device["model"]
        return Guide.objects.for_choice(problem=problem, kinds=kinds, make=make, model=model)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["title"] = _("Get help with a device")
        context["form_url"] = _help_form_url(self.language, serial=_serial(self.request))
        return context


class GuideView(FamilyPageMixin, View):
    """/help/<lang>/guides/<slug>/: one guide in the page language (English, marked as such,
    when there is no translation), then "Did this solve it?"."""

    model = Guide
    slug_url_kwarg = "slug"
    template_name = "guides/guide.html"

    def get_guide(self):
        guide = get_object_or_404(Guide.objects.published(), slug=self.kwargs["slug"])
        text, fallback = _texts_for([guide], self.language).get(guide.pk, (None, False))
        if text is None:
            raise Http404
        return guide, text, fallback

    def get(self, request, lang, slug):
        guide, text, fallback = self.get_guide()
        if not request.user.is_authenticated:  # families have no account; staff previews do not count
            services.record_reading(request=request, guide=guide, language=self.language)
        return self.render(guide, text, fallback, AnswerForm(initial={"serial": _serial(request)}))

    def post(self, request, lang, slug):
        guide, text, fallback = self.get_guide()
        form = AnswerForm(request.POST)
        if not form.is_valid():
            return self.render(guide, text, fallback, form, status=400)
        serial = form.cleaned_data["serial"].strip()
        services.record_answer(request=request, guide=guide, language=self.language, helped=form.cleaned_data["helped"])
        if form.cleaned_data["helped"] == Helped.YES:
            return redirect(reverse("guides:solved", args=[self.language, guide.slug]))
        return redirect(_help_form_url(self.language, category=guide.category, serial=serial))

    def render(self, guide, text, fallback, form, status=200):
        context = {
            "title": text.title, "guide": guide, "text": text, "fallback": fallback, "form": form,
            "serial": _serial(self.request),
        }
        return render(self.request, self.template_name, context, status=status)


class SolvedView(FamilyPageMixin, TemplateView):
    """The thank-you page after "Yes, this solved it"."""

    model = Guide
    slug_url_kwarg = "slug"
    template_name = "guides/solved.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        get_object_or_404(Guide.objects.published(), slug=kwargs["slug"])
        context["title"] = _("We are glad it is working")
        return context


# Staff pages ------------------------------------------------------------------------------


class GuideListView(ObjectListView):
    model = Guide
    table_class = GuideTable
    filterset_class = GuideFilterSet
    allowed_roles = EDITOR_ROLES
    title = gettext_lazy("Guides")
    create_url_name = "guides:guide_create"
    export_name = "guides"
    template_name = "guides/guide_list.html"

    def get_queryset(self):
        # Texts in languages the service offers (content may exist for languages not yet enabled).
        in_use = Q(texts__language__in=[code for code, _name in settings.LANGUAGES])
        return super().get_queryset().annotate(text_count=Count("texts", filter=in_use, distinct=True)).order_by("order", "slug")


class GuideDetailView(ObjectDetailView):
    """One guide: every language's status (translated, missing, stale) and its readings."""

    model = Guide
    allowed_roles = EDITOR_ROLES
    template_name = "guides/guide_detail.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related(Prefetch("texts", queryset=GuideText.objects.select_related("updated_by")))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        guide = self.object
        report = coverage([guide], texts=guide.texts.all())
        context.update(
            title=str(guide), languages=report["rows"][0]["cells"] if report["rows"] else [],
            figures=GuideReading.objects.filter(guide=guide).figures_by_guide().get(guide.pk, {}),
        )
        return context


class GuideCreateView(ObjectCreateView):
    model = Guide
    form_class = GuideForm
    allowed_roles = EDITOR_ROLES
    title = gettext_lazy("Add a guide")

    def save(self, form):
        return services.create_guide(by=self.request.user, **form.cleaned_data)

    def form_valid(self, form):
        try:
            self.object = self.save(form)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Guide added. Now write its English text."))
        return redirect(reverse("guides:text_edit", args=[self.object.pk, "en"]))


class GuideUpdateView(ObjectUpdateView):
    model = Guide
    form_class = GuideForm
    allowed_roles = EDITOR_ROLES
    title = gettext_lazy("Change a guide")

    def save(self, form):
        guide = Guide.objects.get(pk=self.object.pk)
        return services.update_guide(guide=guide, by=self.request.user, **form.cleaned_data)


class GuideTextEditView(RoleRequiredMixin, ScopedQuerysetMixin, FormView):
    """/guides/<pk>/text/<lang>/: write one language's text, with the English beside it."""

    model = Guide
    allowed_roles = EDITOR_ROLES
    form_class = GuideTextForm
    template_name = "guides/text_form.html"

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return super().dispatch(request, *args, **kwargs)
        self.language = kwargs["lang"]
        if self.language not in dict(settings.LANGUAGES):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_guide(self):
        if not hasattr(self, "guide"):
            self.guide = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
            texts = {t.language: t for t in GuideText.objects.filter(guide=self.guide, language__in={"en", self.language})}
            self.text, self.english = texts.get(self.language), texts.get("en")
        return self.guide

    def get_form_kwargs(self):
        self.get_guide()
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.text
        return kwargs

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        direction = "rtl" if self.language in settings.LANGUAGES_BIDI else "ltr"
        for field in form.fields.values():
            field.widget.attrs.update(lang=self.language, dir=direction)
        return form

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.save_text(guide=self.guide, language=self.language, by=self.request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Text saved."))
        return redirect(self.guide.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        name = dict(settings.LANGUAGES)[self.language]
        context.update(
            guide=self.guide, english=self.english if self.language != "en" else None, language=self.language,
            language_name=name, title=_("%(guide)s in %(language)s") % {"guide": self.guide, "language": name},
        )
        return context


class CoverageView(RoleRequiredMixin, TemplateView):
    """Translation coverage (guides x languages) and what families did after reading."""

    allowed_roles = EDITOR_ROLES
    template_name = "guides/coverage.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        guides = list(Guide.objects.visible_to(self.request.user).order_by("order", "slug"))
        figures = GuideReading.objects.filter(guide__in=[g.pk for g in guides]).figures_by_guide()
        context.update(
            title=_("Guide coverage"), report=coverage(guides),
            figures=[{"guide": g, **figures.get(g.pk, {"readings": 0, "helped_yes": 0, "helped_no": 0, "no_ticket": 0})} for g in guides],
        )
        return context
