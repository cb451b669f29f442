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


# --- requests: the council's and school's side

from connectivity.models import NetworkOperator  # noqa: E402


def sim_kind_choices():
    from connectivity.services import SIM_KINDS

    return [(value, label) for value, label in NetworkRequest.Kind.choices if value in SIM_KINDS]


class RaiseRequestForm(forms.Form):
    """Ask a network something about one SIM (from the SIM, device or child page)."""

    kind = forms.ChoiceField(label=_("What should the network do?"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=_("The network sees this. Do not include the child's name."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = sim_kind_choices()


class BulkRaiseForm(forms.Form):
    """What to ask for every SIM chosen on the bulk page (and which SIMs: those ticked, or all
    that match the filter up to the highest id shown)."""

    kind = forms.ChoiceField(label=_("What should the network do?"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.ChoiceField(choices=[("selected", "selected"), ("all", "all")], widget=forms.HiddenInput)
    sim = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.MultipleHiddenInput)
    upto = forms.IntegerField(required=False, min_value=0, max_value=2**62, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = sim_kind_choices()
        # Any whole numbers: only SIMs the user can see are ever used (the view intersects).
        self.fields["sim"].valid_value = lambda value: str(value).isdigit() and len(str(value)) < 18

    def clean(self):
        data = super().clean()
        if data.get("scope") == "selected" and not data.get("sim"):
            self.add_error(None, _("Tick at least one SIM, or choose all the SIMs that match the filter."))
        return data


class FamilyDataForm(forms.Form):
    """Extra data on the family's own phone (the DfE scheme's offer), from the child page."""

    account_holder = forms.CharField(label=_("Account holder's name"), max_length=120,
                                     help_text=_("The name the phone account is in, as the network has it."))
    msisdn = forms.CharField(label=_("Mobile number"), max_length=30, help_text=_("For example, 07700 900123"))
    network = forms.ModelChoiceField(queryset=NetworkOperator.objects.all(), label=_("Network"), empty_label=_("Choose the network"))
    phone_plan = forms.ChoiceField(label=_("Pay as you go or contract"), choices=NetworkRequest.PhonePlan.choices, widget=forms.RadioSelect)
    consent_given = forms.BooleanField(label=_("The family agreed that we share this number and name with their network"), required=False)
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def clean_consent_given(self):
        if not self.cleaned_data.get("consent_given"):
            raise forms.ValidationError(_("The family must agree to share the number with the network."))
        return True
