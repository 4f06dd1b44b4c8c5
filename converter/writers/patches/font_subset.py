"""Font subsetting for the PDF through uharfbuzz (HarfBuzz built into the wheel).

WeasyPrint subsets embedded fonts with the system's libharfbuzz-subset. HarfBuzz 6.0 (Debian
12, Ubuntu 23.04) fails on Nanum Myeongjo once a document uses about 1,050 distinct glyphs of
it — any long Korean post, every book — and WeasyPrint then embeds the *whole* 4 MB font and
logs "Unable to subset". The HarfBuzz inside the ``uharfbuzz`` wheel (15.x) subsets the same
glyphs correctly, and fast. :func:`patch_weasyprint` makes WeasyPrint subset through it
(:func:`converter.fonts.subset_glyphs`, the same two passes and flags as WeasyPrint 70), also
where WeasyPrint would fall back to the slow fontTools; should it fail, WeasyPrint's own path
runs as before.

:func:`recording_subsets` also notes, while a document is written, which glyphs of which font
file each embedded font keeps, and stores each font file once: a book laid out chapter by
chapter (:mod:`converter.writers.pdf.book`) then replaces the chapters' subsets of one font
with one subset of the glyphs of every chapter.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ...fonts import subset_glyphs
from .hook import replace

log = logging.getLogger(__name__)


@dataclass
class FontUse:
    """One embedded font of a written PDF: its file (``<store>/<sha>.font``, face ``index``),
    the glyph ids it keeps (they keep their ids), and the subsetting flags used."""

    sha: str
    index: int
    glyphs: list[int]
    hinting: bool
    notdef_outline: bool


_recording = threading.local()


@contextlib.contextmanager
def recording_subsets(store: Path) -> Iterator[dict[str, FontUse]]:
    """Collect, by PDF font name (``/ABCDEF+family``), the fonts subset in this thread while
    the block runs; font files not yet in ``store`` are copied there."""
    uses: dict[str, FontUse] = {}
    previous = getattr(_recording, "target", None)
    _recording.target = (store, uses)
    try:
        yield uses
    finally:
        _recording.target = previous


def font_file(store: Path, sha: str) -> Path:
    """Where :func:`recording_subsets` keeps the font file with this SHA-256."""
    return store / f"{sha}.font"


def _record(font: Any, glyphs: list[int], hinting: bool) -> None:
    target = getattr(_recording, "target", None)
    if target is None:
        return
    # Variable and colour fonts are changed again after subsetting: not reproducible.
    if "fvar" in font.tables or font.png or font.svg or font.colr:
        return
    store, uses = target
    content = bytes(font.file_content)
    sha = hashlib.sha256(content).hexdigest()
    path = font_file(store, sha)
    if not path.exists():
        from ...files import write_atomic

        store.mkdir(parents=True, exist_ok=True)
        write_atomic(path, content)
    uses[font.name.decode("latin-1")] = FontUse(sha=sha, index=int(font.index),
                                                glyphs=sorted(glyphs), hinting=hinting,
                                                notdef_outline=bool(font.missing))


def patch_weasyprint() -> None:
    """Route WeasyPrint's font subsetting through :func:`~converter.fonts.subset_glyphs`
    (once per process)."""
    from weasyprint.pdf.fonts import Font

    def make(original: Any) -> Any:
        def subset(self: Any, to_unicode: dict[int, Any], hinting: bool) -> None:
            if not to_unicode:
                return
            _record(self, list(to_unicode), hinting)
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

        return subset

    replace(Font, "subset", make)
