#!/usr/bin/env python3
"""Rebuild the fallback fonts in ``fonts/`` from their upstream packages.

Run once by a maintainer, never at conversion time.  The Nanum fonts are copied
verbatim from Debian's ``fonts-nanum``/``fonts-nanum-coding``; this script
covers the fallbacks that fill Nanum's gaps (see ``fonts/README.md``):

* ``HanjiHanja-Regular.otf`` -- Noto Sans CJK KR Regular (Debian
  ``fonts-noto-cjk``) cut to the CJK ideographs and CJK punctuation that
  NanumGothic lacks, hinting dropped, renamed so the subset cannot be mistaken
  for the upstream font.
* ``NotoEmoji-Regular.ttf`` -- monochrome Noto Emoji, converted from the
  complete ``noto-emoji-emoji-400-normal.woff`` of the npm package
  ``@fontsource/noto-emoji`` (Debian ships only the colour bitmap font).
* ``NotoSansMath-Regular.ttf``, ``DejaVuSans.ttf`` and the four Liberation faces (Debian
  ``fonts-liberation2``, the OFL release) -- copied verbatim.

Usage::

    apt-get install fonts-noto-cjk fonts-noto-core fonts-dejavu-core fonts-liberation2
    npm pack @fontsource/noto-emoji && tar xzf fontsource-noto-emoji-*.tgz
    python scripts/build_fallback_fonts.py --emoji-woff package/files/noto-emoji-emoji-400-normal.woff

The bundled ``HanjiHanja-Regular.otf`` had its CIDs renumbered in place with
:func:`renumber_cids` (a glyph's CID is its glyph id), which the build now does too.
"""

from __future__ import annotations

import argparse
import logging
import shutil
from pathlib import Path

import uharfbuzz as hb
from fontTools.ttLib import TTCollection, TTFont

log = logging.getLogger("build_fallback_fonts")

REPO = Path(__file__).resolve().parent.parent
NOTO_CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
VERBATIM = (
    Path("/usr/share/fonts/truetype/noto/NotoSansMath-Regular.ttf"),
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf"),
    Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"),
    Path("/usr/share/fonts/truetype/liberation2/LiberationSans-Bold.ttf"),
)

# Blocks the Hanja fallback draws from.  CJK Extension A (U+3400-4DBF) is left
# out on purpose: 6,592 rare ideographs would add ~2 MB for characters that
# essentially never occur in Korean blog prose.
HANJA_RANGES = (
    (0x2E80, 0x2FDF),  # CJK radicals supplement, Kangxi radicals (PDF copy-paste)
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3190, 0x319F),  # Kanbun
    (0x31C0, 0x31EF),  # CJK strokes
    (0x3200, 0x33FF),  # enclosed CJK letters, CJK compatibility
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
)
#: Spaces every fallback needs: Pango shapes a space after a fallback character with the
#: same font, and a font without one draws it as a .notdef box ("〣 " showed a tofu box).
SPACES = (0x0020, 0x00A0, 0x3000)
HANJA_FAMILY = "Hanji Hanja"
HANJA_PS_NAME = "HanjiHanja-Regular"


def _kr_face_index(ttc: Path) -> int:
    """Index of the "Noto Sans CJK KR" face inside the collection."""
    for index, font in enumerate(TTCollection(ttc, lazy=True).fonts):
        if font["name"].getDebugName(1) == "Noto Sans CJK KR":
            return index
    raise SystemExit(f"{ttc}: no 'Noto Sans CJK KR' face")


def build_hanja(dest: Path, nanum_gothic: Path) -> None:
    """Subset Noto Sans CJK KR to the ideographs NanumGothic does not have."""
    index = _kr_face_index(NOTO_CJK)
    source_cmap = set(TTFont(NOTO_CJK, fontNumber=index, lazy=True).getBestCmap())
    have = set(TTFont(nanum_gothic, lazy=True).getBestCmap())
    wanted = {cp for lo, hi in HANJA_RANGES for cp in range(lo, hi + 1)}
    codepoints = ((wanted & source_cmap) - have) | (set(SPACES) & source_cmap)

    face = hb.Face(hb.Blob.from_file_path(str(NOTO_CJK)), index)
    plan = hb.SubsetInput()
    for cp in sorted(codepoints):
        plan.unicode_set.add(cp)
    plan.flags = hb.SubsetFlags.NO_HINTING
    data = hb.subset(face, plan).blob.data

    tmp = dest.with_suffix(".tmp")
    tmp.write_bytes(data)
    font = TTFont(tmp)
    _rename(font, source=font["name"].getDebugName(4) or "Noto Sans CJK KR")
    font.save(dest)
    tmp.unlink()
    renumber_cids(dest)
    log.info("%s: %d code points, %d KB", dest.name, len(codepoints), dest.stat().st_size // 1024)


def renumber_cids(path: Path) -> None:
    """Give every glyph of a CID-keyed CFF font the CID equal to its glyph id.

    The subset keeps Noto's CIDs (glyph 5 is ``cid01431``), but WeasyPrint writes glyph ids as
    the CIDs of a ``CIDFontType0`` font, and in such a font a CID selects a glyph through the
    CFF charset: strict readers, and PDF/A validators ("codes select glyphs the font program
    lacks"), then look for glyphs that are not there. Only the CFF table names glyphs; every
    other table of an OpenType font refers to glyph ids, so it is copied unchanged.
    """
    font = TTFont(path, recalcBBoxes=False, recalcTimestamp=False)
    top = font["CFF "].cff.topDictIndex[0]
    if not hasattr(top, "ROS"):
        return
    order = font.getGlyphOrder()
    names = [".notdef"] + [f"cid{gid:05d}" for gid in range(1, len(order))]
    renamed = dict(zip(order, names))
    char_strings = top.CharStrings
    char_strings.charStrings = {renamed[name]: index
                                for name, index in char_strings.charStrings.items()}
    top.charset = names
    font.setGlyphOrder(names)
    font.save(path)


def _rename(font: TTFont, *, source: str) -> None:
    """Give the subset its own name, keeping copyright and licence records."""
    name = font["name"]
    name.names = [n for n in name.names if n.nameID not in {1, 2, 3, 4, 6, 10, 16, 17}]
    for name_id, value in (
        (1, HANJA_FAMILY),
        (2, "Regular"),
        (3, f"{HANJA_PS_NAME};hanji subset"),
        (4, f"{HANJA_FAMILY} Regular"),
        (6, HANJA_PS_NAME),
        (10, f"Subset of {source} (CJK ideographs missing from NanumGothic), made for hanji."),
    ):
        name.setName(value, name_id, 3, 1, 0x409)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [HANJA_PS_NAME]
        top = cff.topDictIndex[0]
        top.FullName = f"{HANJA_FAMILY} Regular"
        top.FamilyName = HANJA_FAMILY


def build_emoji(dest: Path, woff: Path) -> None:
    """Unwrap the WOFF container; glyphs and names stay as Google ships them."""
    font = TTFont(woff)
    font.flavor = None
    font.save(dest)
    log.info("%s: %d code points, %d KB", dest.name, len(font.getBestCmap()), dest.stat().st_size // 1024)


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--emoji-woff", type=Path, required=True,
                        help="noto-emoji-emoji-400-normal.woff from @fontsource/noto-emoji")
    parser.add_argument("--out", type=Path, default=REPO / "fonts")
    args = parser.parse_args()

    build_hanja(args.out / "HanjiHanja-Regular.otf", args.out / "NanumGothic.ttf")
    build_emoji(args.out / "NotoEmoji-Regular.ttf", args.emoji_woff)
    for source in VERBATIM:
        shutil.copyfile(source, args.out / source.name)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
