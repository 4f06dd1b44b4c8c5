"""What one post may ask of the image stage: total pixels of its images, size of its SVGs.

Read from the files' headers only (Pillow opens lazily; SVGs are judged by their size on disk),
so a post of hundreds of photos is checked in milliseconds. Knows nothing about HTML.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from .sniff import sniff_image_type


class ImageBudget:
    """Counts the pixels of a post's images and says which one goes past a limit."""

    def __init__(self, *, max_pixels: int, max_svg_bytes: int) -> None:
        self.max_pixels = max_pixels
        self.max_svg_bytes = max_svg_bytes
        self.pixels = 0
        self._seen: dict[Path, int] = {}

    def refuse(self, path: Path) -> str | None:
        """Why ``path`` may not be added (a reason for the warning), or None after counting it.

        An image used twice counts once; unreadable headers count nothing here (the image
        stage reports them)."""
        if path in self._seen:
            return None
        try:
            kind = sniff_image_type(path)
            if kind == "image/svg+xml":
                size = path.stat().st_size
                if size > self.max_svg_bytes:
                    return (f"SVG of {size:,} bytes is larger than {self.max_svg_bytes:,} "
                            "(option max_svg_bytes)")
                pixels = 0
            else:
                pixels = _pixels(path)
        except OSError:
            pixels = 0
        if self.pixels + pixels > self.max_pixels:
            return (f"the post's images exceed {self.max_pixels:,} pixels in all "
                    "(option max_post_pixels)")
        self.pixels += pixels
        self._seen[path] = pixels
        return None


def _pixels(path: Path) -> int:
    """Width × height from the image's header (0 if Pillow cannot tell)."""
    from PIL import Image

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with Image.open(path) as image:
                width, height = image.size
        except Exception:  # noqa: BLE001 - any undecodable header: the image stage reports it
            return 0
    return int(width) * int(height)
