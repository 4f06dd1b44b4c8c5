"""Tell an image's type from its first bytes, never from its file name.

Real blogs have JPEGs named ``.png`` and PNGs named ``.jpg``; the pipeline trusts only content.
Knows nothing about decoding or output formats.
"""

from __future__ import annotations

import re
from pathlib import Path

#: How many leading bytes are read: enough for an XML prolog, a DOCTYPE and comments before <svg.
SNIFF_BYTES = 4096

# ISO-BMFF "ftyp" brands (bytes 8-12, then the compatible brands) of AVIF and HEIF images.
_AVIF_BRANDS = {b"avif", b"avis"}
_HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}

# An SVG root element near the start of an XML text document (after a prolog/comments/doctype).
_SVG_ROOT = re.compile(rb"<svg[\s>/]", re.IGNORECASE)
_XML_START = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*<")


def sniff_bytes(head: bytes) -> str | None:
    """The media type of data starting with ``head``, or ``None`` if it is not a known image."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[:2] == b"BM" and len(head) >= 26:
        return "image/bmp"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[4:8] == b"ftyp":
        return _sniff_ftyp(head)
    if _XML_START.match(head) and _SVG_ROOT.search(head):
        return "image/svg+xml"
    return None


def _sniff_ftyp(head: bytes) -> str | None:
    size = int.from_bytes(head[:4], "big")
    box = head[8:max(16, min(size, len(head)))]
    brands = {box[i:i + 4] for i in range(0, len(box) - 3, 4)}  # major, minor version, compatibles
    if brands & _AVIF_BRANDS:
        return "image/avif"
    if brands & _HEIF_BRANDS:
        return "image/heic"
    return None


def sniff_image_type(path: Path) -> str | None:
    """The media type of the image file at ``path`` judged by its content (magic bytes).

    Returns one of ``image/jpeg``, ``image/png``, ``image/gif``, ``image/webp``, ``image/avif``,
    ``image/heic``, ``image/bmp``, ``image/tiff``, ``image/svg+xml``, or ``None`` when the
    content is none of these. Raises :class:`OSError` if the file cannot be read.
    """
    with open(path, "rb") as handle:
        return sniff_bytes(handle.read(SNIFF_BYTES))
