"""Forms for the devices pages. They parse input; the services decide what is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _


class LifecycleForm(forms.Form):
    """A device-page lifecycle move: only the moves the user may make now are offered."""

    action = forms.ChoiceField(label=_("What has happened to this device?"), widget=forms.RadioSelect)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example the fault, the repairer's reference or the police crime number."),
    )

    def __init__(self, *args, options=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = list(options)
        self.fields["action"].error_messages["invalid_choice"] = _(
            "This change is not possible for this device now. Choose one of the options shown."
        )
        self.fields["action"].error_messages["required"] = _("Choose what has happened to this device.")


class AlertGroupForm(forms.Form):
    """One line of the grouped alert list (``AlertQuerySet.grouped()``), as its links carry it:
    the kind, the LA, the school (``none``) and the due month (``YYYY-MM`` or ``none``);
    ``upto`` is the highest alert the person saw when they confirmed."""

    kind = forms.ChoiceField(label=_("Alert"))
    local_authority = forms.IntegerField(label=_("Local authority"), required=False, min_value=1)
    school = forms.CharField(label=_("School"), max_length=19)
    month = forms.CharField(label=_("Due"), max_length=7)
    upto = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    next = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        from devices.models import Alert

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Alert.Kind.choices

    def clean_school(self):
        from devices.filters import validate_school_param

        value = self.cleaned_data["school"]
        validate_school_param(value)
        return None if value == "none" else int(value)

    def clean_month(self):
        from devices.filters import parse_month, validate_month_param

        value = self.cleaned_data["month"]
        validate_month_param(value)
        return None if value == "none" else parse_month(value)

    def clean(self):
        from devices.models import Alert

        data = super().clean()
        if data.get("kind") and data["kind"] not in Alert.SERVICE_WIDE_KINDS and not data.get("local_authority"):
            self.add_error("local_authority", _("Choose a local authority."))
        return data

    def group(self):
        data = self.cleaned_data
        return {"kind": data["kind"], "local_authority": data.get("local_authority"), "school": data["school"], "month": data["month"]}


class DeliveryDetailsForm(forms.Form):
    """What one scan-in session's devices share: when they came, from whom, on which order."""

    delivered_on = forms.DateField(
        label=_("Delivery date"), input_formats=["%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d-%m-%Y", "%Y-%m-%d"],
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
        help_text=_("For example, 27/03/2026"),
    )
    supplier = forms.CharField(label=_("Supplier"), max_length=100, required=False)
    order_reference = forms.CharField(label=_("Order reference"), max_length=60, required=False)

    def clean_delivered_on(self):
        from django.utils import timezone

        from core.forms import validate_sane_date

        day = self.cleaned_data["delivered_on"]
        validate_sane_date(day)
        if day > timezone.localdate():
            raise forms.ValidationError(_("The delivery date cannot be in the future."))
        return day


class ScanForm(forms.Form):
    """One device scanned or typed: kind, make and model carry over from the one before."""

    kind = forms.ChoiceField(label=_("Kind"), choices=())
    make = forms.CharField(label=_("Make"), max_length=60, required=False)
    model = forms.CharField(label=_("Model"), max_length=100, required=False)
    serial = forms.CharField(
        label=_("Serial number"), max_length=60, error_messages={"required": _("Scan or type the serial number.")},
        help_text=_("Scan the barcode (the scanner presses Enter for you) or type it and press Enter."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "autofocus": True}),
    )
    imei = forms.CharField(label=_("IMEI"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    iccid = forms.CharField(label=_("SIM ICCID"), max_length=24, required=False, widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    network = forms.CharField(label=_("SIM network"), max_length=60, required=False)
    asset_tag = forms.CharField(label=_("Asset tag"), max_length=40, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from devices.models import DeviceKind

        self.fields["kind"].choices = DeviceKind.choices


class DeviceAddForm(ScanForm, DeliveryDetailsForm):
    """One device taken in by hand (no manifest, no scanner): the scan-in page's fields for one
    device and its delivery, checked and saved by the same service (``take_in_devices``)."""

    field_order = ["kind", "make", "model", "serial", "imei", "asset_tag", "iccid", "network", "delivered_on", "supplier", "order_reference"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        serial = self.fields["serial"]
        serial.help_text = _("As printed on the device's label or box.")
        serial.widget.attrs.pop("autofocus", None)
        self.order_fields(self.field_order)
