"""The image stage: decode, orient, resize, re-encode and strip metadata, per writer profile.

Writers describe what they need in an :class:`ImageProfile` (size limits, JPEG quality) and
ask for each image with an :class:`ImageRequest` (plus the pixel width it will occupy, if they
know it); :func:`prepare_images` returns a :class:`PreparedImage` — a clean JPEG, PNG, GIF or
sanitised SVG file — or an :class:`ImageError` for each. Outputs are cached on disk by content
(:class:`ImageCache`).

This package must not know about PDF, EPUB or HTML: nothing here checks which writer is
asking. It never prints; it logs through ``logging.getLogger(__name__)``.
"""

from __future__ import annotations

from .cache import ImageCache, default_cache_dir
from .model import (
    DEFAULT_MAX_SOURCE_PIXELS,
    EXTENSIONS,
    PIPELINE_VERSION,
    ImageError,
    ImageProfile,
    ImageRequest,
    PreparedImage,
)
from .prepare import prepare_image, prepare_images
from .sniff import sniff_image_type

__all__ = [
    "DEFAULT_MAX_SOURCE_PIXELS", "EXTENSIONS", "PIPELINE_VERSION", "ImageCache", "ImageError", "ImageProfile",
    "ImageRequest", "PreparedImage", "default_cache_dir", "prepare_image", "prepare_images",
    "sniff_image_type",
]
