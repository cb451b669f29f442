"""Demo messaging: a Somali family texts in from the number we hold for their child, so the
queue shows a ticket that came in by text and the outbox shows the reply we sent. Safe to run
twice (the text has a fixed provider id)."""

from allocations.models import Child
from messaging.services import receive_text


def seed(stdout, style):
    child = Child.objects.filter(preferred_language="so").exclude(guardian_phone="").order_by("pk").first()
    if child is None:
        stdout.write("  messaging: no Somali-speaking family in the demo data; no text made")
        return
    inbound = receive_text(sender=child.guardian_phone, body="laptop-ka ma shaqeynayo", provider_id="demo-text-somali-1")
    stdout.write(f"  messaging: a text from {child.guardian_name or 'a family'} ({inbound.get_outcome_display().lower()})")
