"""Forms for the connectivity pages."""

from django import forms
from django.utils.translation import gettext_lazy as _

from connectivity.models import NetworkOperator, NetworkRequest
from core.bulk import MATCHING, SELECTED, BulkSelectionForm


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
class BulkMoveForm(BulkSelectionForm):
    """Move many requests at once: the rows chosen on the list, or every row matching its filter
    (the selection is ``core.bulk``'s)."""

    SELECTED, MATCHING = SELECTED, MATCHING
    empty_message = _("Select at least one request, or choose every request matching the filter.")
    which = forms.ChoiceField(
        label=_("Which requests"), widget=forms.RadioSelect, initial=SELECTED,
        choices=[(SELECTED, _("The requests I selected")), (MATCHING, _("Every request matching this filter"))],
    )
    to_status = forms.ChoiceField(label=_("New status"))
    problem = forms.ChoiceField(label=_("Problem code"), required=False, help_text=_("Only when the new status is “Problem”."))
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    upto = None
    max_rows = 2000  # connectivity.views.BULK_MAX: a bigger change is a status file
    field_order = ["which", "to_status", "problem", "note", "pk", "filters"]

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = [("", _("Choose a status"))] + list(statuses)
        self.fields["problem"].choices = [("", _("No problem"))] + list(NetworkRequest.Problem.choices)


class StatusFileForm(forms.Form):
    file = forms.FileField(
        label=_("Status file"),
        help_text=_("A .csv or .xlsx file with columns for the request (NR-000123) or the SIM's ICCID, the status, the problem code and a note."),
    )


# --- connection plans


class ConnectionPlanForm(forms.Form):
    """Where a child's data comes from when their plan ends (``connectivity.plans``). The
    rules are the service's (``plans.plan_problems``); this form only parses what was typed."""

    kind = forms.ChoiceField(label=_("Where will the child's data come from?"), widget=forms.RadioSelect)
    provider = forms.CharField(label=_("Provider (optional for a council plan)"), required=False, max_length=80,
                               help_text=_("For a social tariff, the network or broadband provider the family was referred to."))
    outcome = forms.ChoiceField(label=_("Outcome of the social tariff referral"), required=False)
    starts = forms.DateField(label=_("Starts (optional)"), required=False, help_text=_("For example, 1/9/2027"))
    ends = forms.DateField(label=_("Cover until (optional)"), required=False, help_text=_("For example, 31/8/2028"))
    monthly_cost = forms.DecimalField(label=_("Monthly cost to the council in £ (optional)"), required=False, min_value=0, max_value=9999, decimal_places=2)
    voucher_code = forms.CharField(label=_("Voucher code (data bank only; leave empty for the next one in stock)"), required=False, max_length=40)
    network_request = forms.TypedChoiceField(label=_("Request for extra data on the family's phone"), required=False, coerce=int, empty_value=None)
    notes = forms.CharField(label=_("Notes (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, requests=(), **kwargs):
        from connectivity.models import ConnectionPlan

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = ConnectionPlan.Kind.choices
        self.fields["outcome"].choices = [("", _("Not known yet"))] + list(ConnectionPlan.Outcome.choices)
        self.fields["network_request"].choices = [("", _("None"))] + [(r.pk, f"{r.reference} ({r.get_status_display()})") for r in requests]

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts"), data.get("ends")
        if starts and ends and ends < starts:
            self.add_error("ends", _("The cover-until date must be on or after the start."))
        return data


class GiveVoucherForm(forms.Form):
    """Which child a voucher goes to, by the council's reference for the child."""

    child_reference = forms.CharField(label=_("Child reference"), max_length=40, help_text=_("The council's reference for the child, for example CAM-0001."))


# --- idle SIMs and check-ins


class CheckInAnswerForm(forms.Form):
    """The family's one-tap answer (rendered by hand in templates/connectivity/checkin_answer.html)."""

    answer = forms.ChoiceField(error_messages={"required": _("Choose one answer."), "invalid_choice": _("Choose one answer.")})

    def __init__(self, *args, **kwargs):
        from connectivity.models import CheckIn

        super().__init__(*args, **kwargs)
        self.fields["answer"].choices = CheckIn.Answer.choices


# --- requests: the council's and school's side


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


class BulkRaiseForm(BulkSelectionForm):
    """What to ask for every SIM chosen on the bulk page (and which SIMs: those ticked, or all
    that match the filter up to the highest id shown; the selection is ``core.bulk``'s, under
    this page's names: ``scope`` and ``sim``, the filter's own parameters beside them)."""

    which_field, pk_field, matching_value = "scope", "sim", "all"
    empty_message = _("Tick at least one SIM, or choose all the SIMs that match the filter.")
    max_rows = 5000
    kind = forms.ChoiceField(label=_("What should the network do?"), widget=forms.RadioSelect)
    reason = forms.CharField(label=_("Why (optional)"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    scope = forms.ChoiceField(choices=[("selected", "selected"), ("all", "all")], widget=forms.HiddenInput)
    sim = forms.TypedMultipleChoiceField(coerce=int, required=False, widget=forms.MultipleHiddenInput)
    which = pk = filters = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = sim_kind_choices()


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
