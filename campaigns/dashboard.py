"""Home-page cards: open campaigns with their progress (fixed or returned of all), for the
council's officers and CIO (admins too). One grouped query over ``visible_to(user)`` rows."""

from django.utils.translation import gettext as _

from core.dashboard import Card

CARD_ROLES = ("council_officer", "cio")
#: Open campaigns shown on the home page (the newest); the rest are on the campaign list.
MAX_CARDS = 4


def cards(user):
    from campaigns.models import Campaign

    if not (user.is_superuser or getattr(user, "role", "") in (*CARD_ROLES, "admin")):
        return []
    campaigns = list(Campaign.objects.visible_to(user).open().with_progress().order_by("-created_at", "-pk")[:MAX_CARDS])
    result = []
    for campaign in campaigns:
        done = campaign.n_fixed + campaign.n_returned
        hint = _("%(done)s of %(total)s fixed or returned; %(contacted)s contacted, %(cannot)s cannot be reached") % {
            "done": done, "total": campaign.n_total, "contacted": campaign.n_contacted, "cannot": campaign.n_cannot_reach}
        label = _("Recall: %(title)s") % {"title": campaign.title} if campaign.kind == "recall" else _("Fix-up: %(title)s") % {"title": campaign.title}
        result.append(Card(label, f"{done} / {campaign.n_total}", campaign.get_absolute_url(), hint))
    return result
