"""Messaging scenarios: a text to every family of an LA, sending it, and an inbound text.

- ``messaging_queue``: 10,000 texts (one per family of an LA, each with its own name, language
  and link) queued by ``messaging.services.send_to_families``. Anchor: the one-at-a-time path
  (``send_to_family`` per family, as a loop in a view would), timed on ``ANCHOR_SAMPLE`` families
  and extrapolated linearly (``extra`` says so).
- ``messaging_send``: the 10,000 queued texts sent by one worker (``deliver_pending``) to the
  local Notify server through the real client, with the rate limiter at ``RAISED_RATE`` a minute
  (a limit Notify raises on request; its default is 3,000, at which 10,000 texts take at least
  (10,000 - 1,001) / 50 = 180 s, and the limiter keeps to it: ``rate_check`` sends a burst at
  the default limit and reports the most requests Notify saw in any second). Anchor: a new
  Notify client per message (a new connection each), on a sample, extrapolated.
- ``inbound_text``: Notify's inbound-text callback answered through the test Client, median of
  ``INBOUND_REQUESTS``, with ``OPEN_TICKETS`` open tickets in the queue, half the texts threading
  into one and half opening new tickets. Anchor: matching the sender by normalising every open
  ticket's number in Python (what a helpdesk without normalised numbers does), then the same
  service, on a sample.
"""

from __future__ import annotations

import json
import statistics
import time
import uuid

from benchmarks import Result

FAMILIES = 10_000
ANCHOR_SAMPLE = 500
SEND_ANCHOR_SAMPLE = 300
RAISED_RATE = 20_000
INBOUND_REQUESTS = 200
INBOUND_ANCHOR_SAMPLE = 10


def _families(n, tag):
    from messaging.services import Recipient

    languages = ["so", "ur", "bn", "pl", "ar", "en", "tr", "ro"]
    for i in range(n):
        yield {
            "recipient": Recipient(phone=f"+447{400000000 + i:09d}"[:13]),
            "context": {"reference": f"R{i:07d}", "link": f"https://devices.example/help/t/R{i:07d}/x/", "name": f"Family {i}"},
            "language": languages[i % len(languages)],
            "key": f"bench-{tag}-{i}",
        }


def _settings(server):
    from messaging.tests.notify_server import API_KEY

    return {
        "MESSAGING_DRIVERS": {"sms": "notify", "email": "notify", "letter": "notify"},
        "NOTIFY_API_KEY": API_KEY, "NOTIFY_BASE_URL": server.base_url, "NOTIFY_TIMEOUT": 10,
        "TASKS": {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}},
    }


def _templates(server):
    from messaging.models import NotifyTemplate

    NotifyTemplate.objects.filter(template="bench").delete()
    for channel in ("sms", "email"):
        template_id = uuid.uuid4()
        NotifyTemplate.objects.create(template="*", channel=channel, language="en", notify_template_id=template_id)
        server.state.templates.add(str(template_id))


def _clean():
    from messaging.models import NotifyTemplate, OutboundMessage

    OutboundMessage.objects.filter(idempotency_key__startswith="bench-").delete()
    NotifyTemplate.objects.filter(template="*").delete()


def messaging_queue(scale, stdout):
    from django.db import transaction
    from django.test.utils import override_settings

    from messaging.models import OutboundMessage
    from messaging.services import send_to_families, send_to_family
    from messaging.tests.notify_server import FakeNotify

    server = FakeNotify().start()
    try:
        with override_settings(**_settings(server)):
            _clean()
            started = time.perf_counter()
            with transaction.atomic():
                created = send_to_families(template="ticket_news", channel="sms", items=_families(FAMILIES, "q"))
            ours = time.perf_counter() - started
            started = time.perf_counter()
            with transaction.atomic():
                for item in _families(ANCHOR_SAMPLE, "anchor"):
                    send_to_family(template="ticket_news", channel="sms", recipient=item["recipient"], context=item["context"],
                                   language=item["language"], key=item["key"])
            anchor = (time.perf_counter() - started) * FAMILIES / ANCHOR_SAMPLE
            queued = OutboundMessage.objects.filter(idempotency_key__startswith="bench-q-").count()
            OutboundMessage.objects.filter(idempotency_key__startswith="bench-anchor-").delete()
    finally:
        server.stop()
    return Result("messaging_queue", ours, anchor, {"texts": created, "rows": queued, "anchor": f"extrapolated_from_{ANCHOR_SAMPLE}",
                                                    "target_s": 5})


def messaging_send(scale, stdout):
    from django.test.utils import override_settings

    from messaging import services
    from messaging.models import OutboundMessage, Status
    from messaging.tests.notify_server import FakeNotify

    server = FakeNotify().start()
    try:
        with override_settings(**_settings(server), MESSAGING_RATE_LIMIT_PER_MINUTE=RAISED_RATE):
            _templates(server)
            if not OutboundMessage.objects.filter(idempotency_key__startswith="bench-q-", status=Status.QUEUED).exists():
                messaging_queue(scale, stdout)
                _templates(server)
            started = time.perf_counter()
            sent = services.deliver_pending()
            ours = time.perf_counter() - started
            delivered = len(server.state.notifications)
            # Anchor: one message at a time (claim, send, record: a task per message, as a plain
            # queue does) with a new client (and connection) per message, on a sample.
            sample = list(OutboundMessage.objects.filter(idempotency_key__startswith="bench-q-").values_list("pk", flat=True)[:SEND_ANCHOR_SAMPLE])
            OutboundMessage.objects.filter(pk__in=sample).update(status=Status.QUEUED, not_before=None, attempts=0)
            from messaging import drivers

            started = time.perf_counter()
            for pk in sample:
                drivers._local.__dict__.pop("drivers", None)  # a new Notify client for every message
                services.deliver(pk)
            anchor = (time.perf_counter() - started) * max(sent, 1) / len(sample) if sample else 0.0
        # The limiter at Notify's default: the most requests in any one second of a 1,500-text burst.
        with override_settings(**_settings(server), MESSAGING_RATE_LIMIT_PER_MINUTE=3000):
            services._limiters.clear()
            limiter = services.limiter()
            stamps = []
            for _ in range(1500):
                limiter.take()
                stamps.append(time.monotonic())
            burst = sum(1 for t in stamps if t < stamps[0] + 0.5)
            after = stamps[limiter.capacity:]
            rate_after = (len(after) - 1) / (after[-1] - after[0]) * 60 if len(after) > 1 else 0
    finally:
        server.stop()
        _clean()
    return Result("messaging_send", ours, anchor, {
        "texts": sent, "at_notify": delivered, "rate_per_min": RAISED_RATE, "target_s": 60,
        "anchor": f"new_client_per_message_extrapolated_from_{SEND_ANCHOR_SAMPLE}",
        "default_limit_burst": burst, "default_limit_per_min_after_burst": round(rate_after),
    })


OPEN_TICKETS = 5_000


def _open_tickets(n):
    """``n`` open family tickets with phone numbers, as a busy queue has (bulk-made, removed after)."""
    from support.models import Category, Source, Ticket, hash_token
    from support.services import new_reference

    Ticket.objects.bulk_create([
        Ticket(reference=new_reference(), access_token_hash=hash_token(f"bench-{i}"), source=Source.FAMILY,
               category=Category.OTHER, description="bench", requester_name="bench-inbound",
               requester_phone=f"+447{500000000 + i:09d}"[:13], language="en")
        for i in range(n)
    ], batch_size=1000, ignore_conflicts=True)


def _naive_match(sender):
    """The naive match: every open ticket's stored number normalised in Python and compared."""
    import phonenumbers

    from support.models import OPEN_STATUSES, Ticket

    wanted = phonenumbers.format_number(phonenumbers.parse(sender, "GB"), phonenumbers.PhoneNumberFormat.E164)
    for ticket in Ticket.objects.filter(status__in=OPEN_STATUSES).only("pk", "requester_phone").iterator():
        if ticket.requester_phone and phonenumbers.format_number(
            phonenumbers.parse(ticket.requester_phone, "GB"), phonenumbers.PhoneNumberFormat.E164
        ) == wanted:
            return ticket
    return None


def inbound_text(scale, stdout):
    from django.test import Client
    from django.test.utils import override_settings

    from messaging.models import InboundMessage
    from messaging.services import receive_text
    from support.models import Ticket

    token = "bench-inbound-token-0123456789"
    client = Client(secure=True, headers={"x-forwarded-proto": "https"})
    texts = ["laptop-ka ma shaqeynayo", "mera laptop kaam nahi kar raha", "my dongle has no data left", "Laptop się nie włącza"]

    def sender(i):
        # Half the texts come from numbers with an open ticket, half from new numbers.
        return f"07{500000000 + i:09d}" if i % 2 == 0 else f"07{600000000 + i:09d}"

    def post(i):
        payload = {"id": f"bench-in-{uuid.uuid4()}", "source_number": sender(i), "message": texts[i % len(texts)],
                   "date_received": "2026-12-01T10:00:00.000000Z"}
        started = time.perf_counter()
        response = client.post("/callbacks/notify/inbound-text/", data=json.dumps(payload), content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}")
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"inbound callback answered {response.status_code}")
        return elapsed

    def naive(i):
        started = time.perf_counter()
        _naive_match(sender(i))
        receive_text(sender=sender(i), body=texts[i % len(texts)], provider_id=f"bench-in-anchor-{uuid.uuid4()}")
        return time.perf_counter() - started

    with override_settings(NOTIFY_INBOUND_TOKEN=token, MESSAGING_DRIVERS={"sms": "outbox", "email": "outbox", "letter": "outbox"},
                           TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        _open_tickets(OPEN_TICKETS)
        try:
            post(0)  # warm the detector and the URL resolver
            ours = statistics.median(post(i) for i in range(1, INBOUND_REQUESTS + 1))
            anchor = statistics.median(naive(i) for i in range(INBOUND_ANCHOR_SAMPLE))
        finally:
            InboundMessage.objects.filter(provider_id__startswith="bench-in").delete()
            Ticket.objects.filter(requester_phone__startswith="+44750").delete()
            Ticket.objects.filter(requester_phone__startswith="+44760").delete()
    return Result("inbound_text", ours, anchor, {"requests": INBOUND_REQUESTS, "open_tickets": OPEN_TICKETS, "target_s": 0.1,
                                                 "anchor": f"python_scan_of_open_tickets_median_of_{INBOUND_ANCHOR_SAMPLE}"})


SCENARIOS = [messaging_queue, messaging_send, inbound_text]
