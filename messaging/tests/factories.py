import uuid

import factory

from messaging.models import Channel, InboundMessage, InboundOutcome, OutboundMessage, Status


class OutboundMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboundMessage

    channel = Channel.SMS
    template = "ticket_reply"
    language = "en"
    recipient = "+447700900123"
    body = factory.Sequence(lambda n: f"Message number {n} to a family")
    status = Status.SENT
    provider_reference = factory.LazyFunction(lambda: uuid.uuid4().hex)
    idempotency_key = factory.LazyFunction(lambda: f"test:{uuid.uuid4().hex}")
    ticket = None
    local_authority = factory.LazyAttribute(lambda o: o.ticket.local_authority if o.ticket else None)
    school = factory.LazyAttribute(lambda o: o.ticket.school if o.ticket else None)


class InboundMessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InboundMessage

    channel = Channel.SMS
    provider_id = factory.LazyFunction(lambda: uuid.uuid4().hex)
    sender = "+447700900123"
    body = factory.Sequence(lambda n: f"Family text number {n}")
    outcome = InboundOutcome.THREADED
    ticket = None
