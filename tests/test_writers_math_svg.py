"""MathML → SVG images for the PDF writer (ziamath), sized in em and on the baseline."""

from __future__ import annotations

import base64
from pathlib import Path

from lxml import etree, html

from converter.writers.math_svg import mathml_to_svg


def _tree() -> html.HtmlElement:
    return html.fromstring(
        '<div><p>값 <span class="math-inline" data-tex="x_i^2"><math><mi>x</mi></math></span> 끝</p>'
        '<div class="math-display" data-tex="\\frac{a}{b}"><math display="block"></math></div>'
        '<span class="math-inline" data-tex="\\frac{"><math></math></span>'
        '<span class="math-inline" data-tex="y"><code>y</code></span></div>')


def test_math_becomes_svg_images() -> None:
    root = _tree()
    mathml_to_svg(root)
    images = root.findall(".//img")
    assert len(images) == 2 and not root.findall(".//math")
    inline, display = images
    assert inline.get("class") == "math-svg" and inline.get("alt") == "x_i^2"
    assert inline.getparent().tail == " 끝"
    svg = base64.b64decode(inline.get("src").split(",", 1)[1])
    parsed = etree.fromstring(svg)
    assert parsed.tag.endswith("svg") and parsed.find(".//{http://www.w3.org/2000/svg}path") is not None
    assert b"<use" not in svg and b"<text" not in svg  # glyphs are paths: no font embedded
    style = dict(part.split(":") for part in inline.get("style").split(";"))
    assert style["width"].endswith("em") and style["height"].endswith("em")
    assert float(style["vertical-align"].removesuffix("em")) < 0  # x_i descends
    assert "vertical-align" not in display.get("style")


def test_unrenderable_tex_falls_back_to_source_and_non_math_is_untouched() -> None:
    root = _tree()
    mathml_to_svg(root)
    broken = root.xpath("//span[@data-tex='\\frac{']")[0]
    assert broken[0].tag == "code" and broken[0].text == "\\frac{"
    untouched = root.xpath("//span[@data-tex='y']")[0]
    assert untouched[0].tag == "code"


def test_namespaced_tree() -> None:
    ns = "http://www.w3.org/1999/xhtml"
    root = etree.fromstring(
        f'<div xmlns="{ns}"><span class="math-inline" data-tex="a+b">'
        '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>a</mi></math></span></div>')
    mathml_to_svg(root)
    assert root[0][0].tag == f"{{{ns}}}img"


def test_formulas_are_drawn_once_and_cached_on_disk(tmp_path, monkeypatch) -> None:
    from converter.writers import math_svg

    calls: list[str] = []
    real = math_svg._svg_image

    def counting(tex: str, *, display: bool) -> dict[str, str]:
        calls.append(tex)
        return real(tex, display=display)

    monkeypatch.setattr(math_svg, "_svg_image", counting)
    doubled = html.fromstring(
        '<div><span class="math-inline" data-tex="x^2"><math></math></span>'
        '<span class="math-inline" data-tex="x^2"><math></math></span></div>')
    cache = math_svg.FormulaCache(tmp_path / "math")
    mathml_to_svg(doubled, cache)
    assert calls == ["x^2"]  # the same formula twice: drawn once
    first = [img.attrib for img in doubled.iter("img")]
    assert len(list((tmp_path / "math").glob("*.json"))) == 1

    root = _tree()
    mathml_to_svg(root, math_svg.FormulaCache(tmp_path / "math"))
    assert calls.count("x^2") == 1  # a new build reads it from disk
    again = html.fromstring(
        '<div><span class="math-inline" data-tex="x^2"><math></math></span></div>')
    mathml_to_svg(again, math_svg.FormulaCache(tmp_path / "math"))
    assert dict(next(again.iter("img")).attrib) == dict(first[0])


def test_impossible_boxes_are_retried_in_aligned_then_shown_as_tex(monkeypatch) -> None:
    """ziamath sometimes lays a multi-line formula out minus 500 em tall (seen on real blogs)."""
    from converter.writers import math_svg

    real = math_svg._layout
    seen: list[str] = []

    class Broken:
        margin = 0.0

        def getsize(self) -> tuple[float, float]:
            return 300.0, -9980.0

    def layout(tex: str, *, display: bool):
        seen.append(tex)
        if "fixable" in tex and tex.startswith("\\begin{aligned}"):
            return real("a \\\\ b", display=display)
        return Broken(), "<svg/>"

    monkeypatch.setattr(math_svg, "_layout", layout)
    root = html.fromstring(
        '<div><div class="math-display" data-tex="\\text{fixable} \\\\ b"><math></math></div>'
        '<div class="math-display" data-tex="\\text{hopeless} \\\\ c"><math></math></div></div>')
    warned: list[str] = []
    mathml_to_svg(root, warn=warned.append)
    assert len(root.findall(".//img")) == 1
    assert [c.text for c in root.iter("code")] == ["\\text{hopeless} \\\\ c"]
    assert len(warned) == 1 and "hopeless" in warned[0] and "shown as TeX" in warned[0]
    assert sum(t.startswith("\\begin{aligned}") for t in seen) == 2


def test_a_formula_that_cannot_be_drawn_is_remembered(tmp_path, monkeypatch) -> None:
    """A rebuild does not lay out again what ziamath failed on (seconds for some formulas),
    and still reports it; the helper process hands such failures on too."""
    from converter.writers import math_svg

    calls: list[str] = []

    def failing(tex: str, *, display: bool) -> dict[str, str]:
        calls.append(tex)
        raise ValueError("ziamath laid it out 680 x -19733 px")

    monkeypatch.setattr(math_svg, "_svg_image", failing)
    markup = '<div><div class="math-display" data-tex="\\broken"><math></math></div></div>'
    for _ in range(2):
        warned: list[str] = []
        root = html.fromstring(markup)
        mathml_to_svg(root, math_svg.FormulaCache(tmp_path / "math"), warn=warned.append)
        assert [c.text for c in root.iter("code")] == ["\\broken"]
        assert len(warned) == 1 and "-19733" in warned[0]
    assert calls == ["\\broken"]
    drawn = math_svg.draw_formulas([("\\broken", True)], tmp_path / "math")
    assert drawn == {("\\broken", True): {"error": "ziamath laid it out 680 x -19733 px"}}


def test_formulas_are_drawn_beside_the_images_and_used(tmp_path, monkeypatch) -> None:
    """With many formulas a helper process draws them while images are prepared; the PDF
    writer then draws none itself, and the PDF has every formula."""
    import pypdf
    from conftest import SiteBuilder

    from converter import api
    from converter.options import Options
    from converter.writers import math_svg

    body = "\n\n".join(f"식 {n}: $$x_{{{n}}}^2 + y_{{{n}}} = {n}$$" for n in range(20))
    post = SiteBuilder(tmp_path / "site").post("2024-01-01-math.md", body=body,
                                               front_matter='title: "수식"\nuse_math: true')
    drawn_here: list[str] = []
    real = math_svg._svg_image

    def counting(tex: str, *, display: bool) -> dict[str, str]:
        drawn_here.append(tex)  # the fork inherits this too, but appends in its own memory
        return real(tex, display=display)

    monkeypatch.setattr(math_svg, "_svg_image", counting)
    monkeypatch.setattr(api, "MIN_FORMULAS_FOR_HELPER", 5)
    result = api.convert(post, output_dir=tmp_path / "out", formats=["pdf"],
                         options=Options(jobs=2, cache_dir=tmp_path / "cache"))
    from converter.processes import forks, helper_context

    if forks(helper_context()):
        assert drawn_here == []  # all twenty came from the helper
    assert len(list((tmp_path / "cache" / "math").glob("*.json"))) == 20
    reader = pypdf.PdfReader(result.outputs["pdf"].path)
    assert "식 19" in "".join(page.extract_text() for page in reader.pages)


def test_an_empty_row_does_not_blow_the_formula_up() -> None:
    from converter.writers.math_svg import _svg_image

    style = _svg_image("\\begin{gather*} a \\\\ \\\\ b \\end{gather*}", display=True)["style"]
    height = float(style.split("height:")[1].split("em")[0])
    assert 1 < height < 5


def _ink_runs(tex: str) -> list[tuple[float, float]]:
    """The horizontal extent (em) of each glyph path of an inline formula, left to right."""
    import re

    from converter.writers.math_svg import RENDER_SIZE, _svg_image

    src = _svg_image(tex, display=False)["src"]
    svg = base64.b64decode(src.split(",", 1)[1]).decode("utf-8")
    runs = []
    for data in re.findall(r' d="([^"]*)"', svg):
        xs = [float(v) for i, v in enumerate(re.findall(r"-?[\d.]+", data)) if i % 2 == 0]
        runs.append((min(xs) / RENDER_SIZE, max(xs) / RENDER_SIZE))
    return sorted(runs)


def test_inline_formulas_say_how_much_blank_their_edges_hold() -> None:
    from converter.writers.math_svg import _svg_image

    def blank(tex: str) -> tuple[float, float]:
        left, right = _svg_image(tex, display=False)["data-blank"].split()
        return float(left), float(right)

    plain, spaced = blank("np"), blank("np\\;")
    assert 0.03 <= plain[0] <= 0.1 and 0.03 <= plain[1] <= 0.15  # the image's margin
    assert spaced[0] == plain[0] and spaced[1] - plain[1] > 0.25  # \; is 5/18 em of blank
    assert "data-blank" not in _svg_image("np", display=True)


def test_a_sign_after_a_relation_or_an_opening_is_unary() -> None:
    # t = −2.61: after "=" the space a digit gets, none between "−" and "2" (ziamath alone set
    # binary spaces on both sides of the minus: 0.8 em between "=" and "−").
    t, equals, minus, two, *_ = _ink_runs("t=-2.61")
    _, equals_alone, digit, *_ = _ink_runs("t=2.61")
    assert minus[0] - equals[1] < digit[0] - equals_alone[1] + 0.05
    assert two[0] - minus[1] < 0.15
    opening, minus, b, closing = _ink_runs("(-b)")
    assert minus[0] - opening[1] < 0.15 and b[0] - minus[1] < 0.15
    a, minus, b = _ink_runs("a-b")  # binary: spaced on both sides
    assert minus[0] - a[1] > 0.15 and b[0] - minus[1] > 0.15


def test_a_seeded_formula_is_taken_from_memory_without_the_disk_or_ziamath(
        tmp_path: Path) -> None:
    import subprocess
    import sys

    # A fresh interpreter: the PDF writer's process gets its formulas from the helper that drew
    # them and must not import ziamath (a third of a second) nor read the disk cache for them.
    code = ("import sys; from pathlib import Path\n"
            "from converter.writers.math_svg import FormulaCache\n"
            f"cache = FormulaCache(Path({str(tmp_path / 'math')!r}))\n"
            "cache.seed({('x^2', False): {'src': 'data:image/svg+xml;base64,AA=='}})\n"
            "print(cache.get('x^2', display=False)['src'], 'ziamath' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["data:image/svg+xml;base64,AA==", "False"]
    assert not (tmp_path / "math").exists()
