"""Printable device labels: A4 sheets for the common label layouts, as a PDF.

Each label carries the owning council's name, what the device is, its serial and asset tag, the
support line, a Code 128 barcode of the asset tag (or the serial when it has none) for a
keyboard-wedge scanner, and a QR code of ``SUPPORT_SITE_URL/d/<serial>/``
(``devices:device_code``), which opens the device's page for staff who may see it and the
family help form with the serial filled in for anyone else.

The QR code's modules are drawn as one path per label from segno's matrix (the library
default, reportlab's ``QrCodeWidget``, draws a rectangle object per module and is measured
beside ours in ``benchmarks/labels.py``); the barcode is reportlab's ``Code128``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import segno
from django.conf import settings
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

#: Most labels in one PDF: 100 sheets of 21. More is refused with a message (filter further).
MAX_LABELS = 2100


@dataclass(frozen=True)
class Layout:
    """An A4 label sheet: label size, grid and the sheet's top-left margins (all in mm)."""

    code: str
    name: str
    columns: int
    rows: int
    width: float
    height: float
    left: float
    top: float
    pitch_x: float
    pitch_y: float

    @property
    def per_sheet(self):
        return self.columns * self.rows


LAYOUTS = {
    layout.code: layout
    for layout in (
        Layout("21", "21 a sheet, 63.5 × 38.1 mm (Avery L7160 and equivalents)", 3, 7, 63.5, 38.1, 7.2, 15.15, 66.0, 38.1),
        Layout("14", "14 a sheet, 99.1 × 38.1 mm (Avery L7163 and equivalents)", 2, 7, 99.1, 38.1, 4.65, 15.15, 101.6, 38.1),
        Layout("24", "24 a sheet, 63.5 × 33.9 mm (Avery L7159 and equivalents)", 3, 8, 63.5, 33.9, 7.2, 12.9, 66.0, 33.9),
    )
}
DEFAULT_LAYOUT = "21"


def code_url(serial):
    """What a label's QR code opens (absolute: a phone's camera has no base URL)."""
    from django.urls import reverse

    return settings.SUPPORT_SITE_URL.rstrip("/") + reverse("devices:device_code", args=[serial])


def _qr_path(c, data, x, y, size):
    """Draw ``data`` as a QR code of ``size`` points with its bottom-left corner at (x, y):
    one filled path of one rectangle per run of dark modules in a row."""
    # A fixed mask: segno's search for the best of the eight masks is 80% of a label's time
    # (13 ms of 16), and any mask is a valid, readable code (ISO/IEC 18004 chooses the best
    # only to avoid patterns that can slow a reader down).
    qr = segno.make(data, error="m", mask=0)
    matrix = qr.matrix
    n = len(matrix)
    quiet = 2
    module = size / (n + 2 * quiet)
    path = c.beginPath()
    for r, row in enumerate(matrix):
        top = y + size - (quiet + r + 1) * module
        col = 0
        while col < n:
            if row[col]:
                start = col
                while col < n and row[col]:
                    col += 1
                path.rect(x + (quiet + start) * module, top, (col - start) * module, module)
            else:
                col += 1
    c.drawPath(path, stroke=0, fill=1)


def _fit(c, text, font, size, width):
    """``text`` cut (with an ellipsis) to fit ``width`` points in ``font`` at ``size``."""
    if c.stringWidth(text, font, size) <= width:
        return text
    while text and c.stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text + "…"


def _barcode(c, value, x, y, width, height):
    """A Code 128 barcode of ``value`` in a box ``width`` wide, bars ``height`` tall, with the
    value printed under it; bars as wide as fit up to 0.33 mm (scanners read 0.19 mm and up)."""
    probe = Code128(value, barWidth=1, barHeight=height, quiet=False, humanReadable=False)
    bar = min(0.33 * mm, width / max(probe.width, 1))
    code = Code128(value, barWidth=bar, barHeight=height, quiet=False, humanReadable=False)
    code.drawOn(c, x, y + 6)
    c.setFont("Helvetica", 5.5)
    c.drawString(x, y, _fit(c, value, "Helvetica", 5.5, width))


def draw_label(c, device, x, y, layout, *, qr=_qr_path):
    """One label with its bottom-left corner at (x, y) points."""
    w, h = layout.width * mm, layout.height * mm
    pad = 2.5 * mm
    qr_size = min(h - 2 * pad, w * 0.38)
    qr(c, code_url(device["serial"]), x + pad, y + h - pad - qr_size, qr_size)
    tx = x + pad + qr_size + 1.5 * mm
    tw = x + w - pad - tx
    line = y + h - pad - 6
    c.setFont("Helvetica-Bold", 7)
    c.drawString(tx, line, _fit(c, device["la"], "Helvetica-Bold", 7, tw))
    c.setFont("Helvetica", 6)
    for text in (device["what"], _("Serial: %(serial)s") % {"serial": device["serial"]},
                 _("Asset tag: %(tag)s") % {"tag": device["asset_tag"]} if device["asset_tag"] else "",
                 _("Help: %(phone)s") % {"phone": settings.SUPPORT_PHONE}):
        if text:
            line -= 7.5
            c.drawString(tx, line, _fit(c, text, "Helvetica", 6, tw))
    bar_height = max(4 * mm, min(7 * mm, line - y - pad - 8))
    _barcode(c, device["asset_tag"] or device["serial"], tx, y + pad, tw, bar_height)


def label_rows(queryset):
    """What the labels need from ``queryset`` (devices already scoped by the caller), as dicts
    from one query."""
    from devices.models import DeviceKind

    kinds = dict(DeviceKind.choices)
    rows = queryset.order_by("pk").values("serial", "asset_tag", "kind", "make", "model", "local_authority__name")
    return [
        {"serial": r["serial"], "asset_tag": r["asset_tag"], "la": r["local_authority__name"],
         "what": " ".join(str(p) for p in (kinds.get(r["kind"], r["kind"]), r["make"], r["model"]) if p)}
        for r in rows
    ]


def label_sheet_pdf(rows, layout, *, qr=_qr_path):
    """The PDF (bytes) of ``rows`` (from ``label_rows``) on sheets of ``layout``: one page per
    sheet, labels filled left to right, top to bottom."""
    buffer = io.BytesIO()
    c = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    c.setTitle(_("Device labels"))
    c.setAuthor(str(settings.SERVICE_NAME))
    page_h = A4[1]
    for i, row in enumerate(rows):
        slot = i % layout.per_sheet
        if i and slot == 0:
            c.showPage()
        col, r = slot % layout.columns, slot // layout.columns
        x = (layout.left + col * layout.pitch_x) * mm
        y = page_h - (layout.top + r * layout.pitch_y) * mm - layout.height * mm
        draw_label(c, row, x, y, layout, qr=qr)
    c.showPage()
    c.save()
    return buffer.getvalue()
