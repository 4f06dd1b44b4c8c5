"""Bundled fonts: the manifest, ``@font-face`` rules, glyph coverage and subsetting.

The fonts live in ``fonts/`` (``converter/_fonts`` in a wheel, see :mod:`converter.resources`),
described by ``fonts.yml``: CSS families (``hanji-serif``, ``hanji-sans``, ``hanji-mono`` and the
fallbacks that fill Nanum's gaps), their files per weight and style, and their licences.

This module generates the only CSS written in Python, the ``@font-face`` rules; every other rule
lives in the theme files. It knows nothing about themes, books or output formats: writers decide
which families to embed (:func:`needed_families`) and whether to subset them (:func:`subset_font`).

Long because subsetting (about 140 lines: HarfBuzz with a fontTools fallback, legacy ``kern``
tables carried over) reads the same manifest and coverage data as the CSS; it is the next part
to move into a module of its own if this one grows.
"""

from __future__ import annotations

import functools
import logging
import struct
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from fontTools.ttLib import TTFont

from .errors import ThemeError
from .resources import fonts_dir

try:  # HarfBuzz's subsetter is ~10x faster than fontTools on CJK fonts.
    import uharfbuzz as hb
except ImportError:  # pragma: no cover - uharfbuzz is a dependency; this is a safety net
    hb = None

__all__ = [
    "BundledFont",
    "FontFamily",
    "covered",
    "font_face_css",
    "font_stack",
    "fonts_dir",
    "load_manifest",
    "missing_glyphs",
    "needed_families",
    "needs_glyph",
    "resolve_families",
    "subset_font",
    "subset_glyphs",
]

log = logging.getLogger(__name__)

MANIFEST = "fonts.yml"
_FORMATS = {".ttf": "truetype", ".otf": "opentype", ".woff": "woff", ".woff2": "woff2"}
_FAMILY_KEYS = {"description", "generic", "license", "faces", "fallbacks"}
_FACE_KEYS = {"file", "weight", "style"}

#: Characters every subset keeps, so that text added after subsetting (page numbers, running
#: heads, list markers, quotes) still has glyphs: printable ASCII plus common punctuation.
ALWAYS_KEEP = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + list("\u00a0\u00b7\u2010\u2013\u2014\u2018\u2019\u201c\u201d\u2022\u2026\u203b\u2192"
           "\u3001\u3002\u300c\u300d\u300e\u300f\u3008\u3009\u300a\u300b")
)

# Default-ignorable code points (Unicode DerivedCoreProperties.txt): shaping engines draw them
# as nothing, so no font needs a glyph for them (ZWSP, ZWJ, BOM, variation selectors, bidi
# controls, Hangul fillers, tag characters).
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD), (0x034F, 0x034F), (0x061C, 0x061C), (0x115F, 0x1160),
    (0x17B4, 0x17B5), (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E),
    (0x2060, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF0, 0xFFF8), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)


@dataclass(frozen=True)
class BundledFont:
    """One font file of a family: the face for one weight and style."""

    family: str
    path: Path
    weight: int = 400
    style: str = "normal"
    license: Path | None = None

    @property
    def format(self) -> str:
        """The CSS ``format()`` hint for the file type."""
        return _FORMATS.get(self.path.suffix.lower(), "truetype")

    @property
    def media_type(self) -> str:
        """The MIME type to declare in an EPUB manifest."""
        return "font/otf" if self.format == "opentype" else f"font/{self.format.replace('truetype', 'ttf')}"


@dataclass(frozen=True)
class FontFamily:
    """A CSS font family from ``fonts.yml`` and the families that back it up."""

    name: str
    faces: tuple[BundledFont, ...]
    license: Path
    description: str = ""
    generic: str | None = None
    fallbacks: tuple[str, ...] = ()

    def face(self, weight: int = 400, style: str = "normal") -> BundledFont:
        """The face CSS font matching would pick for ``weight`` and ``style``."""
        candidates = [f for f in self.faces if f.style == style] or list(self.faces)
        return min(candidates, key=lambda f: (abs(f.weight - weight), f.weight))


def load_manifest(directory: Path | None = None) -> dict[str, FontFamily]:
    """Read ``fonts.yml`` from ``directory`` (default: the bundled fonts), keyed by family."""
    return dict(_load_manifest(_resolved(directory or fonts_dir())))


@functools.lru_cache(maxsize=8)
def _resolved(directory: Path) -> Path:
    """``directory`` resolved once: glyph checks read the manifest per formula and string."""
    return directory.resolve()


@functools.lru_cache(maxsize=4)
def _load_manifest(directory: Path) -> tuple[tuple[str, FontFamily], ...]:
    path = directory / MANIFEST
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ThemeError(f"cannot read the font manifest: {exc.strerror or exc}", path=path) from None
    except yaml.YAMLError as exc:
        raise ThemeError(f"invalid YAML in the font manifest: {exc}", path=path) from None
    if not isinstance(data, dict) or not isinstance(data.get("families"), dict):
        raise ThemeError("the font manifest needs a 'families' mapping", path=path)

    families: dict[str, FontFamily] = {}
    for name, entry in data["families"].items():
        families[name] = _parse_family(str(name), entry, directory, path)
    for family in families.values():
        for fallback in family.fallbacks:
            if fallback not in families:
                raise ThemeError(f"family {family.name!r}: unknown fallback {fallback!r}", path=path)
    return tuple(families.items())


def _parse_family(name: str, entry: object, directory: Path, manifest: Path) -> FontFamily:
    if not isinstance(entry, dict):
        raise ThemeError(f"family {name!r}: expected a mapping", path=manifest)
    unknown = set(entry) - _FAMILY_KEYS
    if unknown:
        raise ThemeError(f"family {name!r}: unknown key {sorted(unknown)[0]!r}", path=manifest)
    if "license" not in entry or not entry.get("faces"):
        raise ThemeError(f"family {name!r}: 'license' and 'faces' are required", path=manifest)
    license_path = directory / str(entry["license"])
    faces = []
    for face in entry["faces"]:
        if not isinstance(face, dict) or "file" not in face or set(face) - _FACE_KEYS:
            raise ThemeError(f"family {name!r}: each face needs 'file' (and optional "
                             "'weight', 'style')", path=manifest)
        faces.append(BundledFont(
            family=name,
            path=directory / str(face["file"]),
            weight=int(face.get("weight", 400)),
            style=str(face.get("style", "normal")),
            license=license_path,
        ))
    return FontFamily(
        name=name,
        faces=tuple(faces),
        license=license_path,
        description=str(entry.get("description", "")),
        generic=entry.get("generic"),
        fallbacks=tuple(entry.get("fallbacks") or ()),
    )


def _family(name: str, manifest: dict[str, FontFamily]) -> FontFamily:
    try:
        return manifest[name]
    except KeyError:
        known = ", ".join(sorted(manifest))
        raise ThemeError(f"unknown font family {name!r} (bundled: {known})") from None


def font_stack(name: str, *, manifest: dict[str, FontFamily] | None = None) -> list[str]:
    """The ``font-family`` list for a family: itself, its fallbacks, then its generic family."""
    manifest = manifest if manifest is not None else load_manifest()
    family = _family(name, manifest)
    stack = [family.name, *family.fallbacks]
    if family.generic:
        stack.append(family.generic)
    return stack


def resolve_families(names: Iterable[str], *, manifest: dict[str, FontFamily] | None = None,
                     with_fallbacks: bool = True) -> list[FontFamily]:
    """The families ``names`` (e.g. a theme's fonts), followed by their fallbacks, without repeats."""
    manifest = manifest if manifest is not None else load_manifest()
    ordered: dict[str, FontFamily] = {}
    for name in names:
        ordered.setdefault(name, _family(name, manifest))
    if with_fallbacks:
        for family in list(ordered.values()):
            for fallback in family.fallbacks:
                ordered.setdefault(fallback, manifest[fallback])
    return list(ordered.values())


def font_face_css(families: Iterable[FontFamily], url_for: Callable[[BundledFont], str]) -> str:
    """``@font-face`` rules for every face of ``families``; ``url_for`` gives each file's URL."""
    rules = []
    for family in families:
        for face in family.faces:
            url = url_for(face).replace("\\", "\\\\").replace('"', '\\"')
            rules.append(
                "@font-face {\n"
                f'  font-family: "{family.name}";\n'
                f'  src: url("{url}") format("{face.format}");\n'
                f"  font-weight: {face.weight};\n"
                f"  font-style: {face.style};\n"
                "}\n"
            )
    return "\n".join(rules)


# --- coverage -------------------------------------------------------------------------------

def needs_glyph(char: str) -> bool:
    """Whether ``char`` must be drawn by some font (not a control or default-ignorable)."""
    cp = ord(char)
    if unicodedata.category(char) in {"Cc", "Cs"}:
        return False
    return not any(lo <= cp <= hi for lo, hi in _IGNORABLE_RANGES)


@functools.lru_cache(maxsize=64)
def _cmap(path: Path, index: int = 0) -> frozenset[int]:
    """The code points a font file maps to glyphs (cached: CJK cmaps are big).

    HarfBuzz reads a CJK cmap in well under a millisecond; fontTools takes ~150 ms.
    """
    try:
        import uharfbuzz as hb

        return frozenset(hb.Face(hb.Blob.from_file_path(str(path)), index).unicodes)
    except ImportError:
        with TTFont(path, lazy=True, fontNumber=index) as font:
            return frozenset(font.getBestCmap() or ())


def font_codepoints(path: Path) -> frozenset[int]:
    """The code points the font file at ``path`` maps to glyphs (cached)."""
    return _cmap(path)


def _family_cmap(family: FontFamily) -> frozenset[int]:
    # Regular face: bold faces of the same family cover the same characters.
    return _cmap(family.face(400).path)


def _families_for(families: Iterable[FontFamily | str] | None) -> list[FontFamily]:
    manifest = load_manifest()
    if families is None:
        return list(manifest.values())
    return [f if isinstance(f, FontFamily) else _family(f, manifest) for f in families]


def covered(text: str, families: Iterable[FontFamily | str] | None = None) -> set[str]:
    """Characters of ``text`` that have a glyph in ``families`` (default: every bundled family)."""
    chars = {c for c in set(text) if needs_glyph(c)}
    found: set[str] = set()
    for family in _families_for(families):
        cmap = _family_cmap(family)
        found |= {c for c in chars - found if ord(c) in cmap}
    return found


def missing_glyphs(text: str, families: Iterable[FontFamily | str] | None = None) -> set[str]:
    """Characters of ``text`` that need a glyph none of ``families`` has (default: all bundled)."""
    chars = {c for c in set(text) if needs_glyph(c)}
    return chars - covered("".join(chars), families)


def needed_families(text: str, primaries: Iterable[str], *,
                    manifest: dict[str, FontFamily] | None = None) -> list[FontFamily]:
    """The families a document in ``primaries`` needs for ``text``.

    Primary families are always kept; a fallback only when some character of ``text`` reaches it
    through a primary's stack (so a book without emoji does not carry the emoji font).
    """
    manifest = manifest if manifest is not None else load_manifest()
    chars = {c for c in set(text) if needs_glyph(c)}
    needed: dict[str, FontFamily] = {}
    for name in primaries:
        family = _family(name, manifest)
        needed.setdefault(name, family)
        left = {c for c in chars if ord(c) not in _family_cmap(family)}
        for fallback_name in family.fallbacks:
            if not left:
                break
            fallback = manifest[fallback_name]
            hits = {c for c in left if ord(c) in _family_cmap(fallback)}
            if hits:
                needed.setdefault(fallback_name, fallback)
                left -= hits
    return list(needed.values())


# --- subsetting -----------------------------------------------------------------------------

#: Name records kept in subsets: the usual identification (0-6) plus the licence description
#: and URL (13, 14), which the OFL asks to travel with the font.
_KEEP_NAME_IDS = (0, 1, 2, 3, 4, 5, 6, 13, 14)


def subset_font(path: Path | str, text: str, *, index: int = 0, hinting: bool = True) -> bytes:
    """The font at ``path`` cut to the characters of ``text`` plus :data:`ALWAYS_KEEP`.

    Layout features HarfBuzz keeps by default (ccmp, locl, kern, mark/mkmk, Hangul jamo, liga …)
    survive. The result has the source's outline format: TrueType stays TrueType, CFF stays CFF.
    """
    path = Path(path)
    codepoints = {ord(c) for c in set(text) | ALWAYS_KEEP}
    if hb is not None:
        return _subset_harfbuzz(path, index, codepoints, hinting)
    return _subset_fonttools(path, index, codepoints, hinting)  # pragma: no cover


#: Tables a PDF subset drops from embedded fonts (layout is done; PDF viewers never read them).
_DROP_TABLES = ("BASE", "DSIG", "EBDT", "EBLC", "EBSC", "GPOS", "GSUB", "JSTF", "LTSH", "PCLT",
                "SVG ",
                # Passed through as "unrecognised" by HarfBuzz 15 (HarfBuzz 6 left them out):
                # Microsoft VTT hinting sources (320 KB in NanumGothic), device metrics, tool
                # stamps. No PDF viewer reads them.
                "TSI0", "TSI1", "TSI2", "TSI3", "TSI5", "TSIB", "TSIC", "TSID", "TSIJ", "TSIP",
                "TSIS", "TSIV", "hdmx", "VDMX", "FFTM", "meta")


def subset_glyphs(data: bytes, index: int, glyph_ids: list[int], *, hinting: bool,
                notdef_outline: bool) -> bytes | None:
    """Font bytes ``data`` (face ``index``) cut to ``glyph_ids``, which keep their ids (what a
    PDF writer that has already laid out the text needs); ``None`` if HarfBuzz cannot.

    Two passes, as WeasyPrint does it: keep the glyphs with their ids, then drop the empty
    ids after the last one used. See :mod:`converter.writers.patches.font_subset` for why.
    """
    if hb is None:  # pragma: no cover - uharfbuzz is a dependency
        return None
    flags = hb.SubsetFlags
    extra = flags.NOTDEF_OUTLINE if notdef_outline else flags(0)

    def subset(face: Any, glyphs: Any, subset_flags: Any) -> Any:
        request = hb.SubsetInput()
        request.glyph_set.update(glyphs)
        request.flags = subset_flags | extra
        drop = request.sets(hb.SubsetInputSets.DROP_TABLE_TAG)
        for tag in _DROP_TABLES:
            drop.add(int.from_bytes(tag.encode("ascii"), "big"))
        return hb.subset(face, request)

    face = hb.Face(hb.Blob(data), index)
    kept = subset(face, sorted(glyph_ids),
                  flags.RETAIN_GIDS | flags.PASSTHROUGH_UNRECOGNIZED | flags.DESUBROUTINIZE)
    if kept is None:
        return None
    # Glyph ids are kept, so the ones after the last used glyph are empty: drop them.
    tail = flags.PASSTHROUGH_UNRECOGNIZED | flags.DESUBROUTINIZE
    if not hinting:
        tail |= flags.NO_HINTING
    trimmed = subset(kept, range(max(glyph_ids) + 1), tail)
    if trimmed is None:
        return None
    result = trimmed.blob.data
    return bytes(result) if result else None


def _subset_harfbuzz(path: Path, index: int, codepoints: set[int], hinting: bool) -> bytes:
    face = hb.Face(hb.Blob.from_file_path(str(path)), index)
    request = hb.SubsetInput()
    for cp in codepoints:
        request.unicode_set.add(cp)
    for name_id in _KEEP_NAME_IDS:
        request.name_id_set.add(name_id)
    if not hinting:
        request.flags |= hb.SubsetFlags.NO_HINTING
    plan = hb.SubsetPlan(face, request)
    result = plan.execute()
    if result is None:
        raise ValueError(f"{path}: HarfBuzz could not subset this font")
    data = result.blob.data
    pairs = _legacy_kern_pairs(path, index)
    if pairs:
        data = _add_kern_table(data, pairs, dict(plan.old_to_new_glyph_mapping.items()))
    return data


@functools.lru_cache(maxsize=16)
def _legacy_kern_pairs(path: Path, index: int) -> tuple[tuple[int, int, int], ...]:
    """Format-0 ``kern`` pairs (by glyph id) of a font that has no GPOS.

    hb-subset drops the legacy ``kern`` table; NanumGothic keeps its Latin kerning (AV, To …)
    only there, so the subset gets a rebuilt one. The table is read as bytes: fontTools'
    parser names every glyph first (0.05-0.3 s per Nanum face, at every conversion).
    """
    with TTFont(path, fontNumber=index, lazy=True) as font:
        if "kern" not in font or "GPOS" in font:
            return ()
        data = font.reader["kern"]
        glyphs = font["maxp"].numGlyphs
    return tuple(_kern_format0_pairs(data, glyphs))


def _kern_format0_pairs(data: bytes, glyphs: int) -> Iterator[tuple[int, int, int]]:
    """The horizontal format-0 pairs of a Microsoft-style (version 0) ``kern`` table: header
    (version, table count), then per subtable (version, length, coverage: format in the high
    byte) and for format 0 a pair count, three search fields and the (left, right, value)
    pairs. Apple's version-1 tables and other formats yield nothing."""
    if len(data) < 4:
        return
    version, tables = struct.unpack_from(">HH", data)
    if version != 0:
        return
    offset = 4
    for _ in range(tables):
        if offset + 6 > len(data):
            return
        _, length, coverage = struct.unpack_from(">HHH", data, offset)
        if coverage >> 8 == 0 and coverage & 1 and offset + 14 <= len(data):
            (count,) = struct.unpack_from(">H", data, offset + 6)
            count = min(count, (len(data) - offset - 14) // 6)
            for left, right, value in struct.iter_unpack(
                    ">HHh", data[offset + 14:offset + 14 + 6 * count]):
                if left < glyphs and right < glyphs:
                    yield left, right, value
        offset += max(length, 6)


def _add_kern_table(data: bytes, pairs: Iterable[tuple[int, int, int]],
                    old_to_new: dict[int, int]) -> bytes:
    """``data`` with a format-0 ``kern`` table of the ``pairs`` that survived subsetting
    (renumbered by ``old_to_new``), written as bytes: the subset's glyphs need no names."""
    from io import BytesIO

    from fontTools.ttLib.tables.DefaultTable import DefaultTable

    kept = sorted({(old_to_new[a], old_to_new[b]): v for a, b, v in pairs
                   if a in old_to_new and b in old_to_new}.items())
    if not kept:
        return data
    count = len(kept)
    entry_selector = count.bit_length() - 1
    search_range = 6 * (1 << entry_selector)
    table = bytearray(struct.pack(">HH", 0, 1))
    table += struct.pack(">HHH", 0, 14 + 6 * count, 1)  # version, length, horizontal format 0
    table += struct.pack(">HHHH", count, search_range, entry_selector, 6 * count - search_range)
    for (left, right), value in kept:
        table += struct.pack(">HHh", left, right, value)
    font = TTFont(BytesIO(data))
    kern = DefaultTable("kern")
    kern.data = bytes(table)
    font["kern"] = kern
    out = BytesIO()
    font.save(out)
    return out.getvalue()


def _subset_fonttools(path: Path, index: int, codepoints: set[int], hinting: bool) -> bytes:
    from io import BytesIO

    from fontTools import subset

    options = subset.Options()
    options.name_IDs = list(_KEEP_NAME_IDS)
    options.hinting = hinting
    options.notdef_outline = True
    options.layout_features = ["*"]
    with TTFont(path, fontNumber=index, lazy=False) as font:
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=codepoints)
        subsetter.subset(font)
        out = BytesIO()
        font.save(out)
    return out.getvalue()
