"""Book furniture in the PDF, checked in the PDF: cover, title page, table of contents whose
page numbers are the pages the headings are on, outline (bookmarks) with an entry per heading,
running heads, folios, footnotes at the foot of their page, things that must not split."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from conftest import SiteBuilder

import converter
from converter.writers.linebreak import WORD_JOINER

FILLER = ("한국어 문장은 어절 단위로 줄을 바꿉니다. 이 문단은 조판 시험을 위해 충분히 길게 쓴 "
          "문단이며 GPU를 활용한 2022년의 16조 달러 시장과 56MW 데이터센터를 이야기합니다. ")

POST = f"""
## 첫째 마당: 시작하며

{FILLER * 4}

각주가 있는 문장입니다.[^one] 이어지는 문장에도 각주가 있습니다.[^two]

### 첫째 마당의 세부 항목

{FILLER * 5}

```python
# 한글 주석: 이 줄은 아주 길어서 쪽의 너비를 넘어가면 반드시 다음 줄로 넘어가야 하는 주석입니다
def 계산(값):
    return [x for x in range(100) if x % 2 == 0 and x % 3 == 0 and x % 5 == 0 and x % 7 == 0]
```

## 둘째 마당: 표와 그림

{FILLER * 6}

### 둘째 마당의 세부 항목

{FILLER * 3}

#### 더 작은 제목

{FILLER * 6}

## 셋째 마당: 맺으며

{FILLER * 2}

[^one]: 첫째 각주의 내용입니다. 각주는 그 쪽의 아래에 나와야 합니다.
[^two]: 둘째 각주.
"""


def _pages(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return text.split("\f")


def _outline(pdf: Path) -> list[tuple[int, str, int]]:
    """(level, title, 1-based page) of every outline entry, in order."""
    reader = pypdf.PdfReader(str(pdf))
    entries: list[tuple[int, str, int]] = []

    def walk(items: list, level: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1)
            else:
                entries.append((level, item.title, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, 1)
    return entries


def _toc(page_text: str) -> dict[str, int]:
    """TOC entries of a page: title → printed page number (after the leader dots)."""
    entries = {}
    for line in page_text.splitlines():
        found = re.match(r"^(.*?)\s*\.{3,}\s*(\d+)\s*$", line.strip())
        if found:
            entries[found.group(1).strip()] = int(found.group(2))
    return entries


def _heading_page(pages: list[str], heading: str, after: int) -> int:
    """1-based number of the first page after ``after`` with ``heading`` as a line."""
    for number, text in enumerate(pages, start=1):
        if number > after and heading in [line.strip() for line in text.splitlines()]:
            return number
    raise AssertionError(f"{heading!r} not found")


@pytest.fixture(scope="module")
def post_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = SiteBuilder(tmp_path_factory.mktemp("furniture") / "site")
    site.image("assets/teaser.jpg", (900, 600))
    post = site.post("2024-03-01-furniture.md", POST, front_matter="""
        title: "조판 시험: 책의 꼴을 갖춘 글"
        toc: true
        tags: [조판]
        header:
          teaser: /assets/teaser.jpg
        """)
    result = converter.convert(post, output_dir=site.root / "out", formats=["pdf"])
    return result.outputs["pdf"].path


@pytest.fixture(scope="module")
def book_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = SiteBuilder(tmp_path_factory.mktemp("book") / "site")
    for number, title in enumerate(["첫째 이야기", "둘째 이야기", "셋째 이야기"], start=1):
        site.post(f"2024-01-0{number}-part{number}.md",
                  f"## {title}의 첫 절\n\n{FILLER * 8}\n\n## {title}의 둘째 절\n\n{FILLER * 4}\n",
                  front_matter=f'title: "{title}"')
    result = converter.build_book([site.root / "_posts"], title="시험 책", subtitle="부제목",
                                  author="홍길동", output_dir=site.root / "out", formats=["pdf"])
    return result.outputs["pdf"].path


HEADINGS = ["첫째 마당: 시작하며", "첫째 마당의 세부 항목", "둘째 마당: 표와 그림",
            "둘째 마당의 세부 항목", "셋째 마당: 맺으며"]


def test_cover_is_the_teaser_with_the_title(post_pdf: Path) -> None:
    with pdfplumber.open(post_pdf) as pdf:
        cover = pdf.pages[0]
        assert cover.images, "the teaser image is on the cover"
        assert "조판 시험" in (cover.extract_text() or "")


def test_generated_cover_without_teaser(book_pdf: Path) -> None:
    with pdfplumber.open(book_pdf) as pdf:
        assert not pdf.pages[0].images
        assert "시험 책" in (pdf.pages[0].extract_text() or "")


def test_outline_has_an_entry_per_heading(post_pdf: Path) -> None:
    outline = _outline(post_pdf)
    titles = [title for _, title, _ in outline]
    assert titles[0] == "차례"
    assert titles[1] == "조판 시험: 책의 꼴을 갖춘 글"
    assert titles[2:] == HEADINGS[:4] + ["더 작은 제목", HEADINGS[4]]
    levels = {title: level for level, title, _ in outline}
    assert levels["조판 시험: 책의 꼴을 갖춘 글"] == 1
    assert levels["첫째 마당: 시작하며"] == 2 and levels["첫째 마당의 세부 항목"] == 3
    assert levels["더 작은 제목"] == 4
    assert not any(WORD_JOINER in title for title in titles)


def test_toc_page_numbers_are_the_pages_of_the_headings(post_pdf: Path) -> None:
    pages = _pages(post_pdf)
    toc_page = next(n for n, text in enumerate(pages, start=1) if text.lstrip().startswith("차례"))
    toc = _toc(pages[toc_page - 1])
    assert list(toc) == HEADINGS
    outline = {title: page for _, title, page in _outline(post_pdf)}
    for heading in HEADINGS:
        assert toc[heading] == outline[heading] == _heading_page(pages, heading, toc_page), heading


def test_book_has_title_page_toc_and_chapters(book_pdf: Path) -> None:
    pages = _pages(book_pdf)
    title_page = pages[1]
    for text in ("시험 책", "부제목", "홍길동"):
        assert text in title_page
    toc_page = next(n for n, text in enumerate(pages, start=1) if text.lstrip().startswith("차례"))
    toc = _toc(pages[toc_page - 1])
    assert list(toc) == ["첫째 이야기", "둘째 이야기", "셋째 이야기"]
    outline = _outline(book_pdf)
    chapters = {title: page for level, title, page in outline if level == 1 and title != "차례"}
    for title, printed in toc.items():
        assert printed == chapters[title] == _heading_page(pages, title, toc_page)
    # Chapter headings nest under their chapter.
    assert (2, "둘째 이야기의 첫 절", chapters["둘째 이야기"]) in outline


def test_running_heads_and_folios(book_pdf: Path) -> None:
    pages = _pages(book_pdf)
    outline = _outline(book_pdf)
    starts = sorted(page for level, title, page in outline if level == 1 and title != "차례")
    for number, text in enumerate(pages[:-1], start=1):
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        if number < starts[0]:
            assert not any(line == str(number) for line in lines)  # no folio in front matter
            continue
        assert str(number) in lines, f"page {number} has its number"
        chapter = max(s for s in starts if s <= number)
        title = next(t for level, t, p in outline if level == 1 and p == chapter)
        if number != chapter:
            assert title in lines, f"page {number} carries the running head {title!r}"
        else:
            assert lines.count(title) == 1, "no running head on a chapter's first page"


def test_footnotes_sit_at_the_foot_of_their_page(post_pdf: Path) -> None:
    with pdfplumber.open(post_pdf) as pdf:
        for page in pdf.pages:
            text = page.extract_text() or ""
            if "첫째 각주의 내용입니다" not in text:
                continue
            assert "각주가 있는 문장입니다" in text, "the note is on the page of its call"
            words = page.extract_words()
            note_top = min(w["top"] for w in words if w["text"].startswith("첫째") and w["top"] > page.height / 2)
            body = [w for w in words if "각주가" in w["text"]]
            assert body and all(w["bottom"] < note_top for w in body)
            break
        else:
            raise AssertionError("footnote text not found")


def test_no_joiner_or_source_leaks_in_text(post_pdf: Path) -> None:
    text = "".join(_pages(post_pdf))
    assert WORD_JOINER not in text
    assert "[^one]" not in text and "```" not in text


def test_code_is_highlighted_in_the_mono_font_and_wraps(post_pdf: Path) -> None:
    with pdfplumber.open(post_pdf) as pdf:
        chars = [c for page in pdf.pages for c in page.chars if "mono" in c["fontname"]]
        assert chars, "code is set in the bundled monospace font"
        assert any(c["text"] == "한" for c in chars), "Korean comments use it too"
        colours = {str(c.get("non_stroking_color")) for c in chars}
        assert len(colours) >= 3, "Pygments token colours"
        for page in pdf.pages:
            for c in page.chars:
                assert 10 <= c["x0"] and c["x1"] <= page.width - 10, "nothing runs off the page"


def test_code_is_highlighted_in_the_epub_too(tmp_path: Path) -> None:
    import zipfile

    site = SiteBuilder(tmp_path / "site")
    post = site.post("2024-03-02-code.md", POST)
    epub = converter.convert(post, output_dir=tmp_path / "out", formats=["epub"]).outputs["epub"].path
    with zipfile.ZipFile(epub) as archive:
        chapter = next(archive.read(n).decode() for n in archive.namelist()
                       if n.endswith(".xhtml") and "post" in n)
        css = next(archive.read(n).decode() for n in archive.namelist() if n.endswith(".css"))
        fonts = [n for n in archive.namelist() if "mono" in n.lower() or "Coding" in n]
    assert '<div class="highlight">' in chapter and 'class="k"' in chapter  # Pygments tokens
    assert "# 한글 주석" in chapter.replace("<span class=\"c1\">", "")
    assert ".highlight .k" in css and '"hanji-mono"' in css
    assert fonts, "the monospace font is embedded"
    assert "pre-wrap" in css
