from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import School
from core.forms import ScopedFormMixin
from connectivity.models import NetworkOperator
from reports.models import ApiToken, NeedEstimate


class NeedEstimateForm(ScopedFormMixin, forms.ModelForm):
    class Meta:
        model = NeedEstimate
        fields = ["school", "kind", "count", "estimated_on", "note"]
        # A date input takes and shows ISO dates (yyyy-mm-dd) only: prefilled in the locale's
        # format (dd/mm/yyyy) the browser showed it empty and the edit failed.
        widgets = {"estimated_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["school"].queryset = School.objects.visible_to(user).order_by("name") if user else School.objects.none()
        if user is not None and user.role == "school_staff":
            self.fields["school"].initial = user.school_id


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("What the token is for, for example “Computacenter deliveries”."))
    kind = forms.ChoiceField(label=_("Kind"), choices=ApiToken.Kind.choices)
    supplier_name = forms.CharField(label=_("Supplier"), max_length=100, required=False)
    network_operator = forms.ModelChoiceField(label=_("Network operator"), queryset=NetworkOperator.objects.all(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user is not None and not (user.is_superuser or user.role == "admin"):
            self.fields["kind"].choices = [(ApiToken.Kind.SUPPLIER, ApiToken.Kind.SUPPLIER.label)]
            del self.fields["network_operator"]

    def clean(self):
        data = super().clean()
        if data.get("kind") == ApiToken.Kind.SUPPLIER and not data.get("supplier_name"):
            self.add_error("supplier_name", _("Enter the supplier's name."))
        if data.get("kind") == ApiToken.Kind.OPERATOR and not data.get("network_operator"):
            self.add_error("network_operator", _("Choose the network operator."))
        return data
