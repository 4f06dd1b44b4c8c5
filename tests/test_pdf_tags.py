"""Tagged PDF (PDF/UA-1): structure, language, alt text, artifacts; checked with pikepdf and the
``pdfua`` checker (the machine-checkable PDF/UA-1 rules it implements)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pikepdf
import pytest
from conftest import SiteBuilder
from pikepdf import Name

import converter
from converter.writers.pdf.tags import check_structure

BODY = """
첫 문단입니다. [링크](https://example.com/hanji)도 있습니다.

![png](/assets/a.png)

![작업대 위의 한지 두 장](/assets/b.png)

좋아요 <img class="emoji" src="/assets/smile.png" alt=":smile:"> 끝.

| 이름 | 값 |
|------|----|
| 가   | 1  |

$$E = mc^2$$

마지막 문단입니다.
"""


def elements(pdf: pikepdf.Pdf) -> list[pikepdf.Dictionary]:
    out = []

    def walk(node: object) -> None:
        kids = node.get("/K") if isinstance(node, pikepdf.Dictionary) else None
        if kids is None:
            return
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                out.append(kid)
                walk(kid)

    walk(pdf.Root.StructTreeRoot)
    return out


@pytest.fixture(scope="module")
def post_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tags")
    site = SiteBuilder(root / "site")
    for name in ("a.png", "b.png"):
        site.image(f"assets/{name}", (320, 200))
    site.image("assets/smile.png", (20, 20))
    post = site.post("2024-01-02-tags.md", BODY, front_matter='title: "태그 시험"')
    result = converter.convert(post, output_dir=root / "out",
                               options=converter.Options(formats=("pdf",), jobs=1,
                                                         cache_dir=root / "cache"))
    return result.outputs["pdf"].path


def test_structure_checks_pass(post_pdf: Path) -> None:
    assert check_structure(post_pdf) == []
    with pikepdf.open(post_pdf) as pdf:
        assert str(pdf.Root.Lang) == "ko-KR"
        assert bool(pdf.Root.MarkInfo.Marked) and bool(pdf.Root.ViewerPreferences.DisplayDocTitle)


def test_figures_have_alt_and_the_rest_are_artifacts(post_pdf: Path) -> None:
    with pikepdf.open(post_pdf) as pdf:
        figures = [str(e.Alt) for e in elements(pdf) if e.S == Name.Figure]
        # The described photo and the formula (its TeX); the undescribed photo, the emoji
        # and the cover are artifacts.
        assert figures == ["작업대 위의 한지 두 장", "E = mc^2"]
        artifacts = sum(1 for page in pdf.pages for operands, operator
                        in pikepdf.parse_content_stream(page)
                        if str(operator) == "BMC" and operands[0] == Name.Artifact)
        figure_marks = sum(1 for page in pdf.pages for operands, operator
                           in pikepdf.parse_content_stream(page)
                           if str(operator) == "BDC" and operands[0] == Name.Figure)
        assert figure_marks == 2 and artifacts >= 2


def test_headings_table_headers_and_document_order(post_pdf: Path) -> None:
    with pikepdf.open(post_pdf) as pdf:
        tags = [str(e.S) for e in elements(pdf)]
        counts = Counter(tags)
        assert counts["/H1"] == 1 and counts["/TH"] == 2 and counts["/Table"] == 1
        assert counts["/Link"] >= 1
        # Reading order is document order: the cover's title, the chapter heading, its
        # paragraphs, the table, the last paragraph.
        heading = tags.index("/H1")
        assert heading < tags.index("/P", heading) < tags.index("/Table") < len(tags) - 1 - tags[::-1].index("/P")
        for page in pdf.pages:
            for annotation in page.get("/Annots", []):
                assert "/Contents" in annotation


def test_pdfua_checker_finds_no_errors(post_pdf: Path) -> None:
    pdfua = pytest.importorskip("pdfua")
    report = pdfua.validate(str(post_pdf))
    assert [f"{f.rule_id}: {f.message}" for f in report.findings] == []


def test_untagged_when_asked(tmp_path: Path, site: SiteBuilder) -> None:
    post = site.post("2024-01-03-plain.md", "문단.\n", front_matter='title: "태그 없음"')
    result = converter.convert(post, output_dir=tmp_path / "out",
                               options=converter.Options(formats=("pdf",), jobs=1,
                                                         tagged_pdf=False,
                                                         cache_dir=tmp_path / "cache"))
    assert check_structure(result.outputs["pdf"].path) == ["no StructTreeRoot (untagged)"]


def test_tagging_and_print_standards_are_chosen_by_one_function() -> None:
    import dataclasses

    from converter.options import Options
    from converter.press.geometry import print_plan
    from converter.press.variant import is_tagged, weasyprint_options
    from converter.themes import load_theme

    assert weasyprint_options(None, True) == {"pdf_variant": "pdf/ua-1"}
    assert weasyprint_options(None, False) == {}
    plan = print_plan(Options(), load_theme("default"))
    for standard in ("pdf/x-4", "pdf/a-2b", "pdf/a-3b"):
        printed = dataclasses.replace(plan, standard=standard)
        assert weasyprint_options(printed, True) == {"pdf_variant": standard, "pdf_tags": True}
        assert weasyprint_options(printed, False) == {"pdf_variant": standard}
        assert is_tagged(weasyprint_options(printed, True))
        assert not is_tagged(weasyprint_options(printed, False))
    assert is_tagged(weasyprint_options(None, True)) and not is_tagged({})


def test_a_book_merged_from_chapters_is_tagged_as_one(tmp_path: Path, site: SiteBuilder) -> None:
    site.image("assets/a.png", (400, 300))
    site.post("2021-01-01-one.md", "## 소제목\n\n" + "첫째 글 문단입니다. " * 120
              + "\n\n![책상 위의 사진](/assets/a.png)\n", front_matter='title: "하나"')
    site.post("2021-02-01-two.md", "짧은 글. [링크](https://example.com)\n",
              front_matter='title: "둘"')
    site.post("2021-03-01-three.md", "셋째 글 문단. " * 100, front_matter='title: "셋"')
    book = converter.build_book([site.root / "_posts"], title="태그 책", output_dir=tmp_path / "out",
                                options=converter.Options(jobs=1, cache_dir=tmp_path / "cache"))
    path = book.outputs["pdf"].path
    assert check_structure(path) == []
    pdfua = pytest.importorskip("pdfua")
    assert [f.rule_id for f in pdfua.validate(str(path)).findings] == []
    with pikepdf.open(path) as pdf:
        tags = [str(e.S) for e in elements(pdf)]
        assert tags.count("/H1") >= 3  # one per chapter (and the front matter's)
        figures = [str(e.Alt) for e in elements(pdf) if e.S == Name.Figure]
        assert figures == ["책상 위의 사진"]
        # Every page's marked content is in the parent tree; frames are artifacts.
        keys = {int(page.StructParents) for page in pdf.pages if "/StructParents" in page}
        assert len(keys) == len(pdf.pages) - sum(
            1 for page in pdf.pages if "/StructParents" not in page)
        first_chapter_page = next(page for page in pdf.pages[3:] if "/StructParents" in page)
        operators = [(list(ops), str(op)) for ops, op in pikepdf.parse_content_stream(first_chapter_page)]
        assert operators[0] == ([Name.Artifact], "BMC")
