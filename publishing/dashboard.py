from django.urls import reverse
from django.utils.translation import gettext as _

from core.dashboard import Card
from publishing.models import Publication


def cards(user):
    """The London lead's (and admins') view of the latest Datastore publication: a failed one
    is the alert (it has no LA, so it is not an ``Alert`` row)."""
    if not (user.is_superuser or user.role in ("admin", "london_lead")):
        return []
    latest = Publication.objects.visible_to(user).order_by("-requested_at", "-pk").first()
    if latest is None:
        return [Card(_("London Datastore"), _("Not published yet"), reverse("publishing:publication_list"))]
    hint = ""
    if latest.status == Publication.Status.FAILED:
        hint = _("Publishing failed after %(n)s attempts: %(error)s") % {"n": latest.attempts, "error": latest.last_error}
    elif latest.status == Publication.Status.RETRYING:
        hint = _("Attempt %(n)s failed; trying again at %(when)s") % {"n": latest.attempts, "when": f"{latest.next_attempt_at:%H:%M}"}
    value = f"{latest.get_status_display()} ({latest.period:%B %Y})"
    return [Card(_("London Datastore"), value, latest.get_absolute_url(), hint)]



