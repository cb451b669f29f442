"""What we tell a family (and the safeguarding leads) about a ticket, through the messaging layer.

Every message goes through ``messaging.services.send_to_family`` in the ticket's language, by
the channel the family gave (``Ticket.family_reply_channel``: a text if they gave only a phone),
with the private link to the ticket. A safeguarding ticket's texts and emails carry no content:
only that there is news and how to get it. Each call names its event in the idempotency key, so
a retried task or a repeated call sends nothing twice.
"""

import hashlib

from django.conf import settings

from messaging.services import Recipient, send_to_family
from messaging.threading import subject_tag


def site_url():
    return settings.SUPPORT_SITE_URL.rstrip("/")


def family_link(ticket):
    return site_url() + ticket.family_url()


def tell_family(ticket, kind, *, message=None, by=None):
    """Tell the requester about ``kind`` ("created", "reply" or "status"). Returns the queued
    ``OutboundMessage`` or None when they gave no phone or email."""
    channel = ticket.family_reply_channel
    if not channel:
        return None
    recipient = Recipient(phone=ticket.requester_phone, email=ticket.requester_contact_email, name=ticket.requester_name)
    template = "ticket_news" if ticket.is_safeguarding else f"ticket_{kind}"
    if kind == "created":
        key = f"ticket-created:{ticket.pk}"
    elif kind == "reply":
        key = f"ticket-reply:{message.pk}"
    else:
        key = f"ticket-status:{ticket.pk}:{ticket.status}:{ticket.updated_at.isoformat()}"
    context = {
        "ticket": ticket,
        "name": ticket.requester_name,
        "reference": ticket.reference,
        "kind": kind,
        "body": "" if ticket.is_safeguarding or message is None else message.body,
        "link": family_link(ticket),
    }
    return send_to_family(
        recipient=recipient, template=template, context=context, language=ticket.language, channel=channel,
        key=key, ticket=ticket, sent_by=by, subject_suffix=subject_tag(ticket) if channel == "email" else "",
    )


def tell_safeguarding_leads(ticket):
    """Tell the designated safeguarding leads who can see the ticket that one is waiting. The
    email names the reference and nothing else. Returns how many were told."""
    from accounts.models import User
    from support.models import Ticket

    leads = User.objects.filter(is_active=True, is_safeguarding_lead=True).exclude(email="")
    count = 0
    for lead in leads:
        if not Ticket.objects.visible_to(lead).filter(pk=ticket.pk).exists():
            continue
        send_to_family(
            recipient=Recipient(email=lead.email), template="safeguarding_lead", channel="email",
            context={"ticket": ticket, "reference": ticket.reference, "link": site_url() + ticket.get_absolute_url()},
            language=settings.LANGUAGE_CODE, key=f"safeguarding-lead:{ticket.pk}:{lead.pk}", ticket=ticket,
            threads_replies=False,
        )
        count += 1
    return count


def send_access_code(*, ticket, code, channel):
    """The one-time code that lets a family back into their ticket, to the phone or email they gave."""
    recipient = Recipient(phone=ticket.requester_phone, email=ticket.requester_contact_email)
    return send_to_family(
        recipient=recipient, template="access_code", channel=channel, language=ticket.language,
        context={"code": code, "reference": ticket.reference, "minutes": settings.SUPPORT_ACCESS_CODE_MINUTES},
        key=f"access-code:{code_key(ticket, code)}", ticket=ticket,
    )


def code_key(ticket, code):
    return hashlib.sha256(f"{ticket.pk}:{code}".encode()).hexdigest()[:32]
