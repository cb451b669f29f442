"""The family's acceptance at a handover in person: its text in both languages, the signature
check, and the acceptance PDF.

**Text.** The acceptance reuses the handover letter (``letters.letter_section_texts``: what the
family receives, the rules, who to call, already translated in every catalogue) and adds the
kit handed over and one acceptance sentence, per language section (the family's, then English).

**Signature.** A PNG data URL drawn on a canvas (``static/js/allocations.js``) or a typed name.
``clean_signature`` bounds it (size of the data URL, of the image, its format) and refuses a
signature of nothing (an empty canvas: too few inked pixels). The PNG is re-encoded by Pillow, so
nothing but pixels is stored.

**PDF.** reportlab lays the page out. Latin-script text is real PDF text in Noto Sans. Every
other script (Urdu in Nastaliq, Arabic, Farsi and Pashto in Naskh, Bengali, Gujarati, Tamil,
Punjabi, Hindi, Tigrinya) needs contextual shaping and, for right-to-left scripts, bidi
reordering, which reportlab cannot do without uharfbuzz and rlbidi. Pillow's Raqm layout
(FriBiDi + HarfBuzz, in Pillow's wheels) does both, so each such line is drawn as a 300 dpi
greyscale image of the shaped line, with the same words laid over it as invisible text
(render mode 3, the way scanned PDFs carry their OCR text) so the PDF can still be searched,
copied and read by ``pdftotext``. The invisible text of a right-to-left line is written in
visual order (runs reversed; Latin and digit runs kept), so text extraction reads it back in
logical order.

Fonts are the OFL Noto fonts of Debian's ``fonts-noto-core`` (installed by ``.ci/run``; on
another machine set ``ACCEPTANCE_FONT_DIRS``). A language whose font is missing (Chinese needs
``fonts-noto-cjk``) is left out of the PDF, which then says so and carries English only;
``HandoverAcceptance.pdf_languages`` records which languages it holds.
"""

from __future__ import annotations

import base64
import binascii
import html
import io
import os
import re
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone, translation
from django.utils.translation import gettext as _

#: Longest signature data URL accepted (about 300 KB of PNG).
MAX_SIGNATURE_CHARS = 400_000
MAX_SIGNATURE_SIDE = 2000
MIN_SIGNATURE_SIDE = 40
#: An empty canvas, or a dot, is not a signature: at least this many inked pixels.
MIN_INKED_PIXELS = 60

DATA_URL = re.compile(r"^data:image/png;base64,([A-Za-z0-9+/=\s]+)$")

#: Font file per language (Latin-script languages use LATIN_FONT as real text).
SCRIPT_FONTS = {
    "ur": "NotoNastaliqUrdu-Regular.ttf",
    "ar": "NotoNaskhArabic-Regular.ttf",
    "fa": "NotoNaskhArabic-Regular.ttf",
    "ps": "NotoNaskhArabic-Regular.ttf",
    "bn": "NotoSansBengali-Regular.ttf",
    "gu": "NotoSansGujarati-Regular.ttf",
    "ta": "NotoSansTamil-Regular.ttf",
    "pa": "NotoSansGurmukhi-Regular.ttf",
    "hi": "NotoSansDevanagari-Regular.ttf",
    "ti": "NotoSansEthiopic-Regular.ttf",
    "zh-hans": "NotoSansCJK-Regular.ttc",
}
LATIN_FONT = "NotoSans-Regular.ttf"
LATIN_BOLD_FONT = "NotoSans-Bold.ttf"
DEFAULT_FONT_DIRS = ["/usr/share/fonts/truetype/noto", "/usr/share/fonts/opentype/noto"]
IMAGE_DPI = 300


def font_dirs():
    return list(getattr(settings, "ACCEPTANCE_FONT_DIRS", None) or DEFAULT_FONT_DIRS)


def find_font(filename):
    for directory in font_dirs():
        path = os.path.join(directory, filename)
        if os.path.exists(path):
            return path
    return None


def is_rtl(code):
    from allocations.letters import RTL_LANGUAGES

    return code in RTL_LANGUAGES or code in getattr(settings, "LANGUAGES_BIDI", ())


# Signature ---------------------------------------------------------------------------------


def clean_signature(data_url):
    """The PNG bytes of a drawn signature, re-encoded; ``ValidationError`` for anything that is
    not a bounded PNG data URL with ink on it."""
    from PIL import Image, UnidentifiedImageError

    data_url = (data_url or "").strip()
    if not data_url:
        raise ValidationError(_("Sign in the box, or type the name of the person receiving the device."), code="empty")
    if len(data_url) > MAX_SIGNATURE_CHARS:
        raise ValidationError(_("The signature is too large. Clear it and sign again."), code="too_large")
    match = DATA_URL.match(data_url)
    if not match:
        raise ValidationError(_("The signature could not be read. Clear it and sign again."), code="format")
    try:
        raw = base64.b64decode(re.sub(r"\s", "", match.group(1)), validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The signature could not be read. Clear it and sign again."), code="format") from None
    if not raw.startswith(b"\x89PNG\r\n\x1a\n"):
        raise ValidationError(_("The signature could not be read. Clear it and sign again."), code="format")
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            width, height = probe.size
            if probe.format != "PNG" or not (MIN_SIGNATURE_SIDE <= width <= MAX_SIGNATURE_SIDE and MIN_SIGNATURE_SIDE <= height <= MAX_SIGNATURE_SIDE):
                raise ValidationError(_("The signature box was the wrong size. Clear it and sign again."), code="size")
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            rgba = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError(_("The signature could not be read. Clear it and sign again."), code="format") from None
    # Ink: a pixel that is visible (alpha) and dark. A blank canvas is transparent or white.
    alpha = rgba.getchannel("A")
    grey = rgba.convert("L")
    ink = Image.eval(grey, lambda v: 255 if v < 160 else 0)
    visible = Image.eval(alpha, lambda v: 255 if v > 64 else 0)
    from PIL import ImageChops

    inked = ImageChops.multiply(ink, visible).histogram()[255]
    if inked < MIN_INKED_PIXELS:
        raise ValidationError(_("The signature box is empty. Ask the parent or carer to sign, or type their name instead."), code="blank")
    # Flatten onto white and re-encode: only pixels are kept.
    flat = Image.new("RGB", rgba.size, "white")
    flat.paste(rgba, mask=alpha)
    out = io.BytesIO()
    flat.convert("L").save(out, format="PNG", optimize=True)
    return out.getvalue()


def signature_data_url(png):
    return "data:image/png;base64," + base64.b64encode(bytes(png)).decode() if png else ""


# Text --------------------------------------------------------------------------------------


def acceptance_sections(allocation, kit_items):
    """``[{code, dir, name, paragraphs, kit, statement}]``: the acceptance in the family's
    language, then English."""
    from allocations.letters import letter_section_texts
    from allocations.models import KitItem

    sections, _context = letter_section_texts(allocation, "handover")
    out = []
    for section, paragraphs in sections:
        with translation.override(section["code"]):
            labels = dict(KitItem.choices)
            out.append({
                **section,
                "paragraphs": [html.unescape(p) for p in paragraphs],
                "kit_heading": _("What you received today"),
                "kit": [str(labels.get(item, item)) for item in kit_items],
                "statement": _("I have received the items listed above. I will look after them and follow the rules in this letter."),
                "signed_heading": _("Signed by the parent or carer"),
            })
    return out


# PDF ---------------------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _pil_font(path, pixels):
    from PIL import ImageFont

    return ImageFont.truetype(path, pixels, layout_engine=ImageFont.Layout.RAQM)


_registered = set()


def _rl_font(name, path):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if name not in _registered:
        pdfmetrics.registerFont(TTFont(name, path))
        _registered.add(name)
    return name


#: The invisible text layer of a CJK section uses one of reportlab's built-in CID fonts (the
#: Noto CJK collection has PostScript outlines, which reportlab cannot embed; the visible text
#: is drawn from the Noto font by Pillow as for every other script).
CJK_LANGUAGES = {"zh-hans": "STSong-Light"}


def _cid_font(name):
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if name not in _registered:
        pdfmetrics.registerFont(UnicodeCIDFont(name))
        _registered.add(name)
    return name


_LTR_RUN = re.compile(r"[A-Za-z0-9@+./:\-_]+(?:[ ][A-Za-z0-9@+./:\-_]+)*")


def visual_order(text):
    """A right-to-left line in visual order for the invisible text layer: the order of runs is
    reversed and right-to-left runs read backwards; runs of Latin letters and digits keep theirs."""
    pieces, last = [], 0
    for match in _LTR_RUN.finditer(text):
        if match.start() > last:
            pieces.append(text[last:match.start()][::-1])
        pieces.append(match.group(0))
        last = match.end()
    if last < len(text):
        pieces.append(text[last:][::-1])
    return "".join(reversed(pieces))


class _Writer:
    """Draws lines top to bottom on A4 pages, a new page when one is full."""

    def __init__(self, canvas, width, height, margin):
        self.c, self.width, self.height, self.margin = canvas, width, height, margin
        self.y = height - margin
        self.widths = {}

    def need(self, amount):
        if self.y - amount < self.margin:
            self.c.showPage()
            self.y = self.height - self.margin

    def latin(self, text, *, size=11, bold=False, gap=4):
        from reportlab.lib.utils import simpleSplit

        font = _rl_font("AccBold" if bold else "AccSans", find_font(LATIN_BOLD_FONT if bold else LATIN_FONT) or find_font(LATIN_FONT))
        for line in simpleSplit(text, font, size, self.width - 2 * self.margin) or [""]:
            self.need(size * 1.4)
            self.y -= size * 1.4
            self.c.setFont(font, size)
            self.c.drawString(self.margin, self.y, line)
        self.y -= gap

    def shaped(self, text, *, code, path, size=11, gap=4):
        """A paragraph of a complex script: wrapped by its shaped width, each line an image of
        the shaped text (runs of Latin letters and digits in Noto Sans, the rest in the script's
        font, laid out right to left for RTL languages) with the words laid over it as
        invisible text."""
        from PIL import Image, ImageDraw
        from reportlab.lib.utils import ImageReader

        direction = "rtl" if is_rtl(code) else "ltr"
        language = code.split("-")[0]
        pixels = int(size * IMAGE_DPI / 72)
        script_font = _pil_font(path, pixels)
        latin_font = _pil_font(find_font(LATIN_FONT), int(pixels * 0.85))

        def runs(line):
            """``[(text, font, direction)]`` in logical order."""
            out, last = [], 0
            for match in _LTR_RUN.finditer(line):
                if match.start() > last:
                    out.append((line[last:match.start()], script_font, direction))
                out.append((match.group(0), latin_font, "ltr"))
                last = match.end()
            if last < len(line):
                out.append((line[last:], script_font, direction))
            return out

        widths = self.widths  # per PDF: Raqm takes ~5 ms a call with Nastaliq; words repeat

        def width_of(piece, font, piece_dir):
            key = (id(font), piece, piece_dir)
            if key not in widths:
                widths[key] = font.getlength(piece, direction=piece_dir, language=language if font is script_font else "en")
            return widths[key]

        def measure(line):
            return sum(width_of(t, f, d) for t, f, d in runs(line))

        # Wrapped by the sum of each word's shaped width (a space ends an Arabic-script join,
        # so words shape independently), measured once per word: measuring every candidate
        # line cost 5 s an acceptance. A 3% margin absorbs kerning across word boundaries.
        limit = (self.width - 2 * self.margin) * IMAGE_DPI / 72 * 0.97
        # Chinese has no spaces between words: it breaks between any two characters (a run of
        # Latin words and digits, such as "Lenovo 300e" or a serial number, stays whole).
        cjk = code in CJK_LANGUAGES
        words, sep = (re.findall(r"[A-Za-z0-9@+./:\-_]+(?: [A-Za-z0-9@+./:\-_]+)*|\S", text), "") if cjk else (text.split(), " ")
        space = 0 if cjk else (measure(" ") or pixels / 4)
        lines, current, used = [], [], 0.0
        for word in words:
            width = measure(word)
            if current and used + space + width > limit:
                lines.append(sep.join(current))
                current, used = [word], width
            else:
                used += (space if current else 0) + width
                current.append(word)
        if current:
            lines.append(sep.join(current))
        ascent, descent = script_font.getmetrics()
        line_px = ascent + descent
        rl_font = _cid_font(CJK_LANGUAGES[code]) if cjk else _rl_font(f"Acc-{os.path.basename(path)}", path)
        for line in lines:
            pieces = runs(line)
            if direction == "rtl":
                pieces = list(reversed(pieces))
            piece_widths = [width_of(t, f, d) for t, f, d in pieces]
            image = Image.new("L", (max(int(sum(piece_widths)) + 8, 1), line_px), 255)
            draw = ImageDraw.Draw(image)
            x_px = 4
            for (piece, font, piece_dir), w in zip(pieces, piece_widths):
                top = 0 if font is script_font else ascent - font.getmetrics()[0]
                draw.text((x_px, top), piece, font=font, fill=0, direction=piece_dir,
                          language=language if font is script_font else "en")
                x_px += w
            h_pt, w_pt = line_px * 72 / IMAGE_DPI, image.width * 72 / IMAGE_DPI
            self.need(h_pt + 2)
            self.y -= h_pt + 2
            x = self.width - self.margin - w_pt if direction == "rtl" else self.margin
            self.c.drawImage(ImageReader(image), x, self.y, width=w_pt, height=h_pt)
            layer = self.c.beginText(x, self.y + descent * 72 / IMAGE_DPI)
            layer.setTextRenderMode(3)
            layer.setFont(rl_font, size)
            layer.textOut(visual_order(line) if direction == "rtl" else line)
            self.c.drawText(layer)
        self.y -= gap

    def text(self, text, *, code, size=11, bold=False, gap=4):
        path = SCRIPT_FONTS.get(code) and find_font(SCRIPT_FONTS[code])
        if code in SCRIPT_FONTS and path:
            self.shaped(text, code=code, path=path, size=size + (3 if code == "ur" else 0), gap=gap)
        else:
            self.latin(text, size=size, bold=bold, gap=gap)


def pdf_languages_for(sections):
    """The section codes the PDF can render (a complex script needs its font)."""
    return [s["code"] for s in sections if s["code"] not in SCRIPT_FONTS or find_font(SCRIPT_FONTS[s["code"]])]


def render_pdf(*, allocation, sections, guardian_name, method, signature_png, signed_at, witness_name):
    """The acceptance PDF: each language section in turn (the family's, then English), then the
    signature block. Returns ``(bytes, [language codes in the PDF])``."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas as rl_canvas

    if not find_font(LATIN_FONT):
        raise ValidationError(_("The acceptance PDF cannot be made: its fonts are not installed on this server."), code="fonts")
    languages = pdf_languages_for(sections)
    out = io.BytesIO()
    canvas = rl_canvas.Canvas(out, pagesize=A4, invariant=1, pageCompression=1)
    canvas.setTitle(f"{allocation.device.serial} – {allocation.child.first_name} {allocation.child.last_name}".strip())
    canvas.setAuthor(allocation.child.local_authority.name)
    width, height = A4
    writer = _Writer(canvas, width, height, 50)
    missing = [s for s in sections if s["code"] not in languages]
    for section in sections:
        if section["code"] not in languages:
            continue
        code = section["code"]
        for i, paragraph in enumerate(section["paragraphs"]):
            writer.text(paragraph, code=code, size=14 if i == 1 else 11, bold=i == 1)
        writer.text(section["kit_heading"], code=code, bold=True)
        for item in section["kit"]:
            writer.text(f"– {item}" if code not in SCRIPT_FONTS else item, code=code)
        writer.text(section["statement"], code=code, gap=16)
    if missing:
        writer.latin(_("This copy is in English only: the %(language)s text could not be printed here. Ask for the printed letter.")
                     % {"language": missing[0]["name"]})
    with translation.override("en"):
        writer.latin(_("Signed by the parent or carer"), bold=True)
        writer.latin(guardian_name or "–")
        if signature_png:
            image = ImageReader(io.BytesIO(bytes(signature_png)))
            w, h = image.getSize()
            scale = min(220 / w, 90 / h, 1)
            writer.need(h * scale + 8)
            writer.y -= h * scale + 4
            canvas.drawImage(image, writer.margin, writer.y, width=w * scale, height=h * scale)
            writer.y -= 4
        else:
            writer.latin(_("Typed name (no signature pad was available): %(name)s") % {"name": guardian_name})
        local = timezone.localtime(signed_at)
        writer.latin(_("Signed on %(when)s, witnessed by %(witness)s.") % {"when": local.strftime("%d/%m/%Y %H:%M"), "witness": witness_name})
        writer.latin(_("Device %(kind)s, serial number %(serial)s") % {"kind": allocation.device.get_kind_display(), "serial": allocation.device.serial})
    canvas.save()
    return out.getvalue(), languages
