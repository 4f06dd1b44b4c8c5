"""PNG images into the PDF without decoding and re-encoding them.

A PDF image stream with ``/FlateDecode`` and a PNG predictor (``/Predictor 15``) holds exactly
what a PNG's IDAT chunks hold: deflated, filtered scanlines. WeasyPrint 70 still decodes every
PNG and encodes it again with Pillow only to read those chunks back — on a blog book of 300
screenshots, 8 s of zlib. The image stage already wrote clean, compressed 8-bit PNGs (true
colour for the PDF: ``ImageProfile(palette=False)``), so :func:`patch_weasyprint` lets
WeasyPrint take their IDAT data as it is. Anything else (alpha, palette, 16-bit, interlaced)
goes WeasyPrint's way.
"""

from __future__ import annotations

import io
import struct
from typing import Any

from .hook import replace

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: PNG colour types whose scanlines a PDF reads with /DeviceGray or /DeviceRGB as they are.
_GREY, _RGB = 0, 2


def png_idat(data: bytes) -> bytes | None:
    """The joined IDAT data of an 8-bit, non-interlaced greyscale or RGB PNG without a
    transparency key; ``None`` for any other PNG or for data that is no well-formed PNG."""
    if not data.startswith(PNG_SIGNATURE):
        return None
    position, chunks, header_seen = len(PNG_SIGNATURE), [], False
    while position + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[position:position + 8])
        body = data[position + 8:position + 8 + length]
        if len(body) != length:
            return None  # truncated
        if kind == b"IHDR":
            if length != 13:
                return None
            _, _, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if depth != 8 or colour not in (_GREY, _RGB) or interlace != 0:
                return None
            header_seen = True
        elif kind == b"tRNS":
            return None  # a transparent colour: WeasyPrint makes an alpha mask of it
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            break
        position += 12 + length
    return b"".join(chunks) if header_seen and chunks else None


def patch_weasyprint() -> None:
    """Make WeasyPrint reuse the IDAT data of unmodified PNGs (once per process)."""
    from weasyprint.images import RasterImage

    def make(original: Any) -> Any:
        def _get_png_data(pillow_image: Any) -> bytes:
            source = getattr(pillow_image, "fp", None)
            if (pillow_image.format == "PNG" and pillow_image.mode in ("L", "RGB")
                    and isinstance(source, io.BytesIO)):
                data = png_idat(source.getvalue())
                if data is not None:
                    return data
            return original(pillow_image)  # type: ignore[no-any-return]

        return _get_png_data

    replace(RasterImage, "_get_png_data", make, wrap=staticmethod)
