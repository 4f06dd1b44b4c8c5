"""The font ziamath draws formulas with: its STIX Two Math, backed by the bundled text fonts.

ziamath looks every character of a formula up in its one math font; STIX Two Math has no
Hangul, so ``\\text{이외의 경우}`` came out as empty boxes (the font's ``.notdef``) without a word.
:func:`math_font_key` registers, once per process, a :class:`ziamath.mathfont.MathFont`
subclass whose :meth:`~FallbackMathFont.findglyph` tries the bundled families in the order of
the body text's stack (``hanji-serif`` and its fallbacks from ``fonts/fonts.yml``) for any
character STIX lacks, and remembers each character no font has (:func:`take_missing`) so the
writer can warn. Families ziafont cannot read (the CID-keyed Hanja font) are skipped.

A glyph from a text font is handed to ziamath under a glyph index no math font uses
(:data:`_FOREIGN_INDEX` + its own index): ziamath substitutes script-size variants by index
through the math font's GSUB table, and a borrowed index would pick an unrelated STIX glyph.
Checked against ziamath 0.13 / ziafont 0.11 (``MathFont.findglyph``, ``loadedfonts``).
This module knows nothing about HTML or the PDF writer.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..fonts import font_stack, load_manifest, needs_glyph

log = logging.getLogger("converter")

#: The family whose stack backs the math font (the body text's: formulas sit in body text).
TEXT_FAMILY = "hanji-serif"
#: The key under which the font is registered in ziamath's font table.
FONT_KEY = "hanji-math-with-text"
#: Glyph indexes of borrowed glyphs start here (no font has this many glyphs: the limit is 65535).
_FOREIGN_INDEX = 1 << 20

_missing: set[str] = set()


def text_font_paths() -> list[Path]:
    """Regular faces of the bundled families, in the order of the body text's stack."""
    manifest = load_manifest()
    return [manifest[name].face(400).path for name in font_stack(TEXT_FAMILY, manifest=manifest)
            if name in manifest]


def math_font_key() -> str:
    """Register the math font with text fallbacks in ziamath (once) and return its key."""
    from ziamath.zmath import loadedfonts

    if FONT_KEY not in loadedfonts:
        loadedfonts[FONT_KEY] = _make_font()
    return FONT_KEY


def take_missing() -> set[str]:
    """Characters drawn as empty boxes since the last call (no bundled font has them)."""
    found = set(_missing)
    _missing.clear()
    return found


class _Borrowed:
    """A text font's glyph under an index no math font has; everything else is the glyph's."""

    def __init__(self, glyph: Any) -> None:
        self._glyph = glyph
        self.index = _FOREIGN_INDEX + glyph.index

    def advance(self, nextchr: Any = None) -> float:
        """The advance width in the glyph's own font (no kerning across fonts)."""
        if isinstance(nextchr, _Borrowed) and nextchr.font is self.font:
            return float(self._glyph.advance(nextchr=nextchr._glyph))
        return float(self._glyph.advance())

    def __getattr__(self, name: str) -> Any:
        return getattr(self._glyph, name)


def _make_font() -> Any:
    import ziafont
    from ziamath.mathfont import MathFont
    from ziamath.zmath import loadedfonts

    class FallbackMathFont(MathFont):  # type: ignore[misc]
        """STIX Two Math, then the bundled text fonts for what it lacks."""

        def __init__(self, fname: str | Path, basesize: float,
                     fallbacks: list[Any]) -> None:
            super().__init__(fname, basesize)
            self._fallbacks = fallbacks
            self._borrowed: dict[str, Any] = {}

        def findglyph(self, char: str, variant: Any) -> Any:
            glyph = super().findglyph(char, variant)
            if glyph.index != 0 or not needs_glyph(char):
                return glyph
            if char in self._borrowed:
                return self._borrowed[char]
            for font in self._fallbacks:
                if font.glyphindex(char):
                    borrowed = _Borrowed(font.glyph(char))
                    self._borrowed[char] = borrowed
                    return borrowed
            _missing.add(char)
            return glyph

        def glyph_fromid(self, glyphid: int) -> Any:
            # Kerning a math glyph against a borrowed one: ziamath expects IndexError then.
            if glyphid >= _FOREIGN_INDEX:
                raise IndexError(glyphid)
            return super().glyph_fromid(glyphid)

    fallbacks = []
    for path in text_font_paths():
        try:
            fallbacks.append(ziafont.Font(str(path)))
        except Exception as exc:  # noqa: BLE001 - ziafont raises NotImplementedError, ValueError …
            log.debug("math: %s not usable inside formulas (%s)", path.name, exc)
    default = loadedfonts["default"]
    assert default.fname is not None  # ziamath's own STIX Two Math, loaded from a file
    return FallbackMathFont(default.fname, default.basesize, fallbacks)
