"""Forms for the agent's fallback and the demo's "a family texts us" page."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from devices.validators import normalise_uk_phone
from messaging.models import Channel


class SendAgainForm(forms.Form):
    channel = forms.ChoiceField(label=_("Send it by"), choices=Channel.choices, widget=forms.RadioSelect)
    recipient = forms.CharField(
        label=_("To"), max_length=400, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("A mobile number, an email address, or a postal address (one line each, postcode last)."),
    )

    def clean(self):
        cleaned = super().clean()
        channel, recipient = cleaned.get("channel"), (cleaned.get("recipient") or "").strip()
        if channel == Channel.SMS and recipient:
            try:
                cleaned["recipient"] = normalise_uk_phone(recipient)
            except ValidationError:
                self.add_error("recipient", _("Enter a UK mobile number, like 07700 900123."))
        elif channel == Channel.EMAIL and recipient:
            try:
                forms.EmailField().clean(recipient)
            except ValidationError:
                self.add_error("recipient", _("Enter an email address like name@example.com."))
        elif channel == Channel.LETTER and recipient and len([x for x in recipient.splitlines() if x.strip()]) < 3:
            self.add_error("recipient", _("Enter at least three lines of the address, postcode last."))
        return cleaned


class DemoTextForm(forms.Form):
    """The demo only: what a family's text to our number would do."""

    sender = forms.CharField(label=_("From (the family's phone number)"), max_length=30)
    body = forms.CharField(label=_("Text"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_sender(self):
        try:
            return normalise_uk_phone(self.cleaned_data["sender"])
        except ValidationError:
            raise ValidationError(_("Enter a UK phone number, like 07700 900123.")) from None
