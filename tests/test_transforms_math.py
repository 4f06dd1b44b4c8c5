"""Math by kramdown's rules (dialect placeholders) filled with MathML (transforms/math.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pipeline import Converted, convert, dialect

from converter.dialect import DialectContext
from converter.dialect.kramdown_math import single_dollar_enabled
from converter.transforms.math import adapt_tex


def _visible_text(out: Converted) -> str:
    """Text outside ``<math>`` (the TeX itself lives in attributes)."""
    return "".join(out.root.xpath("//text()[not(ancestor::math)]"))


def test_display_math_alone_in_its_block(tmp_path: Path) -> None:
    out = convert(tmp_path, "앞 문단\n\n$$\nx_1 * y_2 * z_3 = \\frac{a}{b}\n$$\n\n뒤 문단\n")
    display = out.find("//div[@class='math-display']")
    assert len(display) == 1
    assert display[0].get("data-tex") == "x_1 * y_2 * z_3 = \\frac{a}{b}"
    math = display[0].find("math")
    assert math.get("display") == "block" and math.find(".//mfrac") is not None
    assert not out.find("//em") and out.flags.get("math") is True
    assert "$$" not in _visible_text(out)


def test_inline_math_inside_text_and_right_after_a_line(tmp_path: Path) -> None:
    out = convert(tmp_path, "값 $$a_i$$ 와 $$b_i$$ 사이.\n\n문단 첫 줄\n$$c^2$$\n")
    inline = out.find("//span[@class='math-inline']")
    assert [s.get("data-tex") for s in inline] == ["a_i", "b_i", "c^2"]
    assert all(s.find("math").get("display") is None for s in inline)
    assert not out.find("//div[@class='math-display']")


def test_aligned_environment_and_newcommand(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        $$
        \\begin{aligned}
        a &= b + c \\\\
          &= d
        \\end{aligned}
        $$

        $$
        \\newcommand{\\indep}{\\perp \\!\\!\\! \\perp}
        x_1 \\indep x_3 | x_2
        $$
        """)
    displays = out.find("//div[@class='math-display']")
    assert len(displays) == 2
    assert displays[0].find(".//mtable") is not None
    assert out.warnings == []


def test_display_math_as_a_list_item(tmp_path: Path) -> None:
    out = convert(tmp_path, "- 식:\n\n  $$\n  p(x)\n  $$\n\n- $$\n  q(x)\n  $$\n- 끝\n")
    assert [d.get("data-tex") for d in out.find("//li//div[@class='math-display']")] == ["p(x)", "q(x)"]


def test_math_in_table_cells_unescapes_pipes(tmp_path: Path) -> None:
    out = convert(tmp_path, "| 수식 | 의미 |\n|---|---|\n| $$ {\\|\\|a\\|\\|} $$ | norm |\n| $$ P(B \\mid A) $$ | 조건부 |\n")
    cells = out.find("//td/span[@class='math-inline']")
    assert [c.get("data-tex") for c in cells] == ["{||a||}", "P(B \\mid A)"]
    assert len(out.find("//tbody/tr")) == 2


def test_escaped_dollars_and_code_are_not_math(tmp_path: Path) -> None:
    out = convert(tmp_path, "가격 \\$$5 와 `$$x$$`\n\n```\n$$y$$\n```\n")
    assert not out.find("//*[contains(@class, 'math-')]")
    assert "$$x$$" in out.find("//p/code")[0].text and "$$y$$" in out.find("//pre/code")[0].text_content()


def test_single_dollar_math_heuristic(tmp_path: Path) -> None:
    out = convert(tmp_path, "평균을 $\\mu$, 편차를 $\\sigma_B$ 라 하면 $\\rho$는 0이다. R 코드 pri$model$model\n")
    assert [s.get("data-tex") for s in out.find("//span[@class='math-inline']")] == [
        "\\mu", "\\sigma_B", "\\rho"]
    assert "pri$model$model" in out.root.text_content()
    prices = convert(tmp_path / "b", "배당금 $0.44 과 $\\mu$ 는 그대로.\n")
    assert not prices.find("//span[@class='math-inline']")


@pytest.mark.parametrize("page, site, expected", [
    ({"use_math": True}, {}, True),
    ({}, {"mathjax": True}, True),
    ({}, {}, False),
])
def test_single_dollar_switches(page: dict, site: dict, expected: bool) -> None:
    ctx = DialectContext(site=site, page=page)
    assert single_dollar_enabled("plain $x$ text", ctx) is expected
    assert single_dollar_enabled("plain $x$ text", DialectContext(site={}, page={},
                                                                  single_dollar_math=True))


def test_unconvertible_tex_is_shown_as_code_with_a_warning(tmp_path: Path) -> None:
    out = convert(tmp_path, "식 $$x^{$$ 와\n\n$$\n\\unknowncommand{y}\n$$\n")
    assert out.find("//code[@class='math-source']")[0].text == "x^{"
    assert out.find("//pre[@class='math-source']/code")[0].text == "\\unknowncommand{y}"
    assert len([w for w in out.warnings if "could not be converted" in w]) == 2
    assert not out.find("//*[contains(@class, 'math-inline') or contains(@class, 'math-display')]")


def test_mathml_is_filtered(tmp_path: Path) -> None:
    out = convert(tmp_path, "$$\\href{javascript:alert(1)}{x}$$ 링크\n")
    math = out.find("//math")[0]
    assert all(set(el.attrib) <= {"alttext", "display", "stretchy", "fence"} for el in math.iter())
    assert math.find(".//mi").text == "x"


def test_adapt_tex_environments() -> None:
    assert adapt_tex("\\begin{aligned}a&=b\\end{aligned}") == "\\begin{align*}a&=b\\end{align*}"
    assert adapt_tex("\\begin{gathered}a\\\\b\\end{gathered}") == "\\begin{array}{c}a\\\\b\\end{array}"
    assert adapt_tex("\\begin{equation}x\\label{e}\\end{equation}") == "x"


def test_placeholders_survive_markdown() -> None:
    out = dialect("a $$x_1 * y_1 [z](w) `c`$$ b")
    assert "<span class=\"math-inline\" data-tex=\"" in out
    assert "_" not in out.split("data-tex=")[1].split('"')[1]


def test_bare_math_environment_paragraph_is_display_math(tmp_path: Path) -> None:
    out = convert(tmp_path, "앞\n\n\\begin{align}\na &= b \\\\\nc &= d\n\\end{align}\n\n문장 속 \\begin{equation}x\\end{equation} 은 글자.\n")
    display = out.find("//div[@class='math-display']")
    assert len(display) == 1 and display[0].find(".//mtable") is not None
    assert "\\begin{equation}" in out.find("//p")[-1].text


def test_a_script_on_a_bracketed_matrix_gives_valid_mathml(tmp_path: Path) -> None:
    out = convert(tmp_path, "$$\\begin{bmatrix}1 & 2\\end{bmatrix}^T = x$$ 끝\n")
    msup = out.find("//msup")
    assert len(msup) == 1 and len(msup[0]) == 2
    assert msup[0][0].tag == "mrow" and msup[0][0].find("mtable") is not None
    assert msup[0][1].text == "T"
