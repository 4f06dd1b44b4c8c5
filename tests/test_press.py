"""Print-ready PDFs (converter/press/): trim sizes, boxes, PDF/X-4 and PDF/A, gray, cover,
preflight. Every check opens the PDFs with pikepdf; the fixtures are generated here."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pikepdf
import pytest
from conftest import SiteBuilder
from PIL import Image, ImageDraw

from converter.cli import main
from converter.errors import ConfigError
from converter.options import Options
from converter.press.trim import gutter_extra, spine_width, trim_size
from converter.writers.pdf.tags import check_structure

MM = 72 / 25.4


def mm(box) -> tuple[float, float]:
    x1, y1, x2, y2 = (float(v) for v in box)
    return round((x2 - x1) / MM, 1), round((y2 - y1) / MM, 1)


def paragraphs(name: str, count: int) -> str:
    return "\n\n".join(f"{name}의 {i}번째 문단입니다. 인쇄용 책을 만들 때에는 재단선과 도련, "
                       "제본 여백을 생각해야 합니다. " * 3 for i in range(count))


def print_site(root: Path) -> SiteBuilder:
    """Two posts: colour images (one far too small for print), a link, coloured notes."""
    site = SiteBuilder(root)
    site.image("assets/photo.jpg", (1600, 1000), color=(200, 40, 40))
    site.image("assets/tiny.png", (120, 80), color=(30, 160, 60))
    site.image("assets/tiny2.png", (120, 80), color=(160, 30, 160))  # same size, same post
    logo = Image.new("RGBA", (1400, 700), (0, 0, 0, 0))  # transparent: drawn with a soft mask
    ImageDraw.Draw(logo).ellipse((50, 20, 1350, 680), fill=(20, 60, 200, 255))
    logo.save(site.root / "assets" / "logo.png")
    site.post("2024-01-01-first.md", paragraphs("첫 글", 6) + "\n\n![사진](/assets/photo.jpg)\n\n![로고](/assets/logo.png)\n\n"
              "[링크](https://example.com)는 파랗지 않아야 합니다.\n\n"
              '<div class="notice--info" markdown="1">알림 상자</div>\n',
              'title: "첫 글"\ndate: 2024-01-01\nimage: /assets/photo.jpg')
    site.post("2024-02-01-second.md", paragraphs("둘째 글", 10) + "\n\n![작은 그림](/assets/tiny.png)\n\n"
              + paragraphs("둘째 글 뒤", 4) + "\n\n![또 작은 그림](/assets/tiny2.png)\n",
              'title: "둘째 글"\ndate: 2024-02-01')
    return site


def all_streams(pdf: pikepdf.Pdf):
    """(owner, resources) of every content stream: pages, forms, tiling patterns."""
    seen = set()
    pending = []
    for page in pdf.pages:
        yield page, page.obj.get("/Resources")
        pending.append(page.obj.get("/Resources"))
    while pending:
        resources = pending.pop()
        for key in ("/XObject", "/Pattern"):
            for obj in ((resources or {}).get(key) or {}).values():
                if (obj.get("/Subtype") == "/Form" or obj.get("/PatternType") == 1) and \
                        obj.objgen not in seen:
                    seen.add(obj.objgen)
                    yield obj, obj.get("/Resources")
                    pending.append(obj.get("/Resources"))


#: What a print file lacks of PDF/UA: its identification (one WeasyPrint variant per file).
NOT_CLAIMED_UA = "no pdfuaid:part 1 in the XMP metadata"


@pytest.fixture(scope="module")
def single(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("press-single")
    site = print_site(root / "site")
    code = main(["-q", "convert", str(site.root / "_posts" / "2024-01-01-first.md"), "-o",
                 str(root / "out"), "--format", "pdf", "--cache-dir", str(root / "cache"),
                 "--print", "--trim", "신국판", "--bleed", "3mm", "-j", "1"])
    assert code == 0
    return root / "out" / "2024-01-01-first.pdf"


@pytest.fixture(scope="module")
def book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("press-book")
    print_site(root / "site")
    (root / "book.yml").write_text(
        "title: 인쇄 시험\nauthor: 시험자\ncover: site/assets/photo.jpg\n"
        "sources: [site]\noutput: press\nprint:\n  trim: singuk\n  pad_to: 4\n"
        "  blurb: 뒤표지에 실리는 소개 글입니다.\n", encoding="utf-8")
    code = main(["-q", "book", str(root / "book.yml"), "-o", str(root / "out"), "--format",
                 "pdf", "--cache-dir", str(root / "cache"), "--print", "--bleed", "3mm"])
    assert code == 0
    return root / "out"


def test_trim_sizes_aliases_and_errors() -> None:
    assert trim_size("신국판") == trim_size("singuk") == (152, 225)
    assert trim_size("46배판") == trim_size("46bae") == (188, 257)
    assert trim_size("크라운판") == trim_size("crown") == (176, 248)
    assert trim_size("130 200") == (130.0, 200.0)
    with pytest.raises(ConfigError, match="print.trim"):
        Options.from_mapping({"print": {"trim": "엽서"}})
    with pytest.raises(ConfigError, match="did you mean 'bleed'"):
        Options.from_mapping({"print": {"bled": "3mm"}})
    with pytest.raises(ConfigError, match="pad_to"):
        Options.from_mapping({"print": {"pad_to": 3}})
    # Every mistake names its key, so that the CLI can name the flag or the book.yml line.
    for bad, key in (({"print": 0}, "print"), ({"print": {"bleed": "40mm"}}, "print.bleed"),
                     ({"print": {"paper": "x"}}, "print.paper")):
        with pytest.raises(ConfigError) as caught:
            Options.from_mapping(bad)
        assert caught.value.key == key and "\n" not in str(caught.value)
    assert spine_width(236, 0.1) == 11.8
    assert spine_width(237, 0.1) == 11.9  # a leaf per two pages, rounded up
    assert gutter_extra(80) == 0 and 0 < gutter_extra(300) < gutter_extra(600) <= 4


def test_single_post_boxes_on_every_page(single: Path) -> None:
    with pikepdf.open(single) as pdf:
        assert len(pdf.pages) % 2 == 0  # padded to a multiple of 2 by default
        for page in pdf.pages:
            assert mm(page.MediaBox) == (158.0, 231.0)
            assert mm(page.TrimBox) == (152.0, 225.0)
            assert mm(page.BleedBox) == (158.0, 231.0)
            assert [round(float(a) - float(b), 2) for a, b in
                    zip(page.TrimBox, page.MediaBox)] == [8.5, 8.5, -8.5, -8.5]


def test_single_post_is_identified_as_pdfx4(single: Path) -> None:
    with pikepdf.open(single) as pdf:
        assert pdf.pdf_version == "1.6"
        intents = pdf.Root.OutputIntents
        assert len(intents) == 1 and intents[0].S == "/GTS_PDFX"
        profile = intents[0].DestOutputProfile.read_bytes()
        assert profile[16:20] == b"CMYK" and profile[12:16] == b"prtr"
        meta = pdf.open_metadata()
        assert meta["pdfxid:GTS_PDFXVersion"] == "PDF/X-4"
        assert meta["xmpMM:VersionID"] and meta["xmpMM:RenditionClass"]
        assert pdf.docinfo.Trapped == "/False"
        for page in pdf.pages:
            assert "/Annots" not in page.obj  # no links inside the bleed box
            assert pikepdf.parse_content_stream(page)  # blank pages too draw (q Q)
            for image in (page.Resources.get("/XObject") or {}).values():
                assert not image.get("/Interpolate", False)
                assert not (image.get("/SMask") or {}).get("/Interpolate", False)
            spaces = page.obj.Resources.get("/ColorSpace") or {}
            assert "/DefaultRGB" in spaces  # DeviceRGB is sRGB, not device colour


def test_fonts_are_embedded_and_subset(single: Path) -> None:
    with pikepdf.open(single) as pdf:
        fonts = {font.objgen: font for _, res in all_streams(pdf)
                 for font in ((res or {}).get("/Font") or {}).values()}
        assert fonts
        for font in fonts.values():
            if font.Subtype == "/Type3":
                continue
            descriptor = (font.DescendantFonts[0].FontDescriptor if font.Subtype == "/Type0"
                          else font.FontDescriptor)
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
            assert str(font.BaseFont)[7] == "+"  # ABCDEF+Name: a subset


def test_crop_marks_sit_outside_the_bleed(tmp_path: Path) -> None:
    site = print_site(tmp_path / "site")
    code = main(["-q", "convert", str(site.root / "_posts" / "2024-02-01-second.md"), "-o",
                 str(tmp_path / "out"), "--format", "pdf", "--cache-dir", str(tmp_path / "c"),
                 "--trim", "국판", "--bleed", "3mm", "--marks", "crop", "--pdf-standard",
                 "none", "-j", "1"])
    assert code == 0
    with pikepdf.open(tmp_path / "out" / "2024-02-01-second.pdf") as pdf:
        assert "/OutputIntents" not in pdf.Root
        for page in pdf.pages:
            assert mm(page.TrimBox) == (148.0, 210.0)
            assert mm(page.BleedBox) == (154.0, 216.0)
            assert mm(page.MediaBox) == (174.0, 236.0)  # 10 mm for the marks each side


def test_gray_output_has_no_colour(tmp_path: Path) -> None:
    site = print_site(tmp_path / "site")
    code = main(["-q", "convert", str(site.root / "_posts" / "2024-01-01-first.md"), "-o",
                 str(tmp_path / "out"), "--format", "pdf", "--cache-dir", str(tmp_path / "c"),
                 "--print", "--gray", "-j", "1"])
    assert code == 0
    with pikepdf.open(tmp_path / "out" / "2024-01-01-first.pdf") as pdf:
        operators = set()
        images = 0
        for owner, resources in all_streams(pdf):
            for operands, operator in pikepdf.parse_content_stream(owner):
                operators.add(str(operator))
                if str(operator) in ("cs", "CS"):
                    assert str(operands[0]) in ("/DeviceGray", "/Pattern"), operands
                if str(operator) in ("sc", "scn", "SC", "SCN"):
                    assert len([o for o in operands if not isinstance(o, pikepdf.Name)]) <= 1
            for image in ((resources or {}).get("/XObject") or {}).values():
                if image.get("/Subtype") == "/Image":
                    images += 1
                    assert image.ColorSpace == "/DeviceGray"
                    picture = pikepdf.PdfImage(image).as_pil_image()
                    low, high = picture.convert("L").getextrema()
                    assert high - low > 150  # contrast kept
        assert not operators & {"rg", "RG", "k", "K"}
        smasks = [i for _, r in all_streams(pdf) for i in ((r or {}).get("/XObject") or {}).values()
                  if "/SMask" in i]
        assert smasks  # the transparent logo keeps its soft mask
        assert "g" in operators and images >= 1


def test_pdfa_2b_passes_pikepdfs_validator(tmp_path: Path) -> None:
    from pikepdf import pdfa

    site = print_site(tmp_path / "site")
    code = main(["-q", "convert", str(site.root / "_posts" / "2024-01-01-first.md"), "-o",
                 str(tmp_path / "out"), "--format", "pdf", "--cache-dir", str(tmp_path / "c"),
                 "--pdf-standard", "pdf/a-2b", "-j", "1"])
    assert code == 0
    path = tmp_path / "out" / "2024-01-01-first.pdf"
    report = pdfa.validate_written(path, "2b")
    assert report.passed, report.summary()
    with pikepdf.open(path) as pdf:
        assert pdf.open_metadata()["pdfaid:part"] == "2"
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFA1"
    # Tagged (the default) and still PDF/A-2b: the file claims PDF/A-2b only
    # (converter.press.variant: the combination rules).
    assert check_structure(path) == [NOT_CLAIMED_UA]


def test_print_files_stay_tagged(single: Path, book: Path) -> None:
    for path in (single, book / "press.pdf"):
        with pikepdf.open(path) as pdf:
            assert "/StructTreeRoot" in pdf.Root and pdf.Root.MarkInfo.Marked
        assert check_structure(path) == [NOT_CLAIMED_UA], path


def test_book_interior_cover_and_preflight(book: Path) -> None:
    interior = book / "press.pdf"
    cover = book / "press-cover.pdf"
    report = json.loads((book / "press-preflight.json").read_text(encoding="utf-8"))
    with pikepdf.open(interior) as pdf:
        pages = len(pdf.pages)
        assert pages % 4 == 0  # print.pad_to: 4 from book.yml
        assert {mm(p.TrimBox) for p in pdf.pages} == {(152.0, 225.0)}
        assert {mm(p.MediaBox) for p in pdf.pages} == {(158.0, 231.0)}
    assert report["pages"] == pages and not report["errors"]
    spine = math.ceil(pages / 2) * 0.1
    assert report["cover"]["spine_mm"] == pytest.approx(spine, abs=0.05)
    with pikepdf.open(cover) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        assert mm(page.MediaBox)[0] == pytest.approx(2 * 152 + spine + 2 * 3, abs=0.1)
        assert mm(page.TrimBox) == pytest.approx((2 * 152 + spine, 225), abs=0.1)
        assert pdf.Root.OutputIntents[0].S == "/GTS_PDFX"
        images = [o for o in (page.Resources.get("/XObject") or {}).values()
                  if o.get("/Subtype") == "/Image"]
        assert images  # the front is the cover image
    low = report["low_resolution"]
    # two images of one size in one post: each named (the n-th drawn is the n-th written)
    assert sorted(e["source"] for e in low) == [["2024-02-01-second.md: tiny.png"],
                                                 ["2024-02-01-second.md: tiny2.png"]]
    by_name = {e["source"][0]: e["page"] for e in low}
    assert by_name["2024-02-01-second.md: tiny.png"] <= by_name["2024-02-01-second.md: tiny2.png"]
    assert all(e["dpi"] < 200 for e in low)


def test_book_cli_prints_the_preflight(tmp_path: Path, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    site = print_site(tmp_path / "site")
    code = main(["book", str(site.root), "--title", "인쇄", "-o", str(tmp_path / "out"),
                 "--format", "pdf", "--cache-dir", str(tmp_path / "c"), "--print",
                 "--trim", "46판", "--paper", "bulky70"])
    out = capsys.readouterr().out
    assert code == 0
    assert "preflight 인쇄.pdf: pdf/x-4" in out and "TrimBox 128×188 mm" in out
    assert "tiny.png" in out and "below 200 dpi" in out
    assert "spine" in out and (tmp_path / "out" / "인쇄-cover.pdf").is_file()


def test_spine_text_follows_the_spine_width() -> None:
    import datetime as dt

    from lxml import html

    from converter.book import AssetStore, Book, BookMeta
    from converter.press.cover import cover_document, spine_mode

    assert spine_mode(2.0, "ko") == "none"
    assert spine_mode(6.0, "ko") == "rotated"
    assert spine_mode(12.0, "ko") == "vertical"
    assert spine_mode(12.0, "en") == "rotated"
    book = Book(meta=BookMeta(title="단비 블로그", author="단비", lang="ko",
                              date=dt.date(2024, 1, 1)), chapters=[], assets=AssetStore())
    doc = cover_document(book, None, 12.0, "첫 줄\n둘째 줄")
    spine = doc.find_class("wrap-spine")[0]
    assert "vertical" in spine.get("class")
    title = spine.find_class("spine-title")[0]
    assert [s.text for s in title] == ["단", "비", None, "블", "로", "그"]  # None: the gap
    blurb = doc.find_class("wrap-blurb")[0]
    assert html.tostring(blurb, encoding="unicode").count("<br>") == 1
    assert doc.find_class("wrap-art")[1].get("class") == "wrap-art generated"


def test_a_posts_cover_picture_runs_into_the_bleed(single: Path) -> None:
    from converter.press.preflight import placed_images

    with pikepdf.open(single) as pdf:
        on_cover = [(w, h) for page, _, w, h in placed_images(pdf) if page == 0]
    assert on_cover
    width, height = max(on_cover)
    # object-fit: cover on a 1600×1000 picture: as high as the page with its bleed (wider,
    # clipped); without the bleed it would be 225 mm high
    assert height / MM == pytest.approx(225 + 2 * 3, abs=0.5)
    assert width / MM > 152 + 2 * 3
