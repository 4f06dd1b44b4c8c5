"""The generated cover picture: the title and author drawn on the theme's colours (Pillow).

A book or post without a cover image gets a generated cover. The PDF draws it as a page
of HTML (``section.cover-generated`` in the theme's ``print.css``); an EPUB (a book's or a
single post's) needs a *picture* as its cover image (readers show it on their shelves), which
this module draws with the same layout, the theme's ``cover`` colours (``theme.yml``) and the
bundled fonts: the heading family for the title (bold) and the author, with its fallbacks for
characters it lacks.

It knows nothing about EPUB or PDF: it makes one PNG.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw, ImageFont

if TYPE_CHECKING:
    from .book import BookMeta
    from .themes import Theme

#: Size of the picture: an A5 page (148 × 210 mm) at about 240 dpi.
WIDTH, HEIGHT = 1400, 1986
_PX_PER_MM = WIDTH / 148
#: Defaults when the theme gives no ``cover`` colours.
DEFAULT_COLOURS = {"background": "#f4f1ea", "color": "#1c1c1c", "accent": "#333333"}
_MAX_TITLE_LINES = 6


def draw_cover(meta: BookMeta, theme: Theme) -> bytes:
    """The generated cover of ``meta`` (title, author): a PNG, :data:`WIDTH` × :data:`HEIGHT`."""
    colours = {**DEFAULT_COLOURS, **theme.cover}
    heading = theme.fonts.get("heading", "hanji-sans")
    image = Image.new("RGB", (WIDTH, HEIGHT), colours["background"])
    draw = ImageDraw.Draw(image)
    side = round(20 * _PX_PER_MM)  # the print.css padding (14 mm) and title margin (6 mm)
    width = WIDTH - 2 * side
    # 24 pt (as in print.css), smaller for a long title, so that it fits in a few lines.
    size = round(24 * 0.3528 * _PX_PER_MM)
    title = " ".join(meta.title.split()) or " "
    bold = _fonts(heading, 700)
    lines = _wrap(title, bold, size, width)
    while len(lines) > _MAX_TITLE_LINES and size > 30:
        size = round(size * 0.85)
        lines = _wrap(title, bold, size, width)
    y = round(HEIGHT * 0.225)
    line_height = round(size * 1.3)
    for line in lines[:_MAX_TITLE_LINES]:
        _draw_line(draw, line, bold, size, y, colours["color"])
        y += line_height
    y += round(8 * _PX_PER_MM)
    draw.line([(side, y), (WIDTH - side, y)], fill=colours["accent"],
              width=max(2, round(0.8 * 0.3528 * _PX_PER_MM)))
    if meta.author:
        regular = _fonts(heading, 400)
        author_size = round(11 * 0.3528 * _PX_PER_MM)
        y += round(6 * _PX_PER_MM)
        for line in _wrap(" ".join(meta.author.split()), regular, author_size, width)[:2]:
            _draw_line(draw, line, regular, author_size, y, colours["accent"])
            y += round(author_size * 1.5)
    # A few flat colours and anti-aliased text: a palette keeps the file small.
    output = io.BytesIO()
    image.quantize(colors=64, dither=Image.Dither.NONE).save(output, format="PNG",
                                                             optimize=True)
    return output.getvalue()


# ------------------------------------------------------------------------------- text runs


@functools.lru_cache(maxsize=8)
def _fonts(family: str, weight: int) -> tuple[tuple[Path, frozenset[int]], ...]:
    """The faces of ``family`` and its fallbacks at ``weight``, each with the characters it
    has (a character is drawn with the first face that has it)."""
    from .fonts import font_codepoints, resolve_families

    return tuple((face.path, font_codepoints(face.path))
                 for face in (fam.face(weight) for fam in resolve_families([family])))


@functools.lru_cache(maxsize=32)
def _font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), size)


def _runs(text: str, faces: Sequence[tuple[Path, frozenset[int]]],
          size: int) -> list[tuple[str, ImageFont.FreeTypeFont]]:
    """``text`` cut into runs of characters drawn with the same face."""
    runs: list[tuple[str, ImageFont.FreeTypeFont]] = []
    for char in text:
        path = next((p for p, chars in faces if ord(char) in chars or char.isspace()),
                    faces[0][0])
        font = _font(path, size)
        if runs and runs[-1][1] is font:
            runs[-1] = (runs[-1][0] + char, font)
        else:
            runs.append((char, font))
    return runs


def _length(text: str, faces: Sequence[tuple[Path, frozenset[int]]], size: int) -> float:
    return sum(font.getlength(run) for run, font in _runs(text, faces, size))


def _wrap(text: str, faces: Sequence[tuple[Path, frozenset[int]]], size: int,
          width: int) -> list[str]:
    """Lines of at most ``width`` pixels, broken between words (Korean too); a word wider
    than a line is broken between its letters."""
    lines: list[str] = []
    current = ""
    for word in text.split(" "):
        candidate = f"{current} {word}" if current else word
        if _length(candidate, faces, size) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = ""
        for char in word:
            if current and _length(current + char, faces, size) > width:
                lines.append(current)
                current = ""
            current += char
    if current:
        lines.append(current)
    return lines


def _draw_line(draw: ImageDraw.ImageDraw, line: str,
               faces: Sequence[tuple[Path, frozenset[int]]], size: int, y: int,
               colour: str) -> None:
    """One centred line, each run in its own face, on a common baseline."""
    runs = _runs(line, faces, size)
    x = (WIDTH - sum(font.getlength(run) for run, font in runs)) / 2
    ascent = max(font.getmetrics()[0] for _, font in runs)
    for run, font in runs:
        draw.text((x, y + ascent), run, font=font, fill=colour, anchor="ls")
        x += font.getlength(run)


__all__ = ["HEIGHT", "WIDTH", "draw_cover"]
