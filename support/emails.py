"""Emails about tickets, built in the requester's language.

Each email is rendered under ``translation.override(ticket.language)``. A safeguarding ticket's
emails never carry its description or replies: only the reference and its status.
"""

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation


def _site_url():
    return getattr(settings, "SUPPORT_SITE_URL", "").rstrip("/")


def send_to_requester(ticket, kind, *, token=None, message=None):
    """Email the requester about ``kind`` ("created", "reply" or "status"). No address, no email."""
    address = ticket.requester_contact_email
    if not address:
        return False
    with translation.override(ticket.language):
        context = {
            "ticket": ticket,
            "kind": kind,
            "message": None if ticket.is_safeguarding else message,
            "link": (_site_url() + ticket.family_url(token)) if token else "",
            "status": ticket.get_status_display(),
            "service_name": settings.SERVICE_NAME,
            "support_phone": settings.SUPPORT_PHONE,
        }
        subject = render_to_string("support/emails/subject.txt", context).strip()
        body = render_to_string("support/emails/requester.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return True


def notify_safeguarding_leads(ticket):
    """Tell the designated safeguarding leads who can see the ticket that one is waiting.

    The email names the reference and nothing else."""
    from accounts.models import User
    from support.models import Ticket

    leads = User.objects.filter(is_active=True, is_safeguarding_lead=True).exclude(email="")
    addresses = [u.email for u in leads if Ticket.objects.visible_to(u).filter(pk=ticket.pk).exists()]
    if not addresses:
        return 0
    with translation.override(settings.LANGUAGE_CODE):
        context = {"ticket": ticket, "service_name": settings.SERVICE_NAME}
        subject = render_to_string("support/emails/lead_subject.txt", context).strip()
        body = render_to_string("support/emails/lead.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)
    return len(addresses)
