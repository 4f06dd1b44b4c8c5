from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from converter import fonts
from converter.errors import ThemeError
from converter.themes import Theme, available_themes, load_theme

_FONT_FAMILY = re.compile(r"font-family:\s*([^;]+);")
_PAGE_RULE = re.compile(r"@page\s*([^{]*)\{")
_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def _stacks(css: str) -> list[list[str]]:
    return [[part.strip().strip('"') for part in m.group(1).split(",")] for m in _FONT_FAMILY.finditer(css)]


def _page_rules(css: str) -> list[tuple[str, str]]:
    """(selector, body) of each @page rule, nested margin boxes included in the body."""
    css = _COMMENT.sub("", css)
    rules = []
    for match in _PAGE_RULE.finditer(css):
        depth, i = 1, match.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(css[i], 0)
            i += 1
        rules.append((match.group(1).strip(), css[match.end():i - 1]))
    return rules


def test_bundled_themes() -> None:
    assert {"default", "sans"} <= set(available_themes())


def test_default_theme() -> None:
    theme = load_theme("default")
    assert isinstance(theme, Theme)
    assert theme.fonts == {"body": "hanji-serif", "heading": "hanji-sans", "mono": "hanji-mono"}
    assert theme.page_size == "A5"
    for needle in ("string-set: chapter", "float: footnote", "::footnote-call", "::footnote-marker",
                   "target-counter(attr(href), page)", "bookmark-level", "orphans", "hyphens: manual",
                   ".highlight .k", ".figure-row", ".notice--warning", "overflow-wrap: anywhere"):
        assert needle in theme.print_css, needle
    for needle in (":lang(ko)", "word-break: keep-all", "line-break: strict", "max-width: 100%",
                   ".highlight .k", ".figure-row"):
        assert needle in theme.epub_css, needle
    assert "@page" not in theme.epub_css
    assert "display: grid" not in theme.print_css  # WeasyPrint 70's grid breaks figure groups


def test_sans_extends_default() -> None:
    theme = load_theme("sans")
    assert [p.name for p in theme.chain] == ["default", "sans"]
    assert theme.fonts == {"body": "hanji-sans", "heading": "hanji-sans", "mono": "hanji-mono"}
    assert theme.page_size == "A5"
    for css in (theme.print_css, theme.epub_css):
        parent = css.index("/* ---- default/")
        child = css.index("/* ---- sans/")
        assert parent < child
        assert css.index(".figure-row") < child  # default's rules, then sans's own
    own = theme.print_css.index("/* ---- sans/print.css")
    assert theme.print_css.rindex('font-family: "hanji-sans"') > own
    assert [f.name for f in theme.font_families(with_fallbacks=False)] == ["hanji-sans", "hanji-mono"]


def test_unknown_theme_lists_available() -> None:
    with pytest.raises(ThemeError) as info:
        load_theme("fancy")
    message = str(info.value)
    assert "fancy" in message and "default" in message and "sans" in message
    assert "\n" not in message


@pytest.mark.parametrize("name", ["default", "sans"])
def test_css_font_stacks_match_manifest(name: str) -> None:
    theme = load_theme(name)
    manifest = fonts.load_manifest()
    primaries = {n for n, f in manifest.items() if f.generic}
    seen = set()
    for css in (theme.print_css, theme.epub_css):
        for stack in _stacks(css):
            if stack[0] in ("inherit",):
                continue
            assert stack[0] in primaries, stack
            assert stack == fonts.font_stack(stack[0]), stack
            seen.add(stack[0])
    assert set(theme.fonts.values()) <= seen


@pytest.mark.parametrize("name", ["default", "sans"])
def test_page_size_only_in_the_plain_page_rule(name: str) -> None:
    rules = _page_rules(load_theme(name).print_css)
    assert rules
    for selector, body in rules:
        if re.search(r"(^|[\s;{])size\s*:", body):
            assert selector == "", f"size set in @page {selector}"


def test_theme_folder_with_extends(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "theme.yml").write_text(
        "extends: sans\nfonts: {mono: hanji-sans}\npage_size: B6\ncss: [extra.css]\n", encoding="utf-8")
    (folder / "extra.css").write_text(".x { color: red }", encoding="utf-8")
    (folder / "epub.css").write_text(".y { color: blue }", encoding="utf-8")
    theme = load_theme(folder)
    assert theme.name == "mine"
    assert theme.fonts["mono"] == "hanji-sans" and theme.fonts["body"] == "hanji-sans"
    assert theme.page_size == "B6"
    assert theme.print_css.rstrip().endswith(".x { color: red }")  # no print.css of its own
    assert theme.epub_css.index(".x {") < theme.epub_css.index(".y {")
    assert theme.epub_css.index("/* ---- sans/epub.css") < theme.epub_css.index(".x {")


@pytest.mark.parametrize(("manifest", "needle"), [
    ("extends: default\ncolour: red\n", "unknown key 'colour'"),
    ("extends: default\nfonts: {body: comic}\n", "unknown family 'comic'"),
    ("extends: default\nfonts: {title: hanji-sans}\n", "unknown font role 'title'"),
    ("extends: default\ncss: [missing.css]\n", "missing.css"),
    ("extends: default\npage_size: huge\n", "page_size"),
    ("extends: nowhere\n", "unknown theme 'nowhere'"),
    ("extends: loop\n", "loop"),
    ("extends: [default\n", "invalid YAML"),
])
def test_broken_themes_raise(tmp_path: Path, manifest: str, needle: str) -> None:
    folder = tmp_path / "loop"
    folder.mkdir()
    (folder / "theme.yml").write_text(manifest, encoding="utf-8")
    with pytest.raises(ThemeError) as info:
        load_theme(folder)
    assert needle in str(info.value)


# --- rendering ------------------------------------------------------------------------------

SAMPLE = """<!DOCTYPE html><html lang="ko"><head><meta charset="utf-8"><style>{faces}</style>
<style>{css}</style></head><body>
<section class="chapter" id="c1" lang="ko">
<header class="chapter-header"><h1 class="chapter-title">블로그 글을 책으로</h1>
<p class="chapter-meta"><time datetime="2019-07-03">2019-07-03</time>
<span class="tags"><span class="tag">인쇄</span></span></p></header>
<p>한지는 지킬 블로그의 마크다운 글을 인쇄용 PDF로 바꿉니다.
각주<span class="footnote">각주입니다.</span>도 있습니다.</p>
<h2>그림</h2>
<figure class="figure-group cols-3"><div class="figure-row">
<div class="figure-cell"><img src="{img}" alt="a"/></div>
<div class="figure-cell"><img src="{img}" alt="b"/></div>
<div class="figure-cell"><img src="{img}" alt="c"/></div>
</div><figcaption>그림 1. 세 장</figcaption></figure>
<div class="notice notice--info"><p>알림 상자입니다.</p></div>
<div class="highlight"><pre><code class="language-python"><span class="k">def</span> f():
    <span class="c1"># 한글 주석</span></code></pre></div>
<table><thead><tr><th>이름</th><th>값</th></tr></thead><tbody><tr><td>크기</td><td>A5</td></tr></tbody></table>
<blockquote><p>인용문입니다.</p></blockquote>
</section></body></html>"""


def _render(tmp_path: Path, theme_name: str, extra_css: str = "") -> Path:
    import weasyprint
    from PIL import Image

    image = tmp_path / "cell.png"
    Image.new("RGB", (400, 300), (70, 120, 180)).save(image)
    theme = load_theme(theme_name)
    families = theme.font_families()
    faces = fonts.font_face_css(families, lambda face: face.path.as_uri())
    html = SAMPLE.format(faces=faces, css=theme.print_css + extra_css, img=image.as_uri())
    target = tmp_path / f"{theme_name}.pdf"
    weasyprint.HTML(string=html, base_url=str(tmp_path)).write_pdf(target)
    return target


@pytest.mark.parametrize("name", ["default", "sans"])
def test_render_embeds_only_nanum_and_logs_nothing(tmp_path: Path, name: str,
                                                     caplog: pytest.LogCaptureFixture) -> None:
    from pypdf import PdfReader

    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = _render(tmp_path, name)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("weasyprint")] == []

    names = set()
    for page in PdfReader(pdf).pages:
        for font in page["/Resources"]["/Font"].values():
            names.add(str(font.get_object()["/BaseFont"]).split("+", 1)[-1])
    families = {n.removesuffix("-Bold") for n in names}
    assert families <= {"hanji-serif", "hanji-sans", "hanji-mono"}, names
    assert {"hanji-sans", "hanji-mono"} <= families


def test_figure_group_lays_out_side_by_side(tmp_path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(_render(tmp_path, "default")) as pdf:
        images = [im for page in pdf.pages for im in page.images]
    assert len(images) == 3
    tops = {round(im["top"]) for im in images}
    assert len(tops) == 1, "cells must share a row"
    lefts = sorted(im["x0"] for im in images)
    widths = [im["x1"] - im["x0"] for im in images]
    assert lefts[0] < lefts[1] < lefts[2]
    assert max(widths) - min(widths) < 1


def test_writer_page_size_overrides_theme(tmp_path: Path) -> None:
    from pypdf import PdfReader

    pdf = _render(tmp_path, "default", "\n@page { size: A4 }")
    box = PdfReader(pdf).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    box = PdfReader(_render(tmp_path, "sans")).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (420, 595)  # A5
