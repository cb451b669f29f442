"""Home-page card: schools whose last stocktake is overdue (officers and CIOs)."""

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Card
from stocktakes.overdue import overdue_schools
from stocktakes.views import OVERDUE_ROLES


def cards(user):
    if not (user.is_superuser or user.role in OVERDUE_ROLES):
        return []
    n = overdue_schools(user).count()
    return [
        Card(
            _("Schools due a stocktake"),
            n,
            reverse("stocktakes:overdue_list"),
            _("No stocktake closed in the last %(days)s days") % {"days": settings.STOCKTAKE_OVERDUE_DAYS},
        )
    ]
