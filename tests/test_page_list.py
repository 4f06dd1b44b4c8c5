"""The PDF's page numbers in the EPUB: one marker per PDF page, on the text starting the page."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import zipfile
from pathlib import Path

import pytest
from conftest import REPO, SiteBuilder, epubcheck_problems
from lxml import etree

from converter.options import Options
from converter.series import build_book

_spec = importlib.util.spec_from_file_location("a11y_check", REPO / "scripts" / "a11y_check.py")
assert _spec is not None and _spec.loader is not None
a11y_check = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(a11y_check)
text_after_marker = a11y_check.text_after_marker

XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB = "{http://www.idpf.org/2007/ops}"
OPF = "{http://www.idpf.org/2007/opf}"


def prose(name: str, count: int) -> str:
    # Sentences repeat inside a paragraph on purpose: the markers must not land on the first
    # occurrence of a page's opening words but on the right one.
    return "\n\n".join(f"{name} {i}번 문단. " + "같은 문장이 여러 번 되풀이되며 쪽을 넘깁니다. " * 9
                       + f"{name} {i}번 문단 끝." for i in range(count))


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("pagelist")
    site = SiteBuilder(root / "site")
    site.image("assets/photo.jpg", (900, 700))
    site.post("2021-01-01-one.md", f"{prose('첫째', 8)}\n\n![작업대 사진](/assets/photo.jpg)\n\n"
              f"각주가 있는 문장.[^a]\n\n{prose('첫째 뒤', 6)}\n\n[^a]: 각주의 글.\n",
              front_matter='title: "첫째 장"')
    site.post("2021-02-01-two.md", "짧은 글.\n", front_matter='title: "둘째 장"')
    site.post("2021-03-01-three.md", f"## 소제목\n\n{prose('셋째', 14)}\n\n| 가 | 나 |\n|---|---|\n"
              + "".join(f"| {i}행 | 값 {i} |\n" for i in range(30)), front_matter='title: "셋째 장"')
    result = build_book([site.root / "_posts"], title="쪽 번호 시험", output_dir=root / "out",
                        options=Options(jobs=1, cache_dir=root / "cache"))
    return result.outputs["pdf"].path, result.outputs["epub"].path


def page_texts(pdf: Path) -> list[str]:
    text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    return [re.sub(r"[\s\u2060]+", "", page) for page in text.split("\f")[:-1]]


def markers(epub: Path) -> dict[int, tuple[str, str]]:
    """Folio → (document, the text that follows the marker in that document)."""
    found = {}
    with zipfile.ZipFile(epub) as archive:
        for name in archive.namelist():
            if not name.endswith(".xhtml"):
                continue
            root = etree.fromstring(archive.read(name))
            for span in root.iter(f"{XHTML}span"):
                if span.get("role") != "doc-pagebreak":
                    continue
                assert span.get(f"{EPUB}type") == "pagebreak" and span.get("aria-label")
                found[int(span.get("aria-label"))] = (name, text_after_marker(span))
    return found


def test_one_entry_per_pdf_page_in_order(book: tuple[Path, Path]) -> None:
    pdf, epub = book
    pages = page_texts(pdf)
    assert len(pages) > 12
    with zipfile.ZipFile(epub) as archive:
        nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
        opf = etree.fromstring(archive.read("EPUB/content.opf"))
    page_list = nav.find(f".//{XHTML}nav[@{EPUB}type='page-list']")
    entries = [a.text for a in page_list.iter(f"{XHTML}a")]
    assert entries == [str(n) for n in range(1, len(pages) + 1)]
    assert set(markers(epub)) == set(range(1, len(pages) + 1))
    meta = {(m.get("property"), m.text) for m in opf.iter(f"{OPF}meta")}
    assert ("schema:accessibilityFeature", "printPageNumbers") in meta
    assert ("schema:accessibilityFeature", "pageNavigation") in meta
    assert any(p == "pageBreakSource" and "쪽-번호-시험.pdf" in v for p, v in meta)
    assert epubcheck_problems(epub) == []


def test_markers_land_on_the_text_that_starts_each_page(book: tuple[Path, Path]) -> None:
    pdf, epub = book
    pages = page_texts(pdf)
    placed = markers(epub)
    checked = 0
    for folio, (name, after) in placed.items():
        if "/text/ch" not in name or len(after) < 8 or len(pages[folio - 1]) < 20:
            continue  # furniture, a blank page
        # The page opens with a running head (a title) and then this text.
        assert after[:7] in pages[folio - 1][:60], (folio, after[:20], pages[folio - 1][:80])
        checked += 1
    assert checked >= len(pages) - 6


def test_cover_page_is_a_landmark_and_carries_page_one(book: tuple[Path, Path]) -> None:
    _, epub = book
    with zipfile.ZipFile(epub) as archive:
        nav = etree.fromstring(archive.read("EPUB/nav.xhtml"))
    landmarks = nav.find(f".//{XHTML}nav[@{EPUB}type='landmarks']")
    kinds = {a.get(f"{EPUB}type"): a.get("href") for a in landmarks.iter(f"{XHTML}a")}
    assert kinds["cover"] == "text/cover.xhtml"
    assert list(kinds) == ["cover", "toc", "bodymatter"]
    assert markers(epub)[1][0] == "EPUB/text/cover.xhtml"


def test_a_page_starting_with_an_inline_element_gets_its_marker_before_it() -> None:
    from lxml import html

    from converter.writers.page_list import _insert, _marker

    heading = html.fragment_fromstring("<h1><em>강조</em> 제목</h1>")
    _insert(heading.find("em"), 0, [_marker("2")])
    assert heading[0].get("aria-label") == "2" and heading[1].tag == "em"
    assert heading[1].text == "강조"
