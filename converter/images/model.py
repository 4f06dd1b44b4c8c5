"""The image stage's value types: what a writer asks for, what it gets back, and the one error.

Plain frozen dataclasses, hashable and picklable so that requests can be de-duplicated and sent
to worker processes. Nothing here knows about output formats (PDF, EPUB, HTML): a writer
describes its needs as an :class:`ImageProfile`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import AssetError

#: Bump when a change to the pipeline changes its output, so stale cache entries are not reused.
PIPELINE_VERSION = "3"

#: Default decompression-bomb limit: larger sources are refused without being decoded.
DEFAULT_MAX_SOURCE_PIXELS = 64_000_000

JPEG = "image/jpeg"
PNG = "image/png"
GIF = "image/gif"
SVG = "image/svg+xml"

#: File extension of each output media type.
EXTENSIONS: dict[str, str] = {JPEG: ".jpg", PNG: ".png", GIF: ".gif", SVG: ".svg"}


@dataclass(frozen=True)
class ImageProfile:
    """What one writer wants of every image it embeds.

    ``max_long_edge`` and ``max_pixels`` bound the output size (``None``: no bound);
    ``jpeg_quality`` is used for photographic output; ``first_frame_only`` turns an animated GIF
    into a still PNG of its first frame (otherwise it stays an animated GIF). ``palette`` lets
    graphics with at most 256 colours become palette PNGs when that is smaller; a writer whose
    renderer expands palettes anyway (WeasyPrint) turns it off and gets true-colour PNGs it can
    embed as they are.
    """

    max_long_edge: int | None
    max_pixels: int | None
    jpeg_quality: int = 82
    first_frame_only: bool = True
    palette: bool = True

    def __post_init__(self) -> None:
        if self.max_long_edge is not None and self.max_long_edge < 1:
            raise ValueError(f"max_long_edge must be positive, not {self.max_long_edge}")
        if self.max_pixels is not None and self.max_pixels < 1:
            raise ValueError(f"max_pixels must be positive, not {self.max_pixels}")
        if not 1 <= self.jpeg_quality <= 100:
            raise ValueError(f"jpeg_quality must be 1-100, not {self.jpeg_quality}")


@dataclass(frozen=True)
class ImageRequest:
    """One image as one writer needs it.

    ``source`` is an already-resolved local file. ``target_width_px`` is the width the image
    will occupy in output pixels (e.g. 300 dpi x its printed width); images are never upscaled
    to reach it.
    """

    source: Path
    profile: ImageProfile
    target_width_px: int | None = None

    def __post_init__(self) -> None:
        if self.target_width_px is not None and self.target_width_px < 1:
            raise ValueError(f"target_width_px must be positive, not {self.target_width_px}")


@dataclass(frozen=True)
class PreparedImage:
    """A prepared output file, ready to be embedded as is.

    ``media_type`` is one of ``image/jpeg``, ``image/png``, ``image/gif``, ``image/svg+xml``.
    ``width`` and ``height`` are in pixels; for SVG they come from ``width``/``height`` or the
    ``viewBox`` (CSS px), falling back to the CSS default of 300 x 150.
    """

    path: Path
    media_type: str
    width: int
    height: int
    source: Path


@dataclass(frozen=True)
class Encoded:
    """An encoded output image in memory, before it is written (internal to the stage)."""

    data: bytes
    media_type: str
    width: int
    height: int


class ImageError(AssetError):
    """An image that cannot be used: unreadable, corrupt, truncated, too large or unsupported.

    ``path`` is the source file and ``reason`` a one-line explanation for a person;
    ``str(error)`` is ``"<path>: <reason>"``.
    """

    path: Path

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(reason, path=path)
        self.reason = reason

    def __reduce__(self) -> tuple[type[ImageError], tuple[Path, str]]:
        # Exceptions pickle their ``args`` by default, which would not match ``__init__``; the
        # error travels back from worker processes, so it must round-trip.
        return (type(self), (self.path, self.reason))

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, ImageError) and type(other) is type(self)
                and (self.path, self.reason) == (other.path, other.reason))

    def __hash__(self) -> int:
        return hash((type(self), self.path, self.reason))
