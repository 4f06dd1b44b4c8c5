"""Trim sizes, margins that scale with them, the gutter, paper presets and the spine width.

Plain numbers in millimetres; no layout, no PDF. Korean trim names have ASCII aliases so
that they can be typed anywhere (``--trim singuk`` is ``--trim 신국판``).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from ..errors import ConfigError

#: Trim sizes (width, height in mm) by name; the Korean book sizes and two ISO ones.
TRIM_SIZES: dict[str, tuple[float, float]] = {
    "신국판": (152, 225),
    "국판": (148, 210),
    "46판": (128, 188),
    "크라운판": (176, 248),
    "46배판": (188, 257),
    "A5": (148, 210),
    "B5": (176, 250),
}
#: ASCII spellings of the Korean names (Revised Romanization, with and without 판 "pan").
TRIM_ALIASES: dict[str, str] = {
    "singuk": "신국판", "singukpan": "신국판",
    "guk": "국판", "gukpan": "국판",
    "46": "46판", "46pan": "46판",
    "crown": "크라운판", "keuraunpan": "크라운판",
    "46bae": "46배판", "46baepan": "46배판",
}
#: Thickness of one leaf (two pages) in mm of common interior papers, for the spine width.
PAPER_CALIPERS: dict[str, float] = {
    "mojo80": 0.100,    # 백색/미색 모조 80 g/m² (the usual POD interior)
    "mojo100": 0.120,   # 모조 100 g/m²
    "bulky70": 0.125,   # 이라이트·만화지 style bulky 70 g/m²
    "snow100": 0.090,   # 스노우/아트 100 g/m² (coated)
}
DEFAULT_PAPER = "mojo80"
#: Margins (top, outer, bottom, inner) in mm of a theme designed for A5, the reference trim.
REFERENCE_TRIM = (148.0, 210.0)
DEFAULT_MARGINS = (18.0, 15.0, 20.0, 19.0)
#: The gutter grows by this many mm per 100 pages beyond GUTTER_FROM pages, at most GUTTER_MAX.
GUTTER_PER_100_PAGES = 1.0
GUTTER_FROM = 100
GUTTER_MAX = 4.0
#: Below this spine width (mm) the spine carries no text; from SPINE_VERTICAL up, Korean
#: titles stand upright, one syllable under the other.
SPINE_TEXT_MIN = 4.0
SPINE_VERTICAL = 8.0

_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(mm|cm|in|pt)?\s*$")
_PAIR = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*[x× ]\s*(\d+(?:\.\d+)?)\s*(?:mm)?\s*$")
_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72}


def trim_size(value: str) -> tuple[float, float]:
    """(width, height) in mm of a trim name, alias or ``"W H"`` (mm); ConfigError otherwise."""
    text = value.strip()
    name = TRIM_ALIASES.get(text.lower(), text)
    for key, size in TRIM_SIZES.items():
        if key.lower() == name.lower():
            return size
    pair = _PAIR.match(text)
    if pair:
        width, height = float(pair[1]), float(pair[2])
        if 50 <= width <= 1000 and 50 <= height <= 1000:
            return width, height
    names = ", ".join(f"{k} ({a})" if (a := _alias(k)) else k for k in TRIM_SIZES)
    raise _bad("print.trim", f"{value!r} is not a trim size ({names}) or 'W H' in millimetres")


def _bad(key: str, detail: str) -> ConfigError:
    """The error for a bad print value: ``option 'KEY': DETAIL``, with ``key`` and ``detail``
    (the CLI names the flag; :func:`converter.options.print_options` names the file)."""
    return ConfigError(f"option {key!r}: {detail}", key=key, detail=detail)


def _alias(name: str) -> str:
    return next((a for a, n in TRIM_ALIASES.items() if n == name), "")


def length_mm(value: str, key: str) -> float:
    """A length such as ``3mm`` (a bare number is mm) in mm; ConfigError otherwise."""
    match = _LENGTH.match(str(value))
    if not match:
        raise _bad(key, f"{value!r} is not a length such as 3mm")
    return float(match[1]) * _MM[match[2] or "mm"]


def leaf_caliper(paper: str) -> float:
    """Thickness of one leaf in mm for a paper preset or a number."""
    key = paper.strip().lower()
    if key in PAPER_CALIPERS:
        return PAPER_CALIPERS[key]
    try:
        value = float(key.removesuffix("mm"))
    except ValueError:
        value = -1.0
    if not 0.02 <= value <= 1.0:
        raise _bad("print.paper", f"{paper!r} is not a paper preset "
                   f"({', '.join(PAPER_CALIPERS)}) or a leaf thickness in mm (0.02–1)")
    return value


def check_print_options(options: Any) -> None:
    """Raise ConfigError for values of a ``PrintOptions`` the schema's types let through but
    that make no sense."""
    if options.trim is not None:
        trim_size(options.trim)
    if options.bleed is not None and not 0 <= length_mm(options.bleed, "print.bleed") <= 20:
        raise _bad("print.bleed", f"{options.bleed!r} is not between 0 and 20 mm")
    if options.pad_to is not None and options.pad_to not in (1, 2, 4, 8, 16, 32):
        raise _bad("print.pad_to", f"{options.pad_to} is not 1, 2, 4, 8, 16 or 32")
    if options.paper is not None:
        leaf_caliper(options.paper)
    if options.min_dpi is not None and options.min_dpi <= 0:
        raise _bad("print.min_dpi", f"must be positive, got {options.min_dpi}")


@dataclass(frozen=True)
class PrintPlan:
    """The print profile resolved against the theme and the defaults: what the writer does."""

    enabled: bool
    trim: tuple[float, float] | None
    bleed: float
    marks: str
    gray: bool
    standard: str
    recto_chapters: bool
    pad_to: int
    caliper: float
    blurb: str
    output_profile: str | None
    min_dpi: int
    margins: tuple[float, float, float, float]

    @property
    def active(self) -> bool:
        """Whether the PDF needs any print treatment at all."""
        return (self.enabled or self.trim is not None or self.bleed > 0 or self.gray
                or self.marks != "none" or self.standard != "none" or self.recto_chapters
                or self.pad_to > 1)

    @property
    def css_bleed(self) -> float:
        """The CSS ``bleed``: the bleed, plus room for crop marks outside it."""
        return self.bleed + (10.0 if self.marks == "crop" else 0.0)

    def page_margins(self, trim: tuple[float, float]) -> tuple[float, float, float, float]:
        """(top, outer, bottom, inner) in mm: the theme's margins scaled to ``trim``."""
        sx, sy = trim[0] / REFERENCE_TRIM[0], trim[1] / REFERENCE_TRIM[1]
        top, outer, bottom, inner = self.margins
        return (round(top * sy, 2), round(outer * sx, 2), round(bottom * sy, 2),
                round(inner * sx, 2))


def gutter_extra(pages: int) -> float:
    """Extra gutter in mm for a book of ``pages`` pages: the text block moves outwards."""
    if pages <= GUTTER_FROM:
        return 0.0
    return round(min(GUTTER_MAX, (pages - GUTTER_FROM) / 100 * GUTTER_PER_100_PAGES), 2)


def spine_width(pages: int, caliper: float) -> float:
    """Spine width in mm: one leaf per two pages (rounded up), to a tenth of a millimetre."""
    return round(math.ceil(pages / 2) * caliper, 1)
