"""The device list's "Add to a campaign" bulk action (``devices.bulk``'s extension point):
the devices ticked on the list, or every device matching its filter, go through
``services.add_devices``, the same service as the campaign's own "create by model" page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from campaigns import services
from campaigns.models import Campaign
from core.bulk import BulkAction, Outcome

ROLES = ("council_officer",)


class CampaignChoiceForm(forms.Form):
    campaign = forms.ModelChoiceField(
        label=_("Add to which campaign?"), queryset=Campaign.objects.none(),
        error_messages={"required": _("Choose a campaign."), "invalid_choice": _("Choose one of the open campaigns listed.")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Open campaigns in the user's scope only: a campaign of another LA can be neither offered nor chosen.
        self.fields["campaign"].queryset = Campaign.objects.visible_to(user).open().order_by("-pk")


def _add(*, rows, by, data):
    result = services.add_devices(campaign=data["campaign"], devices=rows.order_by("pk"), by=by)
    return Outcome(done=[item.device for item in result.added], refused=result.refused)


ACTION = BulkAction("campaign", _("Add to a campaign"), roles=ROLES, form_class=CampaignChoiceForm, run=_add)


def register():
    from devices.bulk import register_device_action

    register_device_action(ACTION)
