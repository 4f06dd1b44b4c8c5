"""Font subsetting for the PDF through uharfbuzz (HarfBuzz built into the wheel).

WeasyPrint subsets embedded fonts with the system's libharfbuzz-subset. HarfBuzz 6.0 (Debian
12, Ubuntu 23.04) fails on Nanum Myeongjo once a document uses about 1,050 distinct glyphs of
it — any long Korean post, every book — and WeasyPrint then embeds the *whole* 4 MB font and
logs "Unable to subset". The HarfBuzz inside the ``uharfbuzz`` wheel (15.x) subsets the same
glyphs correctly, and fast. :func:`patch_weasyprint` makes WeasyPrint subset through it
(:func:`converter.fonts.subset_glyphs`, the same two passes and flags as WeasyPrint 70), also
where WeasyPrint would fall back to the slow fontTools; should it fail, WeasyPrint's own path
runs as before.
"""

from __future__ import annotations

import logging
from typing import Any

from ..fonts import subset_glyphs

log = logging.getLogger(__name__)


def patch_weasyprint() -> None:
    """Route WeasyPrint's font subsetting through :func:`~converter.fonts.subset_glyphs`
    (once per process)."""
    from weasyprint.pdf.fonts import Font

    original = Font.subset
    if getattr(original, "hanji_patched", False):
        return

    def subset(self: Any, to_unicode: dict[int, Any], hinting: bool) -> None:
        if not to_unicode:
            return
        try:
            data = subset_glyphs(self.file_content, self.index, list(to_unicode),
                                 hinting=hinting, notdef_outline=bool(self.missing))
        except Exception:  # any failure falls back to WeasyPrint's own path
            log.debug("uharfbuzz could not subset %s", self.family, exc_info=True)
            data = None
        if data:
            self.file_content = data
        else:
            original(self, to_unicode, hinting)

    subset.hanji_patched = True  # type: ignore[attr-defined]
    Font.subset = subset
