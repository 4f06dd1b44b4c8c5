"""Themes as data, end to end through the command line: --theme, --css, --page-size; the page
box and the fonts of the PDF, the stylesheet of the EPUB. Also: long unbreakable runs wrap
inside the text block instead of running into the margin."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from conftest import SiteBuilder, pdf_fonts

from converter.cli import main

MM = 72 / 25.4


@pytest.fixture(scope="module")
def post(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = SiteBuilder(tmp_path_factory.mktemp("themes") / "site")
    return site.post("2024-05-01-theme.md", """
        ## 제목

        테마 시험을 위한 짧은 글입니다. *강조*와 `코드`가 있습니다.

        ```python
        print("안녕")  # 한글 주석
        ```

        - 첫째 단계
            - 둘째 단계
                - 셋째 단계 (its bullet must come from a bundled font too)
        """)


def _convert(post: Path, out: Path, *flags: str, formats: str = "pdf") -> Path:
    code = main(["-q", "convert", str(post), "-o", str(out), "--format", formats, *flags])
    assert code == 0
    return out / f"{post.stem}.pdf"


@pytest.mark.parametrize(("size", "expected_mm"), [
    (None, (148, 210)),
    ("A4", (210, 297)),
    ("B6", (125, 176)),
    ("Letter", (215.9, 279.4)),
    ("120mm 180mm", (120, 180)),
])
def test_page_size(post: Path, tmp_path: Path, size: str | None,
                   expected_mm: tuple[float, float]) -> None:
    pdf = _convert(post, tmp_path, *(["--page-size", size] if size else []))
    for page in pypdf.PdfReader(str(pdf)).pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        assert (round(width / MM), round(height / MM)) == tuple(round(v) for v in expected_mm)


def test_bad_page_size_is_a_usage_error(post: Path, tmp_path: Path) -> None:
    assert main(["-q", "convert", str(post), "-o", str(tmp_path), "--page-size", "huge"]) == 2


def test_sans_theme_sets_the_body_in_gothic(post: Path, tmp_path: Path) -> None:
    default = {f["name"].split("+")[-1] for f in pdf_fonts(_convert(post, tmp_path / "d"))}
    sans = {f["name"].split("+")[-1] for f in pdf_fonts(_convert(post, tmp_path / "s",
                                                                "--theme", "sans"))}
    assert "hanji-serif" in default
    assert "hanji-serif" not in sans and "hanji-sans" in sans
    assert all(name.startswith("hanji-") for name in default | sans), default | sans


def test_extra_css_applies_to_both_formats(post: Path, tmp_path: Path) -> None:
    extra = tmp_path / "extra.css"
    extra.write_text("p { color: rgb(200, 0, 0); }\n", encoding="utf-8")
    pdf = _convert(post, tmp_path, "--css", str(extra), formats="pdf,epub")
    with pdfplumber.open(pdf) as document:
        colours = {tuple(round(v, 2) for v in c["non_stroking_color"] or ())
                   for page in document.pages for c in page.chars if c["text"] == "테"}
    assert (0.78, 0.0, 0.0) in colours
    with zipfile.ZipFile(pdf.with_suffix(".epub")) as epub:
        css = next(epub.read(n).decode() for n in epub.namelist() if n.endswith(".css"))
    assert "rgb(200, 0, 0)" in css


def test_missing_extra_css_is_an_error(post: Path, tmp_path: Path) -> None:
    assert main(["-q", "convert", str(post), "-o", str(tmp_path), "--format", "pdf",
                 "--css", str(tmp_path / "nope.css")]) != 0


def test_long_runs_wrap_inside_the_text_block(tmp_path: Path) -> None:
    """A 200-character URL and a long Korean compound, in a paragraph and in a narrow
    4-column table, break rather than run past the margins; short words in the narrow
    columns stay whole."""
    url = "https://example.com/" + "abcdefghij" * 18
    compound = "초장기이식편대숙주질환예방프로그램관리위원회"
    site = SiteBuilder(tmp_path / "site")
    post = site.post("2024-05-02-long.md", f"""
        {url}

        가나다 {compound * 4} 끝

        | 원문 | 인식 개체명 | 주요 키워드 | 긍부정 |
        |---|---|---|---|
        | 직원은 개발업무에 있어 우수한 역량을 바탕으로 솔선수범 하는 모습을 보였다. | 직원1, 개발업무 | 우수한, 솔선수범 | 긍정 |
        | {url} | {compound} | 키워드 | 부정 |
        """)
    pdf = _convert(post, tmp_path / "out")
    with pdfplumber.open(pdf) as document:
        for page in document.pages[1:]:
            left = 15 * MM if page.page_number % 2 == 0 else 19 * MM
            right = page.width - (19 * MM if page.page_number % 2 == 0 else 15 * MM)
            for char in page.chars:
                assert left - 1 <= char["x0"] and char["x1"] <= right + 1, char["text"]
        text = "".join(page.extract_text() or "" for page in document.pages)
    for short in ("긍부정", "개발업무", "솔선수범"):  # not split over two lines
        assert short in text.replace(" ", "")


def test_theme_page_size_is_used_when_no_option_is_given(tmp_path: Path) -> None:
    """A theme declaring page_size: A4 gives A4 pages unless --page-size says otherwise."""
    from pypdf import PdfReader

    import converter

    theme = tmp_path / "big"
    theme.mkdir()
    (theme / "theme.yml").write_text("name: big\nextends: default\npage_size: A4\n", encoding="utf-8")
    (theme / "print.css").write_text("", encoding="utf-8")
    (theme / "epub.css").write_text("", encoding="utf-8")
    post = tmp_path / "site" / "_posts" / "2024-01-01-a.md"
    post.parent.mkdir(parents=True)
    (tmp_path / "site" / "_config.yml").write_text("title: t\n", encoding="utf-8")
    post.write_text("---\ntitle: 쪽 크기\n---\n\n본문입니다.\n", encoding="utf-8")
    options = converter.Options(theme=str(theme), formats=("pdf",), cache=False)
    result = converter.convert(post, output_dir=tmp_path / "out", options=options)
    box = PdfReader(result.outputs["pdf"].path).pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 210
    result = converter.convert(post, output_dir=tmp_path / "out2",
                               options=options.replace(page_size="A5"))
    box = PdfReader(result.outputs["pdf"].path).pages[0].mediabox
    assert round(float(box.width) / 72 * 25.4) == 148
