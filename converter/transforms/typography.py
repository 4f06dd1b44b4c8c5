"""Typography: presentational inline styles from blogs must not fight the theme.

- Sizes, families, line heights and spacing set inline (``<span style="font-size:11pt">``,
  ``<font size=5>`` after html_quirks) are removed: readers and the theme control size.
- Colour, weight, style and decoration are kept: they carry the author's emphasis. A colour
  that would be unreadable on the white page (white or pale text, written for a dark blog
  theme) is dropped when it is white or a pale grey, and darkened to a readable shade when it is
  saturated or a mid grey (a yellow highlight word stays yellowish). Dark backgrounds are
  dropped too, and light ones (highlighter marks) kept.
- An inline formula or inline image written against a Korean word ("$x_3$의", "값$x$") is
  wrapped with that word in ``<span class="nobreak">``: reading systems break around inline
  objects whatever ``keep-all`` says, and "x3" ⏎ "의" is a break inside a word.
- Table cells holding a run of text that cannot break and is too long for its share of the
  page (a URL, an identifier, a long Korean compound in a many-column table) get the class
  ``wrap-anywhere``: the themes let only those break anywhere, so short words in narrow
  columns stay whole while long runs still wrap instead of overflowing the margin.

Korean line breaking itself is the writers' job (the PDF writer joins the letters of a word;
the EPUB uses ``word-break: keep-all``).
"""

from __future__ import annotations

import colorsys
import re
import unicodedata

from lxml import html

from . import TransformContext, transform

_DROPPED_PROPERTIES = {"font-size", "font-family", "line-height", "font", "letter-spacing",
                       "word-spacing", "white-space", "position", "float", "height"}
_DECLARATION = re.compile(r"\s*([-a-zA-Z]+)\s*:\s*([^;]*)")

#: Contrast ratio (WCAG) a text colour needs against the white page to be kept as it is.
MIN_CONTRAST = 3.0
#: Below this saturation a colour is a grey, and a grey this pale (#ccc and lighter) was
#: written for a dark background: it is dropped rather than darkened.
_GREY_SATURATION = 0.25
_PALE_GREY_CONTRAST = 1.65
#: Backgrounds darker than this relative luminance are dropped (dark boxes on paper).
_DARK_BACKGROUND = 0.35

#: Width (in em of the table text) a table's columns may need together before some of their
#: words must break: the text block of an A5 page (41 em at the themes' table size) with a
#: margin for B6 and borders.
TABLE_WIDTH_EM = 36.0
#: Horizontal padding of a cell, in em (the themes use 0.5em on each side).
CELL_PADDING_EM = 1.1
#: How much more text a line of a ``table-dense`` table holds (the themes set it at 0.82 of
#: their normal table size).
DENSE_SCALE = 1 / 0.82
_SIZED = {"img", "svg", "video"}
#: Largest fixed width (CSS px) an image in a table cell keeps.
MAX_CELL_IMAGE_PX = 160
_LENGTH = re.compile(r"^([\d.]+)\s*(px|pt|pc|cm|mm|in|em|rem)?$")
_PX_PER_UNIT = {"px": 1.0, "pt": 96 / 72, "pc": 16.0, "cm": 96 / 2.54, "mm": 96 / 25.4,
                "in": 96.0, "em": 16.0, "rem": 16.0}
_FIXED_LENGTH = re.compile(r"^[\d.]+\s*(px|pt|pc|cm|mm|in|em|rem|ex|ch|vw)?$")
# Where a long run may break anyway (UAX #14 breaks after these inside URLs and words).
_RUN_SPLIT = re.compile(r"\s+|(?<=[/\-?&=])")


def _luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_on_white(rgb: tuple[float, float, float]) -> float:
    """WCAG contrast ratio of ``rgb`` (0–1 channels) against white."""
    return 1.05 / (_luminance(rgb) + 0.05)


def _parse_color(value: str) -> tuple[float, float, float, float] | None:
    from tinycss2.color3 import parse_color

    try:
        color = parse_color(value.strip())
    except Exception:  # noqa: BLE001 - tinycss2 raises on odd tokens; an unknown colour is not judged
        return None
    if color is None or isinstance(color, str):  # "currentColor"
        return None
    return color.red, color.green, color.blue, color.alpha


def readable_color(value: str) -> str | None:
    """``value`` if it reads on white, else a darker shade of it; ``None`` for white and pale
    greys (the author's dark-theme text colour: the theme's colour is right on paper)."""
    parsed = _parse_color(value)
    if parsed is None:
        return value
    r, g, b, alpha = parsed
    if alpha < 0.5:  # mostly transparent text shows the page: treat as pale
        r, g, b = (1 - alpha + alpha * c for c in (r, g, b))
    contrast = contrast_on_white((r, g, b))
    if contrast >= MIN_CONTRAST:
        return value
    hue, lightness, saturation = colorsys.rgb_to_hls(r, g, b)
    if saturation < _GREY_SATURATION and contrast < _PALE_GREY_CONTRAST:
        return None
    while lightness > 0 and contrast_on_white(colorsys.hls_to_rgb(hue, lightness, saturation)) \
            < MIN_CONTRAST:
        lightness -= 0.02
    dark = colorsys.hls_to_rgb(hue, max(lightness, 0.0), saturation)
    return "#" + "".join(f"{round(c * 255):02x}" for c in dark)


def _light_background(value: str) -> bool:
    parsed = _parse_color(value)
    if parsed is None:
        return True
    r, g, b, alpha = parsed
    return alpha < 0.3 or _luminance((r, g, b)) >= _DARK_BACKGROUND


def _css_px(value: str) -> float | None:
    """A CSS length in px (1in = 96px), or None for percentages, auto and the unknown."""
    match = _LENGTH.match(value.strip().lower())
    if not match:
        return None
    return float(match.group(1)) * _PX_PER_UNIT[match.group(2) or "px"]


def clean_style(style: str, *, tag: str = "span", in_cell: bool = False) -> str:
    """Keep only declarations that carry meaning (colour, emphasis, alignment, widths), with
    colours made readable on white. Fixed widths are kept only on images: a ``width: 900px``
    table or box would run off the page. In a table cell, an image keeps a fixed width only
    when it is small (an icon): WeasyPrint sizes the columns from it, and two ``width: 6in``
    pictures side by side make a table twice as wide as the page."""
    kept = []
    for match in _DECLARATION.finditer(style):
        name, value = match.group(1).lower(), match.group(2).strip()
        lowered = value.lower()
        if not value or name in _DROPPED_PROPERTIES or "url(" in lowered \
                or "expression(" in lowered:
            continue
        if name in {"width", "max-width", "min-width"} and tag not in _SIZED \
                and _FIXED_LENGTH.match(lowered):
            continue
        if in_cell and tag in _SIZED and name in {"width", "min-width", "height"} \
                and (_css_px(lowered) or 0) > MAX_CELL_IMAGE_PX:
            continue
        if name == "color":
            value = readable_color(value) or ""
            if not value:
                continue
        elif name in {"background-color", "background"} and not _light_background(value):
            continue
        kept.append(f"{name}: {value}")
    return "; ".join(kept)


def _run_width_em(run: str) -> float:
    """Rough width of ``run`` in em: wide (CJK) letters 1, everything else 0.55."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WF" else 0.55 for c in run)


def longest_run_em(text: str) -> float:
    """Width in em of the longest stretch of ``text`` that has no break opportunity."""
    return max((_run_width_em(run) for run in _RUN_SPLIT.split(text) if run), default=0.0)


def _water_level(needs: list[float], budget: float) -> float:
    """The largest cap such that ``sum(min(need, cap)) <= budget`` (inf if all fit)."""
    remaining = budget
    ordered = sorted(needs)
    for index, need in enumerate(ordered):
        left = len(ordered) - index
        if need * left > remaining:
            return max(remaining / left, 0.0)
        remaining -= need
    return float("inf")


def _rows(table: html.HtmlElement) -> list[html.HtmlElement]:
    return table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr")


def mark_long_cells(root: html.HtmlElement) -> None:
    """Class ``wrap-anywhere`` on the cells that must break inside a word for the table to fit.

    Each column needs at least its longest unbreakable run; when the columns together need
    more than :data:`TABLE_WIDTH_EM`, the table is marked ``table-dense`` (set smaller by the
    themes) and the widest columns are capped at the level where the rest fit (water-filling):
    only cells with a run above that cap may break anywhere. Short columns ("긍정", "Sex")
    keep their words; long URLs and compounds wrap.
    """
    for table in root.iter("table"):
        grid: list[tuple[html.HtmlElement, int, int, float]] = []  # cell, column, span, need
        for row in _rows(table):
            column = 0
            for cell in row:
                if cell.tag not in {"td", "th"}:
                    continue
                span_text = cell.get("colspan") or "1"
                span = max(1, int(span_text)) if span_text.isdigit() else 1
                grid.append((cell, column, span, longest_run_em(cell.text_content())))
                column += span
        if not grid:
            continue
        columns = max(column + span for _, column, span, _ in grid)
        needs = [0.0] * columns
        for _, column, span, need in grid:
            if span == 1:
                needs[column] = max(needs[column], need)
        budget = TABLE_WIDTH_EM - CELL_PADDING_EM * columns
        if sum(needs) > budget:
            # Too many columns for whole words: the themes set such a table smaller
            # (table.table-dense), which makes room for DENSE_SCALE times as many letters.
            table.set("class", " ".join([*(table.get("class") or "").split(), "table-dense"]))
            budget = TABLE_WIDTH_EM * DENSE_SCALE - CELL_PADDING_EM * columns
        cap = _water_level(needs, budget)
        for cell, _, span, need in grid:
            if need > cap * span:
                classes = (cell.get("class") or "").split()
                if "wrap-anywhere" not in classes:
                    cell.set("class", " ".join([*classes, "wrap-anywhere"]))


_HANGUL_CHAR = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7af]")
_LEADING_WORD = re.compile(r"^[^\s]+")
_TRAILING_WORD = re.compile(r"[^\s]+$")


def _inline_objects(root: html.HtmlElement) -> list[html.HtmlElement]:
    found = [el for el in root.iter("span") if "math-inline" in (el.get("class") or "").split()]
    found += [el for el in root.iter("img") if "inline-image" in (el.get("class") or "").split()]
    return found


def glue_inline_objects(root: html.HtmlElement) -> None:
    """Wrap an inline formula or image with the Korean word it is written against."""
    for obj in _inline_objects(root):
        parent = obj.getparent()
        if parent is None or "nobreak" in (parent.get("class") or "").split():
            continue
        after = _LEADING_WORD.match(obj.tail or "")
        previous = obj.getprevious()
        before_text = (previous.tail if previous is not None else parent.text) or ""
        before = _TRAILING_WORD.search(before_text)
        if not ((after and _HANGUL_CHAR.search(after.group(0)))
                or (before and _HANGUL_CHAR.search(before.group(0)))):
            continue
        wrapper = html.Element("span", {"class": "nobreak"})
        obj.addprevious(wrapper)
        if before:
            wrapper.text = before.group(0)
            cut = before_text[: before.start()]
            if previous is not None:
                previous.tail = cut
            else:
                parent.text = cut
        tail = obj.tail or ""
        wrapper.append(obj)
        if after:
            obj.tail = after.group(0)
            wrapper.tail = tail[after.end():]
        else:
            obj.tail = None
            wrapper.tail = tail


@transform("typography", priority=50)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Normalise inline styles; unwrap spans left without any attribute; mark table cells
    that must be allowed to break anywhere."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        style = element.get("style")
        if style is None:
            continue
        in_cell = element.tag in _SIZED and any(
            a.tag in {"td", "th"} for a in element.iterancestors())
        cleaned = clean_style(style, tag=element.tag, in_cell=in_cell)
        if cleaned:
            element.set("style", cleaned)
        else:
            del element.attrib["style"]
    for table in root.iter("table"):
        width = (table.get("width") or "").strip()
        if width and not width.endswith("%"):
            del table.attrib["width"]
    for span in list(root.iter("span")):
        if not span.attrib and span.getparent() is not None:
            span.drop_tag()
    glue_inline_objects(root)
    mark_long_cells(root)
