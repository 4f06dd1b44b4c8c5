"""Front-matter titles with inline HTML/Markdown: formatted in the chapter heading, plain text
in the outline, TOC, running heads, EPUB nav, OPF and PDF metadata — never tag text."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree, html
from pypdf import PdfReader

from converter.api import convert
from converter.kramdown_config import kramdown_options
from converter.titles import title_html, title_text

TITLE = '<font size="5">*강조* 제목</font> &amp; "따옴표" <b>굵게</b>'
PLAIN = "강조 제목 & “따옴표” 굵게"
_TAG_TEXT = re.compile(r"</?\s*(font|b|em|i|strong|span)\b|&amp;|\*강조\*")


def test_title_html_and_text() -> None:
    options = kramdown_options({})
    rendered = title_html(TITLE, options)
    root = html.fragment_fromstring(rendered, create_parent="div")
    assert root.find("em").text == "강조" and root.find("b").text == "굵게"
    assert root.find(".//font") is None and "size" not in rendered
    assert title_text(TITLE, options) == PLAIN
    # Block-looking titles stay titles; scripts and links lose their markup.
    assert title_text("1. 시작하기") == "1. 시작하기"
    assert title_text("- 목록 아님") == "- 목록 아님"
    assert title_html('<script>x()</script><a href="http://e.x">링크</a>') == "링크"
    assert title_html("a < b") == "a &lt; b"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("titles")
    site = root / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text("title: 블로그\n", encoding="utf-8")
    post = site / "_posts" / "2024-05-01-title.md"
    post.write_text(f"---\ntitle: '{TITLE}'\nexcerpt: '<i>요약</i> &amp; 끝'\n---\n"
                    "## 첫 절\n\n본문입니다.\n\n## 둘째 절\n\n끝.\n", encoding="utf-8")
    result = convert(post, output_dir=root / "out", formats=("pdf", "epub"))
    pdf = next(p for p in result.paths if p.suffix == ".pdf")
    epub = next(p for p in result.paths if p.suffix == ".epub")
    return pdf, epub


def test_pdf_outline_metadata_and_text_have_no_tags(outputs: tuple[Path, Path]) -> None:
    reader = PdfReader(outputs[0])

    def titles(items: list) -> list[str]:
        out = []
        for item in items:
            if isinstance(item, list):
                out.extend(titles(item))
            else:
                out.append(item.title)
        return out

    outline = titles(reader.outline)
    assert PLAIN in outline, outline
    assert not any(_TAG_TEXT.search(t) for t in outline)
    assert reader.metadata.title == PLAIN
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "강조 제목" in text and not _TAG_TEXT.search(text)


def test_epub_nav_opf_and_heading(outputs: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(outputs[1]) as archive:
        names = archive.namelist()
        opf = archive.read(next(n for n in names if n.endswith(".opf"))).decode("utf-8")
        nav = archive.read(next(n for n in names if n.endswith("nav.xhtml"))).decode("utf-8")
        chapters = [archive.read(n).decode("utf-8") for n in names
                    if n.endswith(".xhtml") and "nav" not in n]
    dc_title = re.search(r"<dc:title[^>]*>(.*?)</dc:title>", opf).group(1)
    assert html.fromstring(f"<p>{dc_title}</p>").text_content() == PLAIN
    assert "&lt;font" not in opf and "&lt;b&gt;" not in opf and "&amp;amp;" not in opf
    nav_root = etree.fromstring(nav.encode("utf-8"))
    nav_text = " ".join(nav_root.itertext())
    assert "강조 제목" in nav_text and not _TAG_TEXT.search(nav_text)
    assert "&lt;" not in nav
    chapter = next(c for c in chapters if "chapter-title" in c)
    heading = etree.fromstring(chapter.encode("utf-8")).find(
        ".//{http://www.w3.org/1999/xhtml}h1")
    assert heading.find("{http://www.w3.org/1999/xhtml}em").text == "강조"
    assert " ".join("".join(heading.itertext()).split()) == PLAIN
    title_el = re.search(r"<title>(.*?)</title>", chapter).group(1)
    assert "&lt;" not in title_el and "*" not in title_el
