"""Forms for moves between councils. They parse and validate input only; the writes happen in
``transfers.services``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import LocalAuthority, School


class CouncilChoiceField(forms.ModelChoiceField):
    """Every council using the service, by name: a directory, not the other council's rows."""

    def label_from_instance(self, obj):
        return obj.name


class ProposeForm(forms.Form):
    """Which council the child is moving to, whether lent devices stay, and a note."""

    to_local_authority = CouncilChoiceField(
        queryset=LocalAuthority.objects.none(), label=_("Which council is the child moving to?"), empty_label=_("Choose a council"),
        error_messages={"required": _("Choose the council the child is moving to."), "invalid_choice": _("Choose a council that uses this service.")},
    )
    lent_devices_stay = forms.TypedChoiceField(
        label=_("What happens to the devices your council lent?"), widget=forms.RadioSelect,
        choices=(("no", _("They move with the child to the new council's records")), ("yes", _("They stay on our stock records, on loan to the child"))),
        coerce=lambda v: v == "yes", initial="no",
        help_text=_("A device the family owns, or one with a SIM, always moves with the child."),
    )
    note = forms.CharField(
        label=_("Note for the receiving council"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For example, who in your council they can call. Do not write the child's name or the family's contact details: the receiving council sees them once it accepts."),
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, child=None, can_stay=False, **kwargs):
        super().__init__(*args, **kwargs)
        qs = LocalAuthority.objects.order_by("name")
        if child is not None:
            qs = qs.exclude(pk=child.local_authority_id)
        self.fields["to_local_authority"].queryset = qs
        if not can_stay:
            del self.fields["lent_devices_stay"]


class AcceptForm(forms.Form):
    """The receiver's reference for the child and the school (or none)."""

    reference = forms.CharField(
        label=_("The child's reference in your council"), max_length=40,
        error_messages={"required": _("Enter the child's reference in your council.")},
    )
    school = forms.ModelChoiceField(
        queryset=School.objects.none(), required=False, label=_("School"), empty_label=_("None: the child belongs to the council directly"),
        help_text=_("Leave as none if the child is not yet on a school's roll, for example a care leaver."),
        error_messages={"invalid_choice": _("Choose one of your council's schools, or none.")},
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, transfer=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if transfer is not None:
            self.fields["school"].queryset = (
                School.objects.visible_to(user).filter(local_authority_id=transfer.to_local_authority_id).order_by("name").only("pk", "name", "urn")
            )
            self.fields["reference"].initial = transfer.from_reference

    def clean_reference(self):
        return self.cleaned_data["reference"].strip()


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you declining this move?"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The sending council sees this."), error_messages={"required": _("Say why you are declining, so the sending council knows what to do next.")},
    )


class WithdrawForm(forms.Form):
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)
