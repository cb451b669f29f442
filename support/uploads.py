"""What an uploaded attachment really is (issue 15 #8).

The type comes from the content, never from the name or the browser's claim, and the first
bytes are not enough: a PNG header followed by an SVG with a script is not a PNG. So:

* an image must have a plausible structure for its type (PNG: the chunk chain with valid
  CRCs from IHDR to IEND; JPEG: the marker segments up to the scan, and an end marker; WebP:
  a RIFF container whose size matches and a VP8/VP8L/VP8X chunk);
* a PDF must not carry active content (scripts, actions, launches, embedded files, rich
  media, XFA forms), looked for in the file and inside its compressed streams, with PDF name
  escapes (``/J#61vaScript``) decoded first.

``EXTENSIONS`` gives the extension a download is served with, from the detected type.
"""

import re
import struct
import zlib

EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "application/pdf": "pdf"}

#: PDF names that make a document do something when opened or clicked.
ACTIVE_PDF_NAMES = frozenset(
    {"JavaScript", "JS", "AA", "OpenAction", "Launch", "EmbeddedFile", "EmbeddedFiles", "RichMedia", "XFA", "SubmitForm", "ImportData"}
)
# OpenAction alone may just open page 1; it is active only with a script, which is refused anyway.
_BENIGN_ALONE = frozenset({"OpenAction"})
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_STREAM = re.compile(rb"stream\r?\n(.*?)endstream", re.S)
_MAX_INFLATED = 20 * 1024 * 1024


def sniff(head):
    """The content type from a file's first bytes, or ""."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    return ""


def valid_png(data):
    pos, first = 8, True
    while pos + 12 <= len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind = data[pos + 4:pos + 8]
        end = pos + 12 + length
        if end > len(data) or not kind.isalpha():
            return False
        if first and (kind != b"IHDR" or length != 13):
            return False
        (crc,) = struct.unpack(">I", data[end - 4:end])
        if zlib.crc32(data[pos + 4:end - 4]) & 0xFFFFFFFF != crc:
            return False
        if kind == b"IEND":
            return True
        pos, first = end, False
    return False


def valid_jpeg(data):
    pos, frame = 2, False
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return False
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if length < 2 or pos + 2 + length > len(data):
            return False
        if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
            frame = True
        if marker == 0xDA:  # start of scan: the entropy-coded data runs to the end marker
            return frame and b"\xff\xd9" in data[pos + 2 + length:]
        pos += 2 + length
    return False


def valid_webp(data):
    if len(data) < 20:
        return False
    (size,) = struct.unpack("<I", data[4:8])
    return size + 8 == len(data) and data[12:16] in (b"VP8 ", b"VP8L", b"VP8X")


def _names(data):
    for match in _NAME.finditer(data):
        raw = match.group(1)
        if b"#" in raw:
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        yield raw.decode("latin-1")


def _inflated_streams(data):
    budget = _MAX_INFLATED
    for match in _STREAM.finditer(data):
        if budget <= 0:
            return
        inflater = zlib.decompressobj()
        try:
            chunk = inflater.decompress(match.group(1), budget)
        except zlib.error:
            continue
        budget -= len(chunk)
        yield chunk


def pdf_active_content(data):
    """The active-content names found in a PDF (empty if none)."""
    found = set()
    for part in (data, *_inflated_streams(data)):
        found.update(name for name in _names(part) if name in ACTIVE_PDF_NAMES)
    return found - _BENIGN_ALONE if found <= _BENIGN_ALONE else found


STRUCTURE_CHECKS = {"image/png": valid_png, "image/jpeg": valid_jpeg, "image/webp": valid_webp}
