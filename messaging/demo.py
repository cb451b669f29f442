"""Demo messaging: a Somali family texts in from the number we hold for their child, so the
queue shows a ticket that came in by text and the outbox shows the reply we sent. Safe to run
twice (the text has a fixed provider id)."""

from allocations.models import Child
from messaging.services import receive_text


def seed(stdout, style):
    child = Child.objects.filter(preferred_language="so").exclude(guardian_phone="").order_by("pk").first()
    if child is None:
        stdout.write("  messaging: no Somali-speaking family in the demo data; no text made")
        seed_mailbox(stdout)
        return
    inbound = receive_text(sender=child.guardian_phone, body="laptop-ka ma shaqeynayo", provider_id="demo-text-somali-1")
    stdout.write(f"  messaging: a text from {child.guardian_name or 'a family'} ({inbound.get_outcome_display().lower()})")
    seed_mailbox(stdout)


def seed_mailbox(stdout):
    """The demo's local mailbox gets the sample emails (a Polish family's new request and an
    out-of-office that must open nothing), for the worker's next poll. Emails already taken
    are not dropped again."""
    from pathlib import Path

    from django.conf import settings

    from messaging.models import InboundMessage

    url = settings.MESSAGING_MAILBOX_URL or ""
    if not url.startswith("maildir://"):
        return
    root = Path(url[len("maildir://"):])
    fixtures = Path(settings.BASE_DIR) / "fixtures" / "mail"
    dropped = 0
    from email import message_from_bytes

    from messaging.inbound_email import provider_id_for

    for sample in sorted(fixtures.glob("*.eml")):
        raw = sample.read_bytes()
        if InboundMessage.objects.filter(channel="email", provider_id=provider_id_for(raw, message_from_bytes(raw).get("Message-ID"))).exists():
            continue
        target = root / "new" / f"demo-{sample.stem}.eml"
        if target.exists() or any((root / "cur").glob(f"demo-{sample.stem}.eml*")):
            continue
        (root / "new").mkdir(parents=True, exist_ok=True)
        (root / "cur").mkdir(parents=True, exist_ok=True)
        (root / "tmp").mkdir(parents=True, exist_ok=True)
        target.write_bytes(raw)
        dropped += 1
    stdout.write(f"  messaging: {dropped} sample email(s) in the demo mailbox ({root})")
