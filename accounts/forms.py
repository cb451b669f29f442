"""Forms for two-step sign-in and the admins' GIAS upload."""

import re

from django import forms
from django.conf import settings
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


class GiasUploadForm(forms.Form):
    file = forms.FileField(
        label=_("GIAS establishments extract"),
        help_text=_("The establishments CSV downloaded from Get Information About Schools, as downloaded (Windows-1252 or UTF-8)."),
    )
    links = forms.FileField(
        label=_("GIAS links file (optional)"),
        required=False,
        help_text=_("The links CSV (URN, LinkURN, LinkType): records each closed school's successor."),
    )

    def clean(self):
        cleaned = super().clean()
        limit = settings.GIAS_UPLOAD_MAX_BYTES
        for name in ("file", "links"):
            f = cleaned.get(name)
            if f and f.size > limit:
                self.add_error(name, _("The file is %(size)s MB; the largest we accept is %(max)s MB.") % {"size": round(f.size / 1048576, 1), "max": limit // 1048576})
        return cleaned
