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
  ``INBOUND_REQUESTS``, half threading into open tickets and half opening new ones. Anchor: the
  same with a language detector built per message (lingua's plain use), on a sample.
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
            "recipient": Recipient(phone=f"07{700000000 + i:09d}"),
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
    from messaging.drivers.notify import NotifyDriver
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
            # Anchor: a new client (and connection) per message, on a sample.
            sample = list(OutboundMessage.objects.filter(idempotency_key__startswith="bench-q-")[:SEND_ANCHOR_SAMPLE])
            started = time.perf_counter()
            for message in sample:
                NotifyDriver().send(message)
            anchor = (time.perf_counter() - started) * max(sent, 1) / len(sample) if sample else 0.0
        # The limiter at Notify's default: the most requests in any one second of a 1,500-text burst.
        with override_settings(**_settings(server), MESSAGING_RATE_LIMIT_PER_MINUTE=3000):
            services._limiters.clear()
            limiter = services.limiter()
            stamps = []
            for _ in range(1500):
                limiter.take()
                stamps.append(time.monotonic())
            peak_1s = max(sum(1 for t in stamps if s <= t < s + 1) for s in stamps[::50])
            burst = sum(1 for t in stamps if t < stamps[0] + 0.5)
    finally:
        server.stop()
        _clean()
    return Result("messaging_send", ours, anchor, {
        "texts": sent, "at_notify": delivered, "rate_per_min": RAISED_RATE, "target_s": 60,
        "anchor": f"new_client_per_message_extrapolated_from_{SEND_ANCHOR_SAMPLE}",
        "default_limit_first_half_second": burst, "default_limit_peak_per_s_after": peak_1s,
    })


def inbound_text(scale, stdout):
    from django.test import Client
    from django.test.utils import override_settings

    from messaging.models import InboundMessage
    from support import language
    from support.models import Ticket

    token = "bench-inbound-token-0123456789"
    client = Client(secure=True, headers={"x-forwarded-proto": "https"})
    texts = ["laptop-ka ma shaqeynayo", "mera laptop kaam nahi kar raha", "my dongle has no data left", "Laptop się nie włącza"]

    def post(i, prefix):
        payload = {"id": f"{prefix}-{uuid.uuid4()}", "source_number": f"07{700100000 + (i % (INBOUND_REQUESTS // 2)):09d}",
                   "message": texts[i % len(texts)], "date_received": "2026-12-01T10:00:00.000000Z"}
        started = time.perf_counter()
        response = client.post("/callbacks/notify/inbound-text/", data=json.dumps(payload), content_type="application/json",
                               HTTP_AUTHORIZATION=f"Bearer {token}")
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"inbound callback answered {response.status_code}")
        return elapsed

    with override_settings(NOTIFY_INBOUND_TOKEN=token, MESSAGING_DRIVERS={"sms": "outbox", "email": "outbox", "letter": "outbox"},
                           TASKS={"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}):
        language.detect_language("warm up the detector")
        ours = statistics.median(post(i, "bench-in") for i in range(INBOUND_REQUESTS))
        original = language._detector
        try:
            language._detector = original.__wrapped__  # lingua built again for every message
            anchor = statistics.median(post(i, "bench-in-anchor") for i in range(INBOUND_ANCHOR_SAMPLE))
        finally:
            language._detector = original
        new = Ticket.objects.filter(inbound_messages__provider_id__startswith="bench-in")
        Ticket.objects.filter(pk__in=list(new.values_list("pk", flat=True))).delete()
        InboundMessage.objects.filter(provider_id__startswith="bench-in").delete()
    return Result("inbound_text", ours, anchor, {"requests": INBOUND_REQUESTS, "target_s": 0.1,
                                                 "anchor": f"detector_per_message_median_of_{INBOUND_ANCHOR_SAMPLE}"})


SCENARIOS = [messaging_queue, messaging_send, inbound_text]
