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
        help_texts = {
            "reference": _("The council's own reference for this child."),
            "school": _("Leave blank if the child belongs to the council directly, for example a care leaver or a child missing education."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["school"].empty_label = _("No school: belongs to the council directly")
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


#: Device statuses ``allocations.services.allocate`` accepts (the devices lifecycle's moves to
#: *allocated*).
ALLOCATABLE_STATUSES = ("delivered", "in_stock", "returned")
#: Most devices listed by one search on the allocate page.
PICKER_LIMIT = 20


def allocatable_devices(user, child, query="", pk=None):
    """Devices ``user`` may see that can be allocated to ``child``: in its LA, council-owned, in
    stock (or delivered, or returned), with no active allocation; every word of ``query`` must
    match the serial, asset tag, make or model. At most ``PICKER_LIMIT`` + 1 rows (to tell that
    there are more)."""
    from django.db.models import Exists, OuterRef, Q

    from allocations.models import Allocation

    qs = (
        Device.objects.visible_to(user)
        .filter(local_authority_id=child.local_authority_id, status__in=ALLOCATABLE_STATUSES, ownership="la")
        .exclude(Exists(Allocation.objects.active().filter(device=OuterRef("pk"))))
    )
    if pk is not None:
        qs = qs.filter(pk=pk)
    for word in (query or "").split()[:5]:
        word = word[:60]
        qs = qs.filter(Q(serial__icontains=word) | Q(asset_tag__icontains=word) | Q(make__icontains=word) | Q(model__icontains=word))
    return list(qs.order_by("kind", "make", "model", "serial")[: PICKER_LIMIT + 1])


class DevicePickerSearchForm(forms.Form):
    """The GET search of the allocate page."""

    q = forms.CharField(
        label=_("Search for a device"), max_length=100, required=False,
        help_text=_("Serial number, asset tag, make or model. Scanning a barcode fills this in."),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off", "spellcheck": "false"}),
    )


class AllocateForm(forms.Form):
    """Pick one of the allocatable devices (never free text): a radio per device found."""

    device = forms.TypedChoiceField(label=_("Device to allocate"), coerce=int, widget=forms.RadioSelect,
                                    error_messages={"required": _("Choose a device."), "invalid_choice": _("Choose one of the devices listed.")})

    def __init__(self, *args, user=None, child=None, devices=None, **kwargs):
        self.user = user
        self.child = child
        super().__init__(*args, **kwargs)
        self.devices = list(devices or [])
        self.fields["device"].choices = [(d.pk, device_label(d)) for d in self.devices]

    def clean(self):
        cleaned = super().clean()
        pk = cleaned.get("device")
        if pk is not None:
            self.device = next((d for d in self.devices if d.pk == pk), None)
            if self.device is None:
                raise ValidationError(_("That device can no longer be allocated. Search again."))
        return cleaned


def device_label(device):
    parts = [device.get_kind_display(), " ".join(p for p in (device.make, device.model) if p), device.serial]
    if device.asset_tag:
        parts.append(_("asset tag %(tag)s") % {"tag": device.asset_tag})
    parts.append(device.get_status_display())
    return " · ".join(str(p) for p in parts if p)


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


class AcceptanceForm(forms.Form):
    """The family's acceptance at the handover: the kit handed over, who signs, and the drawn
    signature (a PNG data URL from the canvas) or, without one, the typed name as signature."""

    kit_items = forms.MultipleChoiceField(label=_("Items handed over"), widget=forms.CheckboxSelectMultiple)
    guardian_name = forms.CharField(
        label=_("Name of the parent or carer signing"), max_length=120, required=False,
        help_text=_("Where there is no touch screen or pointer, typing the name is the signature."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    # Bounded again by allocations.acceptance.clean_signature; this only stops a huge body early.
    signature = forms.CharField(required=False, max_length=400_000, widget=forms.HiddenInput(attrs={"data-signature-input": ""}))

    def __init__(self, *args, user=None, kit=(), **kwargs):
        super().__init__(*args, **kwargs)
        from allocations.models import KitItem

        labels = dict(KitItem.choices)
        self.fields["kit_items"].choices = [(item, labels[item]) for item in kit]
        self.fields["kit_items"].initial = list(kit)
        self.fields["signature"].error_messages["max_length"] = _("The signature is too large. Clear it and sign again.")


class ReadinessForm(forms.Form):
    items = forms.MultipleChoiceField(label=_("Done now"), widget=forms.CheckboxSelectMultiple,
                                      error_messages={"required": _("Choose at least one item that has been done.")})
    note = forms.CharField(label=_("Note"), max_length=200, required=False, help_text=_("For example the device management console's job number."))

    def __init__(self, *args, user=None, missing=(), **kwargs):
        super().__init__(*args, **kwargs)
        from allocations.models import ReadinessItem

        labels = dict(ReadinessItem.choices)
        self.fields["items"].choices = [(item, labels[item]) for item in missing]


class ReturnInspectionForm(forms.Form):
    """A return: the date, why, each kit item's condition, and the data-wipe confirmation."""

    on = uk_date_field(_("Date returned"))
    reason = forms.CharField(label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))
    wipe_method = forms.ChoiceField(label=_("How was the data wiped?"), widget=forms.RadioSelect,
                                    error_messages={"required": _("Say how the device's data was wiped.")})
    wipe_reference = forms.CharField(label=_("Data-wipe reference"), max_length=100,
                                     help_text=_("The wipe certificate, job or ticket number."),
                                     error_messages={"required": _("Enter the data-wipe reference (the certificate, job or ticket number).")})

    def __init__(self, *args, user=None, kit=(), **kwargs):
        super().__init__(*args, **kwargs)
        from allocations.models import KitCondition, KitItem, WipeMethod

        self.fields["wipe_method"].choices = WipeMethod.choices
        labels = dict(KitItem.choices)
        self.kit = list(kit)
        for item in self.kit:
            self.fields[f"kit_{item}"] = forms.ChoiceField(
                label=_("Condition: %(item)s") % {"item": labels[item]}, choices=KitCondition.choices, widget=forms.RadioSelect,
                error_messages={"required": _("Say what condition the %(item)s is in: good, damaged or missing.") % {"item": str(labels[item]).lower()}},
            )

    def kit_conditions(self):
        return {item: self.cleaned_data[f"kit_{item}"] for item in self.kit}


class TransferConfirmForm(TransferOwnershipForm):
    """The transfer page's second step: the date carried over, and the confirmation itself."""

    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)


class SendAcceptanceForm(forms.Form):
    address = forms.CharField(
        label=_("Postal address"), max_length=400, widget=forms.Textarea(attrs={"rows": 5, "autocomplete": "street-address"}),
        help_text=_("The family's name and address, one line each, postcode last (3 to 7 lines)."),
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
