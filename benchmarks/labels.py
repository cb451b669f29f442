"""``device_labels``: the PDF label sheet for 1,000 devices (21 a sheet, 48 pages).

- ours: ``devices.labels.label_sheet_pdf`` over ``label_rows`` of the first 1,000 synthetic
  devices (one query), each QR code drawn as one path of module runs from segno's matrix.
- anchor: the same sheet with each QR code drawn the library-default way, reportlab's own
  ``QrCodeWidget`` in a ``Drawing`` rendered onto the page (a rectangle object per module), the
  way reportlab's documentation shows it; the barcode, text and layout are the same.

The issue's target is under 10 s for 1,000 labels (``target_met``). ``--scale tiny``: 60 labels.
"""

from __future__ import annotations

import time

from benchmarks import Result


def _library_qr(c, data, x, y, size):
    from reportlab.graphics import renderPDF
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.graphics.shapes import Drawing

    widget = QrCodeWidget(data, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, c, x, y)


def device_labels(scale, stdout):
    from devices import labels
    from devices.models import Device

    n = 60 if scale == "tiny" else 1000
    ids = list(Device.objects.order_by("pk").values_list("pk", flat=True)[:n])
    rows = labels.label_rows(Device.objects.filter(pk__in=ids))
    layout = labels.LAYOUTS["21"]
    started = time.perf_counter()
    pdf = labels.label_sheet_pdf(rows, layout)
    ours = time.perf_counter() - started
    started = time.perf_counter()
    anchor_pdf = labels.label_sheet_pdf(rows, layout, qr=_library_qr)
    anchor = time.perf_counter() - started
    return Result(
        "device_labels", ours, anchor,
        {"labels": len(rows), "pages": -(-len(rows) // layout.per_sheet), "pdf_kb": len(pdf) // 1024,
         "anchor_pdf_kb": len(anchor_pdf) // 1024, "target_s": 10, "target_met": ours < 10},
    )


SCENARIOS = [device_labels]
