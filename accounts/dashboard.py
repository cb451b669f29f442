from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import LocalAuthority, School
from core.dashboard import Card


def cards(user):
    result = []
    if user.role in ("council_officer", "cio", "admin", "london_lead", "support_agent") or user.is_superuser:
        result.append(Card(_("Local authorities"), LocalAuthority.objects.visible_to(user).count(), reverse("accounts:la_list")))
    if user.role not in ("london_lead", "network"):
        result.append(Card(_("Schools"), School.objects.visible_to(user).count(), reverse("accounts:school_list")))
    return result
