"""Form plumbing shared by every app: GOV.UK markup and scope-limited choices."""

import functools
from pathlib import Path

import django.forms
from django import forms
from django.forms.renderers import Jinja2 as Jinja2Renderer
from django.forms.renderers import TemplatesSetting


class GovUKFormRenderer(TemplatesSetting):
    """Renders every Django form with GOV.UK Design System markup (labels, hints, errors).

    The form and field templates are ours (Django templates). Django's own widget templates
    (``django/forms/widgets/…``: inputs, selects and their options) are rendered from Django's
    Jinja2 copies of the same templates, which produce the same HTML: Django's template engine
    includes a template per ``<option>`` and per attribute list, and on a list page with its
    filter form that was a fifth of the request's CPU (docs/performance.md).
    """

    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"

    def get_template(self, template_name):
        if template_name.startswith("django/forms/widgets/"):
            return _widget_renderer().get_template(template_name)
        return super().get_template(template_name)


class _WidgetRenderer(Jinja2Renderer):
    """Django's Jinja2 widget templates, with ours (``core/jinja2/``) found first: an
    ``<option>`` carries ``dir="auto"``, so a language named in its own script (``اردو``)
    keeps its direction in a left-to-right list."""

    @functools.cached_property
    def engine(self):
        dirs = [Path(__file__).parent / "jinja2", Path(django.forms.__file__).parent / "jinja2"]
        return self.backend({"APP_DIRS": True, "DIRS": dirs, "NAME": "djangoforms", "OPTIONS": {}})


@functools.cache
def _widget_renderer():
    return _WidgetRenderer()


def validate_sane_date(value):
    """Refuse dates outside 1990-2100 (``core.imports.parsers.MIN_DATE``/``MAX_DATE``): the same
    range as imports and the API, so no stored date can overflow date arithmetic on a page."""
    from django.core.exceptions import ValidationError

    from core.imports.parsers import date_range_problem

    problem = date_range_problem(value)
    if problem:
        raise ValidationError(problem, code="date_range")


def restrict_form_fields(form, user):
    """Limit every model choice in ``form`` to the rows ``user`` may see, and every date to
    1990-2100 (``validate_sane_date``).

    Called by the shared edit views so a form can never offer, or accept, an out-of-scope row.
    """
    for field in form.fields.values():
        if isinstance(field, forms.DateField) and validate_sane_date not in field.validators:
            field.validators.append(validate_sane_date)
        if isinstance(field, (forms.ModelChoiceField, forms.ModelMultipleChoiceField)):
            qs = field.queryset
            if hasattr(qs, "visible_to"):
                field.queryset = qs.visible_to(user)


def give_forms_distinct_ids(context):
    """Make the ids of every form in a page's ``context`` unique on the page.

    Two forms on one page with a field of the same name (the ticket page's reply and language
    forms both have ``language``) would both render ``id="id_language"``, and a label would
    name the wrong control. The first form to use an id keeps it; a later form whose ids clash
    gets ids from its context name (``language_form`` -> ``id_language_form-language``). Only
    ids change: field names, and so what the form posts, stay the same. Called by the shared
    views (``core.views.RoleRequiredMixin.render_to_response``) on every page they render.
    """
    used = set()
    for name, form in context.items():
        if not isinstance(form, forms.BaseForm) or not form.auto_id:
            continue
        ids = {bound.auto_id for bound in form}
        if ids & used:
            form.auto_id = f"id_{name}-%s"
            ids = {bound.auto_id for bound in form}
        used |= ids
    return context


class ScopedFormMixin:
    """A ModelForm that takes ``user`` and restricts its choices to that user's scope."""

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if user is not None:
            restrict_form_fields(self, user)


class UploadForm(forms.Form):
    """A spreadsheet upload with the size limit stated up front."""

    file = forms.FileField(label="")

    def __init__(self, *args, label=None, help_text=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label:
            self.fields["file"].label = label
        if help_text:
            self.fields["file"].help_text = help_text
