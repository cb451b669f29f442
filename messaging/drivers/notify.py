"""GOV.UK Notify, through its official client (``notifications-python-client``).

Texts, emails and letters are sent with the Notify template chosen in ``NotifyTemplate`` for the
message type, channel and language; our rendered text goes in the personalisation (``body``,
``subject``; letters also ``address_line_1``..``7``). Our ``provider_reference`` is sent as
Notify's ``reference``, so ``find_sent`` can ask Notify whether an interrupted send went through.

Notify's answers (https://docs.notifications.service.gov.uk/python.html#error-codes):
400 (bad number, bad personalisation, trial-mode recipient) is permanent; 403 (bad API key) is
permanent until someone fixes the key; 429 (rate or daily limit) and 5xx or no answer are retried.
"""

from django.conf import settings
from notifications_python_client.errors import APIError, TokenError
from notifications_python_client.notifications import NotificationsAPIClient
from requests import RequestException

from messaging.drivers.base import Driver, PermanentFailure, Sent, TemporaryFailure

#: Notify's statuses, as ours (ours use the same names where they exist).
NOTIFY_STATUSES = {
    "created": "sent", "sending": "sent", "pending": "sent", "sent": "sent", "accepted": "sent",
    "received": "delivered", "delivered": "delivered",
    "permanent-failure": "permanent-failure", "temporary-failure": "temporary-failure",
    "technical-failure": "technical-failure", "validation-failed": "permanent-failure",
    "cancelled": "technical-failure", "pending-virus-check": "sent", "virus-scan-failed": "technical-failure",
}

#: Notify's 400 errors that mean the recipient is wrong (the family should be reached another way).
RECIPIENT_ERRORS = ("phone_number", "email_address", "address", "postcode", "Not a UK mobile number", "recipient")


def _message_text(error):
    message = error.message
    if isinstance(message, list):
        message = "; ".join(
            f"{item.get('error', '')}: {item.get('message', '')}" if isinstance(item, dict) else str(item) for item in message
        )
    return f"Notify {error.status_code}: {message}"


class NotifyDriver(Driver):
    name = "notify"

    def __init__(self):
        self.client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=settings.NOTIFY_TIMEOUT
        )

    def template_id(self, message):
        from messaging.models import NotifyTemplate

        rows = {
            (row.template, row.language): str(row.notify_template_id)
            for row in NotifyTemplate.objects.filter(channel=message.channel, template__in=[message.template, "*"])
        }
        for key in ((message.template, message.language), (message.template, "en"), ("*", message.language), ("*", "en")):
            if key in rows:
                return rows[key]
        raise PermanentFailure(f"No Notify template for {message.template} ({message.channel}); add one in the admin.")

    def send(self, message):
        template_id = self.template_id(message)
        personalisation = {"body": message.body, "subject": message.subject, "reference": message.provider_reference}
        try:
            if message.channel == "sms":
                kwargs = {"sms_sender_id": settings.NOTIFY_SMS_SENDER_ID} if settings.NOTIFY_SMS_SENDER_ID else {}
                response = self.client.send_sms_notification(
                    phone_number=message.recipient, template_id=template_id, personalisation=personalisation,
                    reference=message.provider_reference, **kwargs,
                )
            elif message.channel == "email":
                kwargs = {"email_reply_to_id": settings.NOTIFY_EMAIL_REPLY_TO_ID} if settings.NOTIFY_EMAIL_REPLY_TO_ID else {}
                response = self.client.send_email_notification(
                    email_address=message.recipient, template_id=template_id, personalisation=personalisation,
                    reference=message.provider_reference, **kwargs,
                )
            else:
                lines = [line.strip() for line in message.recipient.splitlines() if line.strip()][:7]
                personalisation.update({f"address_line_{i}": line for i, line in enumerate(lines, 1)})
                response = self.client.send_letter_notification(
                    template_id=template_id, personalisation=personalisation, reference=message.provider_reference
                )
        except APIError as error:
            raise self.classify(error) from error
        except (RequestException, TokenError) as error:
            raise TemporaryFailure(f"Notify did not answer: {error.__class__.__name__}") from error
        if not isinstance(response, dict) or not response.get("id"):
            raise TemporaryFailure("Notify's answer had no notification id")
        return Sent(provider_id=str(response["id"])[:64])

    def classify(self, error):
        if getattr(error, "response", None) is None:
            # The client reports a connection failure or timeout as a 503 with no response.
            return TemporaryFailure("Notify did not answer (connection failed or timed out)")
        code, text = error.status_code, _message_text(error)
        if code == 429:
            return TemporaryFailure(text, retry_after=60)
        if code >= 500:
            return TemporaryFailure(text)
        if code == 400 and any(marker in text for marker in RECIPIENT_ERRORS):
            return PermanentFailure(text, status="permanent-failure")
        return PermanentFailure(text, status="technical-failure")

    def find_sent(self, message):
        try:
            found = self.client.get_all_notifications(reference=message.provider_reference)
        except APIError as error:
            raise self.classify(error) if error.status_code != 404 else PermanentFailure(_message_text(error)) from error
        except (RequestException, TokenError) as error:
            raise TemporaryFailure(f"Notify did not answer: {error.__class__.__name__}") from error
        for notification in (found or {}).get("notifications", []):
            if notification.get("reference") == message.provider_reference and notification.get("id"):
                return Sent(provider_id=str(notification["id"])[:64], status=NOTIFY_STATUSES.get(notification.get("status"), "sent"))
        return None

    def status_of(self, message):
        if not message.provider_id:
            return None
        try:
            notification = self.client.get_notification_by_id(message.provider_id)
        except (APIError, RequestException, TokenError):
            return None
        return NOTIFY_STATUSES.get((notification or {}).get("status"))
