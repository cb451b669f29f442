"""What a family letter needs: its languages (the family's, with English beside it), the
device, and a QR code to the help form already filled with the device's serial."""

from urllib.parse import urlencode

import segno
from django.conf import settings
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language_info

from devices.models import Ownership

KINDS = ("handover", "ownership")
#: Languages written right to left; their letter sections carry dir="rtl".
RTL_LANGUAGES = {"ar", "ur", "fa", "he", "ps", "ku"}


def help_url(request, serial):
    """The family help form, absolute, already filled with the device's serial (``request`` None:
    from ``SUPPORT_SITE_URL``, for a letter sent by post)."""
    path = "/help/?" + urlencode({"serial": serial})
    if request is None:
        return settings.SUPPORT_SITE_URL.rstrip("/") + path
    return request.build_absolute_uri(path)


def letter_section_texts(allocation, kind):
    """The letter as plain text per language section (the family's, then English), as
    ``[(section, [paragraph, ...])]``, from the same template and translations as the printed
    letter (also what the handover acceptance PDF prints)."""
    import re

    from django.template.loader import render_to_string
    from django.utils import translation
    from django.utils.html import strip_tags

    context = letter_context(allocation, None, kind=kind)
    context["support_phone"] = settings.SUPPORT_PHONE
    parts = []
    for i, section in enumerate(context["sections"]):
        with translation.override(section["code"]):
            html = render_to_string("allocations/_letter_body.html", {**context, "first": i == 0})
        html = re.sub(r"</(p|h1|h2|h3|dd)>", "\n", html)
        text = strip_tags(html.replace("<br>", "\n"))
        lines = [" ".join(line.split()) for line in text.splitlines()]
        parts.append((section, [line for line in lines if line]))
    return parts, context


def letter_text(allocation, kind):
    """The letter as plain text, each language's section in turn (the family's, then English),
    from the same template and translations as the printed letter: what a posted letter says."""
    sections, context = letter_section_texts(allocation, kind)
    parts = ["\n".join(lines) for _section, lines in sections]
    parts.append(context["help_url"])
    return "\n\n".join(parts), context["kind"]


def qr_svg(url, title):
    """An inline SVG QR code (no script, no style attribute: allowed by the CSP)."""
    svg = segno.make(url, error="m").svg_inline(scale=3, title=title, svgclass="app-letter__qr-code", lineclass=None, omitsize=True)
    return mark_safe(svg.replace("<svg ", '<svg role="img" focusable="false" ', 1))


def letter_sections(language):
    """The family's language first, then English; a single English section for English speakers."""
    codes = [language] if language in dict(settings.LANGUAGES) else []
    if "en" not in codes:
        codes.append("en")
    sections = []
    for code in codes:
        try:
            bidi = get_language_info(code)["bidi"]
        except KeyError:
            bidi = False
        rtl = code in RTL_LANGUAGES or bidi
        sections.append({"code": code, "dir": "rtl" if rtl else "ltr", "name": dict(settings.LANGUAGES).get(code, code)})
    return sections


def letter_context(allocation, request, kind=None):
    device = allocation.device
    # An ownership letter only once ownership has really passed to the family.
    if kind not in KINDS or (kind == "ownership" and device.ownership != Ownership.FAMILY):
        kind = "ownership" if device.ownership == Ownership.FAMILY else "handover"
    url = help_url(request, device.serial)
    return {
        "kind": kind,
        "child": allocation.child,
        "device": device,
        # ``None`` for a child who belongs to the LA directly: the letter says the council gave it.
        "school": allocation.child.school,
        "council": allocation.child.local_authority.name,
        "sections": letter_sections(allocation.child.preferred_language),
        "help_url": url,
        "qr_svg": qr_svg(url, device.serial),
        # Isolated left-to-right so the digit groups keep their order inside Urdu or Arabic text.
        "support_phone": format_html('<bdi dir="ltr">{}</bdi>', settings.SUPPORT_PHONE),
        "letter_date": allocation.handed_over_on or timezone.localdate(),
    }
