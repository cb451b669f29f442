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


# --- network side: bulk status changes and the status file
class BulkMoveForm(forms.Form):
    """Move many requests at once: the rows chosen on the list, or every row matching its filter."""

    SELECTED, MATCHING = "selected", "matching"
    which = forms.ChoiceField(
        label=_("Which requests"), widget=forms.RadioSelect, initial=SELECTED,
        choices=[(SELECTED, _("The requests I selected")), (MATCHING, _("Every request matching this filter"))],
    )
    to_status = forms.ChoiceField(label=_("New status"))
    problem = forms.ChoiceField(label=_("Problem code"), required=False, help_text=_("Only when the new status is “Problem”."))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    pk = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.MultipleHiddenInput)
    filters = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [("", _("Choose a status"))] + list(statuses)
        self.fields["problem"].choices = [("", _("No problem"))] + list(NetworkRequest.Problem.choices)
        # Any whole number is accepted here; the rows are then looked up within the user's scope.
        self.fields["pk"].valid_value = lambda value: str(value).isdigit() and len(str(value)) < 10

    def clean(self):
        data = super().clean()
        if data.get("which") == self.SELECTED and not data.get("pk"):
            raise forms.ValidationError(_("Select at least one request, or choose every request matching the filter."))
        return data


class StatusFileForm(forms.Form):
    file = forms.FileField(
        label=_("Status file"),
        help_text=_("A .csv or .xlsx file with columns for the request (NR-000123) or the SIM's ICCID, the status, the problem code and a note."),
    )
