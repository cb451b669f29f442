"""Forms: the family's choice of problem and device, "Did this solve it?", and the staff
forms for a guide and one language's text. Parsing and validation only; writes are in
``guides.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from guides.models import Guide, GuideText, Helped, Problem

DEVICE_CHOICES = [
    ("computer", _("A laptop or tablet")),
    ("router", _("A 4G router or dongle")),
    ("", _("I do not know")),
]


class StartForm(forms.Form):
    """The family's "What do you need help with?" (sent by GET, so the back button works)."""

    problem = forms.ChoiceField(
        label=_("What do you need help with?"), choices=Problem.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you need help with."), "invalid_choice": _("Choose what you need help with.")},
    )
    device = forms.ChoiceField(
        label=_("Which device is it?"), choices=DEVICE_CHOICES, widget=forms.RadioSelect, required=False,
        error_messages={"invalid_choice": _("Choose a device.")},
    )
    serial = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean_serial(self):
        return self.cleaned_data["serial"].strip()[:60]


class AnswerForm(forms.Form):
    helped = forms.ChoiceField(choices=[(Helped.YES, _("Yes")), (Helped.NO, _("No"))])
    serial = forms.CharField(required=False)

    def clean_serial(self):
        return self.cleaned_data["serial"].strip()[:60]


class GuideForm(forms.ModelForm):
    class Meta:
        model = Guide
        fields = ("slug", "problem", "device_kind", "device_make", "device_model", "is_published", "order")


class GuideTextForm(forms.ModelForm):
    class Meta:
        model = GuideText
        fields = ("title", "summary", "body")
        widgets = {"summary": forms.Textarea(attrs={"rows": 2}), "body": forms.Textarea(attrs={"rows": 10})}
