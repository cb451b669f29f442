"""Forms for the devices pages. They parse input; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _


class LifecycleForm(forms.Form):
    """A device-page lifecycle move: only the moves the user may make now are offered."""

    action = forms.ChoiceField(label=_("What has happened to this device?"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the fault, the repairer's reference or the police crime number."),
    )

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = list(options)
        self.fields["action"].error_messages["invalid_choice"] = _(
            "This change is not possible for this device now. Choose one of the options shown."
        )
        self.fields["action"].error_messages["required"] = _("Choose what has happened to this device.")


class AlertGroupForm(forms.Form):
    """One line of the grouped alert list (``AlertQuerySet.grouped()``), as its links carry it:
    the kind, the LA, the school (``none``) and the due month (``YYYY-MM`` or ``none``);
    ``upto`` is the highest alert the person saw when they confirmed."""

    kind = forms.ChoiceField(label=_("Alert"))
    local_authority = forms.IntegerField(label=_("Local authority"), required=False, min_value=1)
    school = forms.CharField(label=_("School"), max_length=19)
    month = forms.CharField(label=_("Due"), max_length=7)
    upto = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from devices.models import Alert

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Alert.Kind.choices

    def clean_school(self):
        from devices.filters import validate_school_param

        value = self.cleaned_data["school"]
        validate_school_param(value)
        return None if value == "none" else int(value)

    def clean_month(self):
        from devices.filters import parse_month, validate_month_param

        value = self.cleaned_data["month"]
        validate_month_param(value)
        return None if value == "none" else parse_month(value)

    def clean(self):
        from devices.models import Alert

        data = super().clean()
        if data.get("kind") and data["kind"] not in Alert.SERVICE_WIDE_KINDS and not data.get("local_authority"):
            self.add_error("local_authority", _("Choose a local authority."))
        return data

    def group(self):
        data = self.cleaned_data
        return {"kind": data["kind"], "local_authority": data.get("local_authority"), "school": data["school"], "month": data["month"]}
