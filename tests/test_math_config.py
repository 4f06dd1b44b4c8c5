"""Math delimiters as the site's own MathJax/KaTeX configuration says (dialect/math_config.py),
applied by the kramdown math rule; sites without a configuration keep the old rule."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from _pipeline import convert, dialect

from converter.dialect.math_config import read_config, site_math

TEXT_THEME = """
<script type="text/x-mathjax-config">
	var _config = { tex2jax: {
		inlineMath: [['$','$'], ['\\\\(','\\\\)']]
	}};
	{%- if _mathjax_autoNumber == true -%}
		_config.TeX = { equationNumbers: { autoNumber: "all" } };
	{%- endif -%}
	MathJax.Hub.Config(_config);
</script>
"""
BROKEN = """
<script type="text/x-mathjax-config">
  MathJax.Hub.Config({
    },
    tex2jax: {
      inlineMath: [ ['$','$'], ['\\(', '\\)'] ],
      processEscapes: true,
    }
  });
</script>
"""
MATHJAX3 = """
window.MathJax = {
  tex: {
    inlineMath: [['$', '$'], ['\\\\(', '\\\\)']],
    tags: 'ams'
  }
};
"""
KATEX = """
renderMathInElement(document.body, {
    delimiters: [
        {left: "$$", right: "$$", display: true},
        // {left: "\\\\[", right: "\\\\]", display: true},
        {left: "\\\\(", right: "\\\\)", display: true},
        {left: "$", right: "$", display: false}
    ]
});
"""


def test_mathjax2_with_liquid_switch_decided_by_the_site() -> None:
    on = read_config(TEXT_THEME, {"mathjax_autoNumber": True})
    assert on is not None and on.engine == "mathjax2"
    assert on.inline == (("$", "$"), ("\\(", "\\)")) and on.single_dollar
    assert on.tags == "all" and on.process_escapes is False
    off = read_config(TEXT_THEME, {"mathjax_autoNumber": False})
    assert off is not None and off.tags == "none"


def test_a_config_the_browser_cannot_run_leaves_mathjax_defaults() -> None:
    broken = read_config(BROKEN, {})
    assert broken is not None and not broken.single_dollar
    assert broken.inline == (("\\(", "\\)"),)


def test_mathjax3_and_katex() -> None:
    three = read_config(MATHJAX3, {})
    assert three is not None and three.engine == "mathjax3" and three.tags == "ams"
    assert three.display == (("$$", "$$"), ("\\[", "\\]"))  # the default, not configured
    katex = read_config(KATEX, {})
    assert katex is not None and katex.engine == "katex"
    assert katex.kind_of(("\\(", "\\)")) == "display" and katex.single_dollar
    assert ("\\[", "\\]") not in katex.display  # commented out


def test_site_files_and_theme_presets(tmp_path: Path) -> None:
    include = tmp_path / "_includes" / "mathjax.html"
    include.parent.mkdir(parents=True)
    include.write_text(MATHJAX3, encoding="utf-8")
    found = site_math(tmp_path, {})
    assert found is not None and found.source == "_includes/mathjax.html"
    chirpy = site_math(tmp_path / "none", {"theme": "jekyll-theme-chirpy"})
    assert chirpy is not None and chirpy.page_switch == "math" and chirpy.tags == "ams"
    loader = tmp_path / "plain"
    (loader / "_includes").mkdir(parents=True)
    (loader / "_includes" / "scripts.html").write_text(
        '<script async src="{{ \'assets/MathJax/es5/tex-mml-chtml.js\' | relative_url }}">'
        "</script>", encoding="utf-8")
    defaults = site_math(loader, {})
    assert defaults is not None and defaults.engine == "mathjax3" and not defaults.single_dollar
    assert site_math(tmp_path / "none", {}) is None


CHIRPY = {"site": {"theme": "jekyll-theme-chirpy"}, "page": {"math": True}}


def _tex(markdown: str) -> list[str]:
    import html
    import re

    return [html.unescape(t) for t in re.findall(r'data-tex="([^"]*)"', markdown)]


@pytest.mark.parametrize(("source", "expected"), [
    # MathJax accepts spaces inside the dollars.
    ("a $ A = \\begin{bmatrix} 1 \\end{bmatrix} $ b", ["A = \\begin{bmatrix} 1 \\end{bmatrix}"]),
    ("$x$는 $ y $와 같다", ["x", "y"]),
    # Prices, a shell prompt and table cells are not math.
    ("책값은 $5 그리고 $10 이다", []),
    ("$ ls -la\n\n결과", []),
    ("| {$DIR} | 경로 |\n|---|---|\n| $a$ | {$HOME} |", ["a"]),
    # Never across a paragraph, a list item or a code span.
    ("가격 $3\n\n다음 $ 문단", []),
    ("- 첫 $a\n- 둘 b$", []),
    ("`$x` 와 `y$`", []),
    # An escaped dollar is a dollar.
    ("\\$a$ 끝", []),
])
def test_single_dollar_as_mathjax_finds_it(source: str, expected: list[str]) -> None:
    assert _tex(dialect(source, **CHIRPY)) == expected


def test_math_in_blockquotes_loses_the_markers() -> None:
    out = dialect("""
        > 식은 $x +
        > y$ 이고
        >
        > $$
        > a = b
        > $$
        """, **CHIRPY)
    assert _tex(out) == ["x +\ny", "a = b"]
    assert out.count("math-display") == 1 and ">" not in "".join(_tex(out))


def test_math_in_list_items(tmp_path: Path) -> None:
    out = convert(tmp_path, """
        1. 첫째 $a_1 = b$ 항목

           $$
           c = d
           $$

        2. 둘째 $e$
        """, front_matter='title: "글"\nmath: true', config={"theme": "jekyll-theme-chirpy"})
    items = out.find("//ol/li")
    assert len(items) == 2
    assert [s.get("data-tex") for s in items[0].xpath(".//*[@data-tex]")] == ["a_1 = b", "c = d"]
    assert items[0].xpath(".//div[@class='math-display']")
    assert [s.get("data-tex") for s in items[1].xpath(".//*[@data-tex]")] == ["e"]


def test_a_page_without_the_switch_keeps_the_old_rule() -> None:
    # Chirpy loads MathJax only for math: true; otherwise the old guess (TeX-looking, no price).
    assert _tex(dialect("a $ b $ c", site=CHIRPY["site"], page={})) == []


def test_inline_double_dollar_follows_the_site() -> None:
    katex_site = {"site": {}, "page": {}}
    text = "값은 $$x^2$$ 이다"
    plain = dialect(text, **katex_site)
    assert 'class="math-inline"' in plain
    from converter.dialect import DialectContext, kramdown_math, normalize

    config = read_config(KATEX, {})
    original = kramdown_math.site_math
    kramdown_math.site_math = lambda root, site: config  # type: ignore[assignment]
    try:
        shown = normalize(text, DialectContext(site={}, page={}))
    finally:
        kramdown_math.site_math = original  # type: ignore[assignment]
    assert 'class="math-inline math-block"' in shown


def test_bare_refs_become_math_on_mathjax_sites() -> None:
    out = dialect("식 (\\ref{eq:a})와 \\eqref{eq:b}, 코드 `\\ref{x}`", **CHIRPY)
    assert _tex(out) == ["\\ref{eq:a}", "\\eqref{eq:b}"]


def test_site_on_disk_end_to_end(tmp_path: Path) -> None:
    root = tmp_path / "site"
    include = root / "_includes" / "head" / "custom.html"
    include.parent.mkdir(parents=True)
    include.write_text(textwrap.dedent(TEXT_THEME), encoding="utf-8")
    out = convert(tmp_path, "값 $ a + b $ 와 {$DIR}\n", config={"mathjax_autoNumber": True})
    assert [s.get("data-tex") for s in out.find("//*[@data-tex]")] == ["a + b"]
    assert "{$DIR}" in out.root.text_content()


def test_single_dollar_tex_is_what_kramdown_left_of_the_text() -> None:
    # kramdown reads $…$ as text (only $$ is its math): \\{ reaches MathJax as \{.
    assert _tex(dialect("$\\mathrm{span}(\\emptyset) = \\\\{0\\\\}$으로", **CHIRPY)) == [
        "\\mathrm{span}(\\emptyset) = \\{0\\}"]
    # $$ is kramdown's own math: taken as written.
    assert _tex(dialect("$$a \\\\ b$$", **CHIRPY)) == ["a \\\\ b"]


def test_a_less_than_sign_is_not_a_tag() -> None:
    source = "구간 $a<x<b$를 $J$ 라고 하자. 식 ($\\ref{eqn:a}$)에서 <b>굵게</b> $c$"
    assert _tex(dialect(source, **CHIRPY)) == ["a<x<b", "J", "\\ref{eqn:a}", "c"]
