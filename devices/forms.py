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
