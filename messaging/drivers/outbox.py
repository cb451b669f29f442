"""The embedded default: nothing leaves the server; the outbox page shows what would be sent."""

from messaging.drivers.base import Driver, Sent


class OutboxDriver(Driver):
    name = "outbox"

    def send(self, message):
        return Sent(provider_id=f"outbox-{message.provider_reference}")

    def find_sent(self, message):
        # The outbox "sends" by recording: a row that reached the driver was recorded.
        return Sent(provider_id=f"outbox-{message.provider_reference}")
