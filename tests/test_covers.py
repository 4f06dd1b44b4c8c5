"""Covers (converter/covers.py, the writers' cover pages): a book's or a post's EPUB gets its
cover — the given image or teaser, or a generated picture of the title — as its EPUB cover
image (EPUBCheck clean); ``--no-cover`` leaves the cover out of both formats."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
from conftest import SiteBuilder, run_epubcheck
from PIL import Image
from pypdf import PdfReader

from converter.book import BookMeta
from converter.cli import main
from converter.covers import HEIGHT, WIDTH, draw_cover
from converter.themes import load_theme


def cover_image(epub: Path) -> tuple[str, Image.Image] | None:
    """The EPUB's cover-image item (its href and the decoded picture), if any."""
    with zipfile.ZipFile(epub) as archive:
        opf_name = next(n for n in archive.namelist() if n.endswith(".opf"))
        opf = archive.read(opf_name).decode("utf-8")
        item = re.search(r'<item[^>]*properties="cover-image"[^>]*>', opf)
        if item is None:
            return None
        href = re.search(r'href="([^"]+)"', item.group()).group(1)  # type: ignore[union-attr]
        folder = opf_name.rsplit("/", 1)[0]
        data = archive.read(f"{folder}/{href}")
    return href, Image.open(io.BytesIO(data))


def book_site(root: Path) -> SiteBuilder:
    site = SiteBuilder(root)
    site.post("2021-01-01-a.md", "첫 글입니다.", front_matter='title: "가"')
    site.post("2021-02-01-b.md", "둘째 글입니다.", front_matter='title: "나"')
    return site


def test_generated_cover_picture_draws_the_title_in_the_theme_colours() -> None:
    theme = load_theme("default")
    png = draw_cover(BookMeta(title="데이터 분석 이야기 " * 6, author="홍길동"), theme)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    assert image.size == (WIDTH, HEIGHT)
    background = tuple(int(theme.cover["background"][i:i + 2], 16) for i in (1, 3, 5))
    assert image.getpixel((5, 5)) == background
    # Ink in the title band and under the rule (the author), none at the foot of the page.
    title_band = image.crop((0, int(HEIGHT * 0.2), WIDTH, int(HEIGHT * 0.5)))
    foot = image.crop((0, int(HEIGHT * 0.85), WIDTH, HEIGHT))
    assert title_band.convert("L").getextrema()[0] < 80
    assert foot.convert("L").getextrema()[0] > 200
    assert len(png) < 200_000


def test_book_epub_gets_the_generated_cover_as_its_cover_image(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = book_site(tmp_path / "site")
    code = main(["book", str(site.root), "--title", "표지 있는 책", "-o", str(tmp_path / "out"),
                 "--format", "epub", "--cache-dir", str(tmp_path / "cache")])
    assert code == 0, capsys.readouterr().err
    epub = tmp_path / "out" / "표지-있는-책.epub"
    found = cover_image(epub)
    assert found is not None and found[0] == "images/cover.png"
    assert found[1].size == (WIDTH, HEIGHT)
    with zipfile.ZipFile(epub) as archive:
        page = archive.read("EPUB/text/cover.xhtml").decode("utf-8")
    assert 'src="../images/cover.png"' in page and 'alt="표지 있는 책"' in page
    report = run_epubcheck(epub)
    assert [m for m in report["messages"]] == []


def test_book_epub_cover_is_the_given_image_and_no_cover_skips_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = book_site(tmp_path / "site")
    site.image("cover.png", (600, 900), color=(20, 120, 200))
    common = ["-o", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]
    code = main(["book", str(site.root), "--title", "책", "--cover", str(site.root / "cover.png"),
                 "--format", "epub", *common])
    assert code == 0, capsys.readouterr().err
    found = cover_image(tmp_path / "out" / "책.epub")
    assert found is not None and found[1].size == (600, 900)
    assert found[1].convert("RGB").getpixel((0, 450)) == (20, 120, 200)
    code = main(["book", str(site.root), "--title", "책", "--no-cover", "--name", "plain",
                 *common])
    assert code == 0
    assert cover_image(tmp_path / "out" / "plain.epub") is None
    first = PdfReader(tmp_path / "out" / "plain.pdf").pages[0].extract_text()
    with_cover = main(["book", str(site.root), "--title", "책", "--name", "covered",
                       "--format", "pdf", *common])
    assert with_cover == 0
    assert len(PdfReader(tmp_path / "out" / "covered.pdf").pages) == \
        len(PdfReader(tmp_path / "out" / "plain.pdf").pages) + 1
    assert "책" in first  # the title page comes first


def test_no_cover_for_a_single_post(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = SiteBuilder(tmp_path / "site")
    site.image("assets/teaser.jpg", (500, 300))
    post = site.post("2021-01-01-a.md", "본문 첫 문단입니다.",
                     front_matter='title: "티저 글"\nheader:\n  teaser: /assets/teaser.jpg')
    common = ["-o", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]
    assert main(["convert", str(post), *common]) == 0
    covered = cover_image(tmp_path / "out" / "2021-01-01-a.epub")
    assert covered is not None and covered[1].size[0] <= 500
    pages_with_cover = len(PdfReader(tmp_path / "out" / "2021-01-01-a.pdf").pages)
    assert main(["convert", str(post), "--no-cover", *common]) == 0
    assert cover_image(tmp_path / "out" / "2021-01-01-a.epub") is None
    reader = PdfReader(tmp_path / "out" / "2021-01-01-a.pdf")
    assert len(reader.pages) == pages_with_cover - 1
    assert "본문 첫 문단입니다" in reader.pages[0].extract_text().replace("\u2060", "")
    capsys.readouterr()


def test_single_post_without_teaser_gets_the_generated_cover(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = SiteBuilder(tmp_path / "site")
    post = site.post("2021-01-01-a.md", "본문 첫 문단입니다.",
                     front_matter='title: "표지 없는 글"\nauthor: 홍길동')
    common = ["-o", str(tmp_path / "out"), "--cache-dir", str(tmp_path / "cache")]
    assert main(["convert", str(post), *common]) == 0, capsys.readouterr().err
    epub = tmp_path / "out" / "2021-01-01-a.epub"
    found = cover_image(epub)
    assert found is not None and found[0] == "images/cover.png"
    assert found[1].size == (WIDTH, HEIGHT)
    picture = found[1].convert("L")
    # The title drawn in the upper band, nothing at the foot.
    assert picture.crop((0, int(HEIGHT * 0.2), WIDTH, int(HEIGHT * 0.5))).getextrema()[0] < 80
    assert picture.crop((0, int(HEIGHT * 0.85), WIDTH, HEIGHT)).getextrema()[0] > 200
    with zipfile.ZipFile(epub) as archive:
        page = archive.read("EPUB/text/cover.xhtml").decode("utf-8")
        opf = archive.read("EPUB/content.opf").decode("utf-8")
    assert 'src="../images/cover.png"' in page and 'alt="표지 없는 글"' in page
    assert opf.index('idref="cover-page"') < opf.index('idref="post"')  # the cover comes first
    assert run_epubcheck(epub)["messages"] == []
    # The PDF begins with the generated cover page.
    assert "표지 없는 글" in PdfReader(tmp_path / "out" / "2021-01-01-a.pdf").pages[0].extract_text()

    assert main(["convert", str(post), "--no-cover", "--format", "epub", *common]) == 0
    assert cover_image(epub) is None
    with zipfile.ZipFile(epub) as archive:
        assert "EPUB/text/cover.xhtml" not in archive.namelist()
    assert run_epubcheck(epub)["messages"] == []
