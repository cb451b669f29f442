"""What every channel driver does, and the two ways it can fail."""

from dataclasses import dataclass


@dataclass
class Sent:
    """The provider accepted the message. ``status`` is ``sent`` unless it knows more."""

    provider_id: str
    status: str = "sent"


class TemporaryFailure(Exception):
    """Try again later (rate limited, provider down, timeout). ``retry_after`` in seconds, if known."""

    def __init__(self, reason, retry_after=None):
        super().__init__(reason)
        self.reason = str(reason)[:300]
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """Sending again will not help: a bad number or address, or a refusal to fix by configuration.

    ``status`` is the row's final status (permanent-failure: the recipient is wrong;
    technical-failure: something on our side)."""

    def __init__(self, reason, status="technical-failure"):
        super().__init__(reason)
        self.reason = str(reason)[:300]
        self.status = status


class Driver:
    """Sends one ``OutboundMessage``; the caller records the outcome.

    ``send`` returns ``Sent`` or raises ``TemporaryFailure``/``PermanentFailure``. ``find_sent``
    looks the message up at the provider by its ``provider_reference`` (for a send that was
    interrupted after the provider may have accepted it) and returns ``Sent`` or None."""

    name = "base"

    def send(self, message):  # pragma: no cover - interface
        raise NotImplementedError

    def find_sent(self, message):
        return None

    def status_of(self, message):
        """The provider's current status for a sent message, or None if it cannot say."""
        return None
