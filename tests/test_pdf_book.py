"""Books laid out chapter by chapter (converter/writers/pdf/book.py): the merged PDF must read as
if WeasyPrint had laid the whole book out at once — page numbers, running heads, the hand of
each page, TOC numbers, links, one copy of each font — and a rebuild lays out only what
changed."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pdfplumber
import pypdf
import pytest
from conftest import SiteBuilder

from converter.options import Options
from converter.series import build_book
from converter.writers.pdf import jobs as layout_jobs
from converter.writers.pdf.layout_cache import LayoutCache

MM = 72 / 25.4
#: The default theme's A5 pages: 15 mm inner margin on left pages, 19 mm on right pages.
LEFT_PAGE_TEXT_X, RIGHT_PAGE_TEXT_X = 15 * MM, 19 * MM


def paragraphs(name: str, count: int) -> str:
    return "\n\n".join(f"{name}의 {i}번째 문단입니다. 한국어 문장이 이어지며 쪽을 넘깁니다. " * 4
                       for i in range(count))


def book_site(root: Path) -> SiteBuilder:
    """Four posts: short and long ones, so chapters start on both hands."""
    site = SiteBuilder(root)
    site.post("2020-01-01-one.md", "첫 글은 짧습니다.\n",
              front_matter='title: "하나"\ntags: [가]')
    site.post("2020-02-01-two.md", f"둘째 글입니다.\n\n## 둘째 소제목\n\n{paragraphs('둘째', 30)}\n",
              front_matter='title: "둘"')
    site.post("2020-03-01-three.md",
              "[둘째 소제목]({% post_url 2020-02-01-two %}#둘째-소제목)을 보세요.\n\n"
              f"{paragraphs('셋째', 14)}\n", front_matter='title: "셋"')
    site.post("2020-04-01-four.md", f"{paragraphs('넷째', 20)}\n", front_matter='title: "넷"')
    return site


def build(site: SiteBuilder, out: Path, cache: Path, **options: object):
    return build_book([site.root / "_posts"], title="쪽 시험", output_dir=out,
                      options=Options(jobs=1, cache_dir=cache, formats=("pdf",), **options))


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("pdfbook")
    site = book_site(root / "site")
    result = build(site, root / "out", root / "cache")
    return result, root


def words_by_page(path: Path) -> list[tuple[float, float, list[dict]]]:
    with pdfplumber.open(path) as pdf:
        return [(page.width, page.height, page.extract_words()) for page in pdf.pages]


def chapter_starts(path: Path, titles: list[str]) -> dict[str, int]:
    """The 1-based page on which each chapter title is set large (the chapter's first page)."""
    starts = {}
    with pdfplumber.open(path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            for word in page.extract_words(extra_attrs=["size"]):
                if word["size"] > 14 and word["text"] in titles and word["text"] not in starts:
                    starts[word["text"]] = number
    return starts


def test_the_book_is_laid_out_by_chapter_and_cached(built) -> None:
    result, root = built
    descriptions = list((root / "cache" / "pdf").glob("*.json"))
    # Four chapters, the front matter (twice: a probe for its length, then numbered) and the
    # frame of each chapter.
    assert len(descriptions) == 4 + 2 + 4
    assert result.outputs["pdf"].pages == len(pypdf.PdfReader(result.outputs["pdf"].path).pages)


def test_folios_running_heads_and_the_hand_of_each_page(built) -> None:
    result, _ = built
    pdf = result.outputs["pdf"].path
    starts = chapter_starts(pdf, result.titles)
    assert sorted(starts.values()) == list(starts.values())  # in book order
    first_chapter = min(starts.values())
    owner = {}
    for title, start in sorted(starts.items(), key=lambda item: item[1]):
        owner.update({n: (title, start) for n in range(start, len(words_by_page(pdf)) + 1)})
    hands_seen = set()
    for number, (width, height, words) in enumerate(words_by_page(pdf), 1):
        if number < first_chapter:
            continue
        title, start = owner[number]
        folio = [w for w in words if w["top"] > height - 22 * MM]
        assert [w["text"] for w in folio] == [str(number)], number
        right_hand = number % 2 == 1
        assert (folio[0]["x0"] > width / 2) == right_hand, number
        heads = [w["text"] for w in words if w["bottom"] < 18 * MM]
        assert heads == ([] if number == start else [title]), number
        body = [w for w in words if 18 * MM < w["top"] < height - 22 * MM]
        left_edge = min(w["x0"] for w in body)
        expected = RIGHT_PAGE_TEXT_X if right_hand else LEFT_PAGE_TEXT_X
        assert abs(left_edge - expected) < 1.5, (number, left_edge, expected)
        hands_seen.add((right_hand, number == start))
    # Chapters began on both hands, and both hands carried body pages.
    assert {(True, True), (False, True), (True, False), (False, False)} <= hands_seen


def test_toc_numbers_and_outline_point_at_the_chapters(built) -> None:
    result, _ = built
    pdf = result.outputs["pdf"].path
    starts = chapter_starts(pdf, result.titles)
    reader = pypdf.PdfReader(pdf)
    toc = next(page.extract_text() for page in reader.pages if "차례" in page.extract_text())
    for title in result.titles:
        number = re.search(re.escape(title) + r"[ .]*(\d+)", toc)
        assert number and int(number[1]) == starts[title], title
    top = [item for item in reader.outline if not isinstance(item, list)]
    by_title = {item.title: reader.get_destination_page_number(item) + 1 for item in top}
    for title in result.titles:
        assert by_title[title] == starts[title]
    nested = [item for item in reader.outline if isinstance(item, list)]
    assert [item.title for group in nested for item in group] == ["둘째 소제목"]


def test_links_between_chapters_land_on_their_target(built) -> None:
    result, _ = built
    reader = pypdf.PdfReader(result.outputs["pdf"].path)
    destinations = reader.named_destinations
    targets = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            assert "/A" not in annotation or "x-hanji" not in str(annotation["/A"].get("/URI"))
            if "/Dest" in annotation:
                name = str(annotation["/Dest"])
                targets.append(reader.get_destination_page_number(destinations[name]) + 1)
    subheading_page = next(number for number, page in enumerate(reader.pages, 1)
                           if "둘째 소제목" in page.extract_text() and "차례" not in
                           page.extract_text())
    assert subheading_page in targets  # the link from the third post
    assert len(targets) >= 4 + 1  # four TOC entries and that link


def test_each_font_is_embedded_once_for_the_whole_book(built) -> None:
    result, _ = built
    reader = pypdf.PdfReader(result.outputs["pdf"].path)
    files: dict[str, set[int]] = {}

    def visit(resources) -> None:
        resources = resources.get_object()
        for ref in (resources.get("/Font") or {}).values():
            font = ref.get_object()
            if font.get("/Subtype") != "/Type0":
                continue
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            key = next(k for k in descriptor if k.startswith("/FontFile"))
            files.setdefault(str(font["/BaseFont"]).split("+", 1)[1], set()).add(
                descriptor.raw_get(key).idnum)
        for ref in (resources.get("/XObject") or {}).values():
            if ref.get_object().get("/Subtype") == "/Form":
                visit(ref.get_object()["/Resources"])

    for page in reader.pages:
        visit(page["/Resources"])
    assert {"hanji-serif", "hanji-sans"} <= set(files)
    assert all(len(ids) == 1 for ids in files.values()), files


def test_a_rebuild_lays_out_only_what_changed(tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    site = book_site(tmp_path / "site")
    first = build(site, tmp_path / "first", tmp_path / "cache")
    calls: list[str] = []
    real = layout_jobs.layout_chapter

    def counting(source: str, *args: object) -> object:
        calls.append(source)
        return real(source, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(layout_jobs, "layout_chapter", counting)
    again = build(site, tmp_path / "again", tmp_path / "cache")
    assert calls == []
    assert again.pages == first.pages

    # Lengthen the second post by a few pages: the later chapters move, only it is laid out.
    post = site.root / "_posts" / "2020-02-01-two.md"
    post.write_text(post.read_text(encoding="utf-8") + "\n\n" + paragraphs("덧붙인", 12) + "\n",
                    encoding="utf-8")
    edited = build(site, tmp_path / "edited", tmp_path / "cache")
    assert len(calls) == 1 and "덧붙인" in calls[0].replace("\u2060", "")  # word joiners
    assert edited.pages > first.pages
    pdf = edited.outputs["pdf"].path
    starts = chapter_starts(pdf, edited.titles)
    for number, (_, height, words) in enumerate(words_by_page(pdf), 1):
        if number >= min(starts.values()):
            assert [w["text"] for w in words if w["top"] > height - 22 * MM] == [str(number)]


def test_a_theme_with_unequal_hands_falls_back_to_one_document(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    theme = tmp_path / "lopsided"
    theme.mkdir()
    (theme / "theme.yml").write_text("name: lopsided\nextends: default\n", encoding="utf-8")
    (theme / "print.css").write_text("@page :left { margin-left: 30mm; }\n", encoding="utf-8")
    (theme / "epub.css").write_text("", encoding="utf-8")
    site = book_site(tmp_path / "site")
    with caplog.at_level(logging.INFO, logger="converter"):
        result = build(site, tmp_path / "out", tmp_path / "cache", theme=str(theme))
    assert "laying the book out as one document" in caplog.text
    pdf = result.outputs["pdf"].path
    assert result.pages == len(pypdf.PdfReader(pdf).pages)
    for number, (_, height, words) in enumerate(words_by_page(pdf), 1):
        body = [w for w in words if 18 * MM < w["top"] < height - 22 * MM]
        if number > 4 and body:  # past the front matter: the theme's own margins
            expected = 19 * MM if number % 2 else 30 * MM
            assert abs(min(w["x0"] for w in body) - expected) < 1.5, number


@pytest.mark.parametrize("text", ["1.5 2", "1 2 3 4", "-0.74 -10.34 ", " 1 2", "1em 2", "5",
                                  "1 2e", "1e-3 4 5", "3 x 1", "", "50% 2"])
def test_svg_number_reading_matches_weasyprint(text: str) -> None:
    from weasyprint.svg import utils

    from converter.writers.patches import svg_numbers

    svg_numbers.patch_weasyprint()  # what every PDF layout does first
    fast_size, fast_point = utils.size, utils.point
    original_size, original_point = fast_size.original, fast_point.original

    class Image:
        def point(self, x: str, y: str, font_size: float) -> tuple[float, float]:
            return fast_size(x, font_size, 100), fast_size(y, font_size, 100)

    def outcome(function, *args):  # type: ignore[no-untyped-def]
        try:
            return function(*args)
        except Exception as exc:  # noqa: BLE001 - the kind of failure is compared
            return type(exc).__name__

    assert outcome(fast_size, text, 10, 100) == outcome(original_size, text, 10, 100)
    assert outcome(fast_point, Image(), text, 10) == outcome(original_point, Image(), text, 10)


def test_without_a_cache_the_book_is_still_laid_out_by_chapter(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture
                                                               ) -> None:
    site = book_site(tmp_path / "site")
    with caplog.at_level(logging.INFO, logger="converter"):
        result = build_book([site.root / "_posts"], title="쪽 시험", output_dir=tmp_path / "out",
                            options=Options(jobs=1, cache=False, formats=("pdf",)))
    assert "4 chapters laid out" in caplog.text and "one document" not in caplog.text
    pdf = result.outputs["pdf"].path
    starts = chapter_starts(pdf, result.titles)
    assert sorted(starts) == sorted(result.titles)
    assert list((tmp_path / "out").iterdir()) == [pdf]  # no layouts left beside the book


def test_layouts_unused_for_a_month_are_deleted(tmp_path: Path) -> None:
    import os
    import time

    cache = LayoutCache(tmp_path)
    for name, age_days in (("old", 40), ("recent", 3)):
        (tmp_path / f"{name}.pdf").write_bytes(b"%PDF")
        description = tmp_path / f"{name}.json"
        description.write_text("{}", encoding="utf-8")
        when = time.time() - age_days * 86400
        os.utime(description, (when, when))
    cache.prune()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["recent.json", "recent.pdf"]


def test_a_cached_layout_is_read_again_only_when_its_file_changed(tmp_path: Path) -> None:
    import hashlib
    import os

    from converter.writers.pdf.layout_cache import intact

    pdf = tmp_path / "chapter.pdf"
    pdf.write_bytes(b"%PDF-1.7 first")
    size, digest = pdf.stat().st_size, hashlib.sha256(pdf.read_bytes()).hexdigest()
    written = pdf.stat().st_mtime_ns
    assert intact(pdf, size, digest, written) and intact(pdf, size, digest)
    # Rewritten at the same size: a new modification time, so it is hashed and rejected.
    pdf.write_bytes(b"%PDF-1.7 other")
    os.utime(pdf, ns=(written + 10**9, written + 10**9))
    assert not intact(pdf, size, digest, written) and not intact(pdf, size, digest)
    # Cut short: rejected by its size alone, whatever its time.
    pdf.write_bytes(b"%PDF")
    os.utime(pdf, ns=(written, written))
    assert not intact(pdf, size, digest, written)
    pdf.unlink()
    assert not intact(pdf, size, digest, written)
