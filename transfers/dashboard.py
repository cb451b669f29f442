"""Home-page card: moves of children to the viewer's council waiting for an answer."""

from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Card
from transfers.models import ChildTransfer
from transfers.services import READER_ROLES


def cards(user):
    if not (user.role in READER_ROLES and user.local_authority_id):
        return []
    n = ChildTransfer.objects.visible_to(user).waiting().incoming_to(user.local_authority_id).count()
    return [
        Card(
            _("Children moving to your council"), n, reverse("transfers:transfer_list") + "?direction=in&status=proposed",
            _("Moves proposed by another council, waiting for your answer"),
        )
    ]
