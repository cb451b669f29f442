"""Form plumbing shared by every app: GOV.UK markup and scope-limited choices."""

import functools

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


@functools.cache
def _widget_renderer():
    return Jinja2Renderer()


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
