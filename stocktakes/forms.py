"""Forms for stocktakes. Choices are limited to the user's scope; rules live in services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import School

STORE_ROOM = "store"


class StartStocktakeForm(forms.Form):
    """Where to count: a school in the user's scope, or (for officers) the LA's store room."""

    place = forms.ChoiceField(label=_("Where are you counting?"), widget=forms.RadioSelect)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        schools = School.objects.visible_to(user).open().order_by("name").only("pk", "name", "urn")
        if user.role == "school_staff":
            schools = schools.filter(pk=user.school_id)
        choices = [(str(s.pk), s.name) for s in schools]
        if user.role != "school_staff" and user.local_authority_id:
            choices.insert(0, (STORE_ROOM, _("The council's store room (devices with no school)")))
        self.fields["place"].choices = choices
        if len(choices) == 1:
            self.initial["place"] = choices[0][0]

    def clean_place(self):
        value = self.cleaned_data["place"]
        if value == STORE_ROOM:
            self.cleaned_data["local_authority"] = self.user.local_authority
            return None
        school = School.objects.visible_to(self.user).select_related("local_authority").get(pk=int(value))
        self.cleaned_data["local_authority"] = school.local_authority
        return school


class ScanForm(forms.Form):
    code = forms.CharField(
        label=_("Serial number, IMEI or asset tag"),
        help_text=_("Scan the barcode, or type the code and press Enter."),
        max_length=1000,
        error_messages={
            "required": _("Scan a barcode, or type a serial number, IMEI or asset tag."),
            "max_length": _("That code is too long to be a serial number, IMEI or asset tag (at most 60 characters)."),
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "autofocus": True}),
    )
