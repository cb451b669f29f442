"""Forms for children and the allocation actions. Forms parse and validate input only; the
writes happen in ``allocations.services``."""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from allocations.models import Child
from core.forms import ScopedFormMixin, validate_sane_date
from devices.models import Device
from devices.validators import format_uk_national, normalise_uk_phone

UK_DATE_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%d.%m.%Y", "%d.%m.%y", "%d-%m-%Y", "%Y-%m-%d"]


def uk_date_field(label, **kwargs):
    return forms.DateField(
        label=label,
        input_formats=UK_DATE_FORMATS,
        initial=timezone.localdate,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"class": "govuk-input--width-10", "autocomplete": "off"}),
        help_text=_("For example, 27/03/2026"),
        validators=[validate_sane_date],
        **kwargs,
    )


class ChildForm(ScopedFormMixin, forms.ModelForm):
    preferred_language = forms.ChoiceField(label=_("Family's preferred language"), choices=settings.LANGUAGES, initial="en")
    guardian_phone = forms.CharField(
        label=_("Parent or carer's phone"), max_length=30, required=False,
        help_text=_("A UK phone number, for example 07700 900123."), widget=forms.TextInput(attrs={"autocomplete": "off", "type": "tel"}),
    )

    class Meta:
        model = Child
        fields = [
            "school", "reference", "first_name", "last_name", "year_group", "preferred_language", "guardian_name",
            "guardian_phone", "guardian_email", "eligibility", "needs_laptop", "needs_connectivity",
        ]
        help_texts = {"reference": _("The council's own reference for this child.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        if self.instance.pk and not self.is_bound:
            self.initial["guardian_phone"] = format_uk_national(self.instance.guardian_phone)

    def clean_guardian_phone(self):
        return normalise_uk_phone(self.cleaned_data.get("guardian_phone", ""))

    def clean_reference(self):
        return self.cleaned_data["reference"].strip()


class DeviceSerialField(forms.CharField):
    """A serial typed by a person, matched case-insensitively within the user's scope."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 60)
        super().__init__(**kwargs)


class _SerialMixin:
    def _device_from_serial(self, serial):
        serial = (serial or "").replace("\u00a0", " ").strip().upper()
        device = Device.objects.visible_to(self.user).filter(serial=serial).first()
        if device is None:
            raise ValidationError(_("No device with serial number %(serial)s was found.") % {"serial": serial})
        return device


class AllocateForm(_SerialMixin, forms.Form):
    serial = DeviceSerialField(label=_("Serial number of the device to allocate"))

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_serial(self):
        self.device = self._device_from_serial(self.cleaned_data["serial"])
        return self.device.serial


class HandOverForm(forms.Form):
    on = uk_date_field(_("Date handed over"))
    handed_over_by = forms.CharField(label=_("Handed over by"), max_length=120, required=False, help_text=_("Leave blank to record yourself."))
    received_by = forms.CharField(label=_("Received by"), max_length=120, help_text=_("The parent, carer or young person who took the device."))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class ReturnForm(forms.Form):
    on = uk_date_field(_("Date returned"))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class CancelForm(forms.Form):
    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class ReplaceForm(_SerialMixin, forms.Form):
    serial = DeviceSerialField(label=_("Serial number of the replacement device"))
    reason = forms.CharField(label=_("What is wrong with the old device?"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_serial(self):
        self.device = self._device_from_serial(self.cleaned_data["serial"])
        return self.device.serial


class TransferOwnershipForm(forms.Form):
    on = uk_date_field(_("Date ownership passes to the family"))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)


class PostLetterForm(forms.Form):
    """Where to post the family's letter (we do not keep postal addresses: it is typed each time)."""

    kind = forms.ChoiceField(
        label=_("Letter"), widget=forms.RadioSelect,
        choices=[("handover", _("Handover letter")), ("ownership", _("Ownership letter"))], initial="handover",
    )
    address = forms.CharField(
        label=_("Postal address"), max_length=400, widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "street-address"}),
        help_text=_("The family's name and address, one line each, postcode last (3 to 7 lines)."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
