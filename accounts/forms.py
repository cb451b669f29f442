"""Forms for two-step sign-in."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _


class CodeForm(forms.Form):
    """A code from an authenticator app (six digits) or, on the sign-in step, a recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        error_messages={"required": _("Enter the code from your authenticator app")},
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "spellcheck": "false", "class": "govuk-input--width-10"}),
    )

    def __init__(self, *args, recovery_allowed=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.recovery_allowed = recovery_allowed
        if recovery_allowed:
            self.fields["code"].help_text = _("The 6-digit code shown in your authenticator app, or one of your recovery codes.")
        else:
            self.fields["code"].help_text = _("The 6-digit code shown in your authenticator app.")
            self.fields["code"].widget.attrs["inputmode"] = "numeric"

    def clean_code(self):
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not self.recovery_allowed and not re.fullmatch(r"\d{6}", code):
            raise forms.ValidationError(_("Enter the 6-digit code from your authenticator app"))
        return code
