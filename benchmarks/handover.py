"""Handover in person (issue 17): the device picker's search and the acceptance PDF.

``device_picker``: the allocate page's search over the LA with the most devices, for a word
that matches many of them ("SYN"): ours is ``allocations.forms.allocatable_devices`` (one query:
status, ownership and "no active allocation" as an ``EXISTS`` in SQL, ``LIMIT 21``); the anchor
is the naive way, every device of the LA loaded and the active allocations checked in Python,
then sorted and cut to 21 (what a list built from ``Device.objects.filter(...)`` and a loop does).

``acceptance_pdf``: one signed acceptance in Urdu and English (``allocations.acceptance
.render_pdf``: the Urdu lines shaped by Pillow/Raqm at 300 dpi with an invisible text layer);
the anchor is the same page with every line as reportlab's plain text, which renders Urdu
unjoined and in the wrong order: the ratio (below 1) is the price of correct Urdu.
"""

from __future__ import annotations

import datetime
import time

from benchmarks import Result


def _superuser():
    from accounts.models import User

    return User(username="bench", is_superuser=True, is_active=True)


def device_picker(scale, stdout):
    from django.db.models import Count

    from allocations.forms import PICKER_LIMIT, allocatable_devices
    from allocations.models import Allocation, Child
    from devices.models import Device

    top = Device.objects.values("local_authority_id").annotate(n=Count("id")).order_by("-n").first()
    child = Child.objects.filter(local_authority_id=top["local_authority_id"]).first() if top else None
    if child is None:
        return Result("device_picker", 0.0, 0.0, {"skipped": "no synthetic data"})
    user = _superuser()
    query = "SYN" if Device.objects.filter(serial__startswith="SYN").exists() else ""
    runs = 5
    started = time.perf_counter()
    for _ in range(runs):
        ours = allocatable_devices(user, child, query)
    ours_s = (time.perf_counter() - started) / runs

    def naive():
        devices = list(Device.objects.visible_to(user).filter(local_authority_id=child.local_authority_id))
        active = set(Allocation.objects.active().values_list("device_id", flat=True))
        q = query.lower()
        found = [
            d for d in devices
            if d.status in ("delivered", "in_stock", "returned") and d.ownership == "la" and d.pk not in active
            and (not q or any(q in (v or "").lower() for v in (d.serial, d.asset_tag, d.make, d.model)))
        ]
        found.sort(key=lambda d: (d.kind, d.make, d.model, d.serial))
        return found[: PICKER_LIMIT + 1]

    started = time.perf_counter()
    for _ in range(runs):
        anchor = naive()
    anchor_s = (time.perf_counter() - started) / runs
    assert [d.pk for d in ours] == [d.pk for d in anchor], "the picker and the naive way disagree"
    return Result("device_picker", ours_s, anchor_s, {"la_devices": top["n"], "listed": len(ours), "query": query or "(none)"})


def acceptance_pdf(scale, stdout):
    from django.utils import timezone

    from accounts.models import LocalAuthority, School
    from allocations import acceptance
    from allocations.models import Allocation, Child
    from devices.models import Device

    la = LocalAuthority(code="999", name="Benchmark Borough")
    school = School(urn="999999", name="Benchmark School", local_authority=la)
    child = Child(local_authority=la, school=school, reference="B1", first_name="Ayesha", last_name="Khan", preferred_language="ur")
    device = Device(kind="laptop", make="Lenovo", model="300e", serial="BENCH0001", local_authority=la)
    allocation = Allocation(child=child, device=device, status="handed_over", handed_over_on=datetime.date.today())
    sections = acceptance.acceptance_sections(allocation, ["device", "charger"])
    kwargs = dict(allocation=allocation, sections=sections, guardian_name="Samina Khan", method="typed", signature_png=b"",
                  signed_at=timezone.now(), witness_name="Bench")
    acceptance.render_pdf(**kwargs)  # fonts loaded once, as in a running server
    runs = 3
    started = time.perf_counter()
    for _ in range(runs):
        pdf, languages = acceptance.render_pdf(**kwargs)
    ours_s = (time.perf_counter() - started) / runs

    def plain():
        import io

        from reportlab.lib.pagesizes import A4
        from reportlab.pdfgen import canvas as rl_canvas

        out = io.BytesIO()
        c = rl_canvas.Canvas(out, pagesize=A4)
        writer = acceptance._Writer(c, *A4, 50)
        for section in sections:
            for paragraph in [*section["paragraphs"], section["kit_heading"], *section["kit"], section["statement"]]:
                writer.c.setFont(acceptance._rl_font("Acc-plain-ur", acceptance.find_font(acceptance.SCRIPT_FONTS["ur"])), 11)
                writer.need(16)
                writer.y -= 16
                writer.c.drawString(50, writer.y, paragraph[:120])
        c.save()
        return out.getvalue()

    started = time.perf_counter()
    for _ in range(runs):
        plain_pdf = plain()
    anchor_s = (time.perf_counter() - started) / runs
    return Result("acceptance_pdf", ours_s, anchor_s,
                  {"languages": ",".join(languages), "pdf_kb": len(pdf) // 1024, "plain_pdf_kb": len(plain_pdf) // 1024})


SCENARIOS = [device_picker, acceptance_pdf]
