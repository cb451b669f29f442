"""Forms for the family help form, staff fault reports and the agent's ticket actions.

Forms parse and validate input only; the writes are in ``support.services``.
"""

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from devices.validators import normalise_uk_phone
from support.models import Category, Message, Priority, Status
from support.services import check_upload

FAMILY_CATEGORIES = [c for c in Category.choices]


class AttachmentField(forms.FileField):
    """An optional photo or PDF, checked by its content and size."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("A photo or PDF"))
        kwargs.setdefault("help_text", _("Optional. A JPEG, PNG, WebP or PDF file, up to 5 MB."))
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = "image/jpeg,image/png,image/webp,application/pdf"

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            check_upload(upload)
        return upload


class FamilyHelpForm(forms.Form):
    """The short form a family fills in, in their own language. No account needed."""

    name = forms.CharField(label=_("Your name"), max_length=120, error_messages={"required": _("Enter your name.")})
    phone = forms.CharField(
        label=_("Your phone number"), max_length=30, required=False,
        help_text=_("We will use this to call you back."),
    )
    email = forms.EmailField(
        label=_("Your email address"), required=False, help_text=_("We will send updates here."),
        error_messages={"invalid": _("Enter an email address like name@example.com.")},
    )
    serial = forms.CharField(
        label=_("Device serial number"), max_length=60, required=False,
        help_text=_("Optional. It is on the letter you got with the device, and on a sticker on the device."),
    )
    category = forms.ChoiceField(
        label=_("What is the problem?"), choices=FAMILY_CATEGORIES, widget=forms.RadioSelect,
        error_messages={"required": _("Choose what the problem is.")},
    )
    description = forms.CharField(
        label=_("Tell us what happened"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("You can write in any language."), error_messages={"required": _("Tell us what happened.")},
    )
    needs_interpreter = forms.BooleanField(label=_("I would like an interpreter"), required=False)
    attachment = AttachmentField()

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        if not value:
            return ""
        try:
            return normalise_uk_phone(value)
        except ValidationError:
            raise ValidationError(_("Enter a UK phone number, like 07700 900123.")) from None

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("phone") and not cleaned.get("email") and "phone" not in self.errors and "email" not in self.errors:
            raise ValidationError(_("Give us a phone number or an email address so we can reply."))
        return cleaned


class FindTicketForm(forms.Form):
    """A family finds their ticket again with its reference and the phone or email they gave."""

    reference = forms.CharField(
        label=_("Your reference"), max_length=20, help_text=_("8 letters and numbers, for example K7M2QX9P. It is on our text, email or letter."),
        error_messages={"required": _("Enter your reference.")},
    )
    contact = forms.CharField(
        label=_("The phone number or email address you gave us"), max_length=254,
        error_messages={"required": _("Enter the phone number or email address you gave us.")},
    )


class AccessCodeForm(forms.Form):
    code = forms.CharField(
        label=_("The code we sent you"), max_length=12, help_text=_("6 numbers."),
        error_messages={"required": _("Enter the code we sent you.")},
    )


class FamilyReplyForm(forms.Form):
    body = forms.CharField(
        label=_("Your reply"), max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("Write a message.")},
    )
    attachment = AttachmentField()


class StaffTicketForm(forms.Form):
    """A fault report by school staff: from a device's page (device known) or by typing a serial."""

    device = forms.ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    serial = forms.CharField(
        label=_("Device serial number"), max_length=60, required=False,
        help_text=_("Leave empty if you came here from the device's page."),
    )
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    description = forms.CharField(label=_("What is wrong?"), max_length=4000, widget=forms.Textarea(attrs={"rows": 5}))
    language = forms.ChoiceField(
        label=_("Family's language"), choices=settings.LANGUAGES, initial="en",
        help_text=_("Replies to the family will be written in this language."),
    )
    needs_interpreter = forms.BooleanField(label=_("The family needs an interpreter"), required=False)
    attachment = AttachmentField()

    def __init__(self, *args, user, **kwargs):
        from devices.models import Device

        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["device"].queryset = Device.objects.visible_to(user)

    def clean(self):
        from devices.models import Device

        cleaned = super().clean()
        if cleaned.get("device") is None:
            serial = (cleaned.get("serial") or "").strip().upper()
            if not serial:
                raise ValidationError(_("Enter the device's serial number."))
            device = Device.objects.visible_to(self.user).filter(serial=serial).first()
            if device is None:
                self.add_error("serial", _("No device with this serial number in your scope."))
            cleaned["device"] = device
        return cleaned


class ReplyForm(forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=Message.Kind.choices, initial=Message.Kind.PUBLIC, widget=forms.RadioSelect)
    language = forms.ChoiceField(label=_("Language of this message"), choices=settings.LANGUAGES)
    body = forms.CharField(label=_("Message"), max_length=8000, widget=forms.Textarea(attrs={"rows": 6}))
    canned_response = forms.IntegerField(required=False, widget=forms.HiddenInput)
    attachment = AttachmentField()


class StatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Status.choices)


class PersonChoiceField(forms.ModelChoiceField):
    """People by name (the username only when they have none)."""

    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.username


class AssignForm(forms.Form):
    assignee = PersonChoiceField(label=_("Assign to"), queryset=None, required=False, empty_label=_("Nobody"))

    def __init__(self, *args, user, **kwargs):
        from accounts.models import User

        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = User.objects.visible_to(user).filter(role="support_agent", is_active=True).order_by("first_name", "username")


class LanguageForm(forms.Form):
    language = forms.ChoiceField(label=_("Ticket language"), choices=settings.LANGUAGES)
    needs_interpreter = forms.BooleanField(label=_("Needs an interpreter"), required=False)


class AgentLanguagesForm(forms.Form):
    languages = forms.MultipleChoiceField(
        label=_("Languages you speak well enough to help a family"),
        choices=settings.LANGUAGES, widget=forms.CheckboxSelectMultiple, required=False,
    )
