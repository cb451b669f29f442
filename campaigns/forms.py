"""Forms for the campaign pages. Choices come from ``visible_to(user)`` rows only."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import LocalAuthority
from campaigns.models import Campaign
from devices.models import DeliveryBatch, Device, Licence


class CampaignForm(forms.Form):
    """A new campaign: what it is, what families should do, and which devices it takes (at least
    one of model, delivery batch, supplier or licence product; together they narrow)."""

    kind = forms.ChoiceField(label=_("Kind of campaign"), choices=Campaign.Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=120, help_text=_("For example: Re-image the 100e Chromebooks"))
    instructions = forms.CharField(
        label=_("What families should do"), max_length=600, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to families as you write it, for example: bring the laptop and charger to school on Monday 7 December."),
    )
    local_authority = forms.ModelChoiceField(label=_("Council"), queryset=LocalAuthority.objects.none(), required=False)
    model = forms.ChoiceField(label=_("Model"), required=False)
    batch = forms.TypedChoiceField(label=_("Delivery batch"), required=False, coerce=int, empty_value=None)
    supplier = forms.ChoiceField(label=_("Supplier"), required=False)
    product = forms.ChoiceField(label=_("Licence product"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        devices = Device.objects.visible_to(user)
        any_ = [("", _("Any"))]
        self.fields["model"].choices = any_ + [(m, m) for m in devices.exclude(model="").order_by("model").values_list("model", flat=True).distinct()[:500]]
        batches = DeliveryBatch.objects.visible_to(user).order_by("-delivered_on", "-pk")[:500]
        self.fields["batch"].choices = any_ + [(b.pk, str(b)) for b in batches]
        suppliers = DeliveryBatch.objects.visible_to(user).exclude(supplier="").order_by("supplier").values_list("supplier", flat=True).distinct()[:500]
        self.fields["supplier"].choices = any_ + [(s, s) for s in suppliers]
        self.fields["product"].choices = any_ + list(Licence.Product.choices)
        if user.local_authority_id:
            del self.fields["local_authority"]
        else:
            self.fields["local_authority"].queryset = LocalAuthority.objects.visible_to(user).order_by("name")
            self.fields["local_authority"].required = True

    def clean(self):
        data = super().clean()
        if not any(data.get(k) for k in ("model", "batch", "supplier", "product")):
            raise forms.ValidationError(_("Choose at least one of model, delivery batch, supplier or licence product."))
        return data

    def chosen_la(self):
        return self.cleaned_data.get("local_authority") or self.user.local_authority

    def criteria(self):
        return {k: self.cleaned_data[k] for k in ("model", "batch", "supplier", "product") if self.cleaned_data.get(k)}


class MoveForm(forms.Form):
    to_status = forms.ChoiceField(label=_("New status"), widget=forms.RadioSelect)
    note = forms.CharField(label=_("Note (optional)"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, options, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = options


class SendForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How to reach the families"), widget=forms.RadioSelect, initial="sms",
        choices=[("sms", _("Text message")), ("email", _("Email"))],
    )
