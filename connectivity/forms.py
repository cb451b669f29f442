"""Forms for the connectivity pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from connectivity.models import NetworkRequest


class RequestMoveForm(forms.Form):
    """Move a network request: the statuses offered are those the mover's side may choose."""

    to_status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    problem = forms.ChoiceField(label=_("Problem code"), required=False, help_text=_("Only when the new status is “Problem”."))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = options
        self.fields["problem"].choices = [("", _("No problem"))] + list(NetworkRequest.Problem.choices)


# --- idle SIMs and check-ins


class CheckInAnswerForm(forms.Form):
    """The family's one-tap answer (rendered by hand in templates/connectivity/checkin_answer.html)."""

    answer = forms.ChoiceField(error_messages={"required": _("Choose one answer."), "invalid_choice": _("Choose one answer.")})

    def __init__(self, *args, **kwargs):
        from connectivity.models import CheckIn

        super().__init__(*args, **kwargs)
        self.fields["answer"].choices = CheckIn.Answer.choices
