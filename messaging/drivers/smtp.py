"""Email through Django's own mail backend (``EMAIL_URL``: an SMTP server or relay).

Unlike Notify, SMTP lets us set the headers replies are threaded by: ``Message-ID`` (stored on
the row, matched against a reply's ``In-Reply-To``/``References``) and a ``Reply-To`` that
carries the ticket's thread token (``support+<token>@...``)."""

import smtplib
import socket

from django.conf import settings
from django.core.mail import EmailMessage

from messaging.drivers.base import Driver, PermanentFailure, Sent, TemporaryFailure


class SmtpDriver(Driver):
    name = "smtp"

    def send(self, message):
        if message.channel != "email":
            raise PermanentFailure("The SMTP driver sends email only.")
        # Auto-Submitted keeps families' auto-responders quiet (RFC 3834); X-Loop lets our own
        # mailbox recognise one of ours coming back.
        headers = {"Auto-Submitted": "auto-generated", "X-Loop": settings.MESSAGING_REPLY_ADDRESS}
        if message.email_message_id:
            headers["Message-ID"] = message.email_message_id
        reply_to = [message.reply_to] if getattr(message, "reply_to", "") else None
        email = EmailMessage(
            subject=message.subject, body=message.body, from_email=settings.DEFAULT_FROM_EMAIL, to=[message.recipient],
            reply_to=reply_to, headers=headers,
        )
        try:
            email.send(fail_silently=False)
        except smtplib.SMTPRecipientsRefused as error:
            raise PermanentFailure(f"The mail server refused the address: {error}"[:300], status="permanent-failure") from error
        except (smtplib.SMTPException, OSError, socket.timeout) as error:
            raise TemporaryFailure(f"The mail server did not take the email: {error.__class__.__name__}") from error
        return Sent(provider_id=(message.email_message_id or message.provider_reference)[:64])
