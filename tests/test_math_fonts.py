"""Korean (and other text) inside formulas: drawn from the bundled fonts in the PDF's SVG math,
a MathML font stack with the bundled fonts in the EPUB, a warning for what no font has."""

from __future__ import annotations

import base64
import io
import re
import zipfile
from pathlib import Path

from _pipeline import convert
from conftest import SiteBuilder
from fontTools.ttLib import TTFont
from lxml import etree, html

from converter import Options
from converter import convert as convert_post
from converter.writers.math_svg import _svg_image, mathml_to_svg

_PATH = re.compile(r' d="([^"]+)"')


_NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def _shape(path: str) -> tuple[object, ...]:
    """A glyph outline independent of where and how large it is drawn."""
    numbers = [float(n) for n in _NUMBER.findall(path)]
    xs, ys = numbers[0::2], numbers[1::2]
    size = max(max(xs) - min(xs), max(ys) - min(ys)) or 1.0
    commands = re.sub(r"[-\d. ]+", "", path)
    points = tuple(round((x - min(xs)) / size * 50) for x in xs) + tuple(
        round((y - min(ys)) / size * 50) for y in ys)
    return (commands, points)


def _paths(tex: str) -> list[tuple[object, ...]]:
    attributes = _svg_image(tex, display=True)
    svg = base64.b64decode(attributes["src"].split(",", 1)[1]).decode("utf-8")
    return [_shape(p) for p in _PATH.findall(svg)]


def _tofu_paths() -> set[tuple[object, ...]]:
    """The math font's .notdef box, as ziamath draws it for a character it lacks."""
    import ziamath

    previous, ziamath.config.svg2 = ziamath.config.svg2, False
    try:
        return {_shape(p) for p in _PATH.findall(ziamath.Latex("\\text{가나}", size=20).svg())}
    finally:
        ziamath.config.svg2 = previous


def test_korean_text_is_drawn_with_real_glyphs() -> None:
    tofu = _tofu_paths()
    assert len(tofu) == 1  # the old drawing: one box shape for every syllable
    paths = _paths("f(x) = \\begin{cases} 1 & x > 0 \\\\ 0 & \\text{이외의 경우} \\end{cases}")
    assert not tofu & set(paths)
    # 이, 외, 의, 경, 우: five different syllables, five different outlines (boxes are all alike).
    korean = _paths("\\text{이외의경우}")
    assert len(set(korean)) == 5 and not tofu & set(korean)


def test_korean_in_a_subscript_keeps_its_own_glyphs() -> None:
    # Script-size variants are looked up by glyph index in the math font: a borrowed glyph
    # must not be swapped for the math glyph that happens to have its index.
    alone = set(_paths("\\text{최대}"))
    scripted = set(_paths("x_{\\text{최대}}"))
    assert alone <= scripted and len(scripted - alone) == 1  # only the x is new


def test_a_character_no_font_has_is_a_warning_naming_the_post_and_character(
        tmp_path: Path) -> None:
    out = convert(tmp_path, "글 $$\\text{가ༀ}$$ 끝\n")
    warnings = [w for w in out.warnings if "U+0F00" in w]
    assert len(warnings) == 1
    assert "2020-01-02-post.md" in warnings[0] and "'ༀ'" in warnings[0]
    # Hangul alone: no warning.
    assert not [w for w in convert(tmp_path / "b", "글 $$\\text{가}$$\n").warnings if "font" in w]


def test_pdf_writer_does_not_repeat_the_warning() -> None:
    root = html.fromstring('<div><span class="math-inline" data-tex="\\text{ༀ가}">'
                           '<math></math></span></div>')
    heard: list[str] = []
    mathml_to_svg(root, warn=heard.append)
    assert root.find(".//img") is not None and heard == []


def test_epub_math_uses_the_bundled_korean_font(site: SiteBuilder, tmp_path: Path) -> None:
    post = site.post("2024-03-01-math.md", """
        정의는 다음과 같다.

        $$
        f(x) = \\begin{cases} 1 & x > 0 \\\\ 0 & \\text{이외의 경우} \\end{cases}
        $$
        """)
    result = convert_post(post, output_dir=tmp_path / "out",
                          options=Options(formats=("epub",), jobs=1))
    assert not result.warnings
    with zipfile.ZipFile(result.paths[0]) as archive:
        names = archive.namelist()
        css = "".join(archive.read(n).decode() for n in names if n.endswith(".css"))
        documents = [archive.read(n) for n in names if n.endswith(".xhtml")]
        fonts = {n: archive.read(n) for n in names if n.endswith((".ttf", ".otf"))}
    rule = re.search(r"(?m)^mtext \{\s*font-family: ([^;]+);", css)
    assert rule and rule.group(1).startswith('"hanji-serif"')
    text = "".join(t for doc in documents
                   for t in etree.fromstring(doc).xpath("//*[local-name()='mtext']/text()"))
    assert "이외의" in text
    serif = [data for name, data in fonts.items() if "Myeongjo" in name or "serif" in name.lower()]
    assert serif, list(fonts)
    cmap = TTFont(io.BytesIO(serif[0])).getBestCmap()
    assert all(ord(c) in cmap for c in text if not c.isspace())
