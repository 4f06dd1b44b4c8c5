"""End to end: a seed-like Jekyll post through the CLI to PDF and EPUB, checked as a reader would."""

from __future__ import annotations

import re
import subprocess
import zipfile
from pathlib import Path

import pdfplumber
import pytest
from conftest import SiteBuilder, epub_texts, epubcheck_problems, pdf_fonts, pdf_text

from converter.cli import main

SEED_LIKE = """
<figure class="half">
    <a href="/assets/img/event/a.jpg"><img src="/assets/img/event/a.jpg"></a>
    <a href="/assets/img/event/b.jpg"><img src="/assets/img/event/b.jpg"></a>
    <figcaption>두 사진을 설명하는 캡션입니다.</figcaption>
</figure>

<span style="font-size:11pt">지난 7월 1일과 2일 양일간 코엑스 그랜드볼룸 일대에서 열린 컨퍼런스에 다녀왔습니다. 올해는 작년보다 더 많은 세션들이 준비되어 현실적인 조언들을 많이 구할 수 있었습니다.</span></Blockquote>

<Blockquote>
<span style="font-size:11pt">
★ 강연 요약 포스팅 ★<br><br>
1. <a href=''>[NVIDIA] 학습 가속을 쉽게 하는 방법</a><br>
2. [NVIDIA] 이미지 증강 가속화 방안
</span>
</Blockquote>

![png](/assets/img/event/c.jpg)

| | |
|![png](/assets/img/event/d.jpg)|![png](/assets/img/event/e.jpg)|
|:---:|:---:|

<span style="font-size:11pt">
이어지는 세션에서는 온디바이스 인공지능이라는 주제로 이야기가 진행되었습니다.<br></span>

|![png](/assets/img/event/f.jpg)|![png](/assets/img/event/g.jpg)|
|:---:|:---:|
|![png](/assets/img/event/h.jpg)|![png](/assets/img/event/i.jpg)|
<center>![png](/assets/img/event/j.jpg)</center>

각주도 있습니다.[^1]

```python
# 한글 주석
print("안녕")
```

[^1]: 각주의 내용입니다.
"""

LEAKS = ["![", "|:---:|", "<span", "</Blockquote>", "<Blockquote>", "{{", "{%", "[^1]"]


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("e2e")
    site = SiteBuilder(root / "site")
    for index, name in enumerate("abcdefghij"):
        site.image(f"assets/img/event/{name}.jpg", (640, 480), color=(40 + 20 * index, 90, 160))
    site.image("assets/img/teaser.jpg", (800, 500), color=(200, 60, 60))
    post = site.post("2019-07-03-conference.md", SEED_LIKE, front_matter="""
        title: "(후기) 컨퍼런스에 다녀왔습니다"
        tags: [Machine Learning, Conference]
        toc: true
        header:
          teaser: /assets/img/teaser.jpg
        """)
    out = root / "out"
    code = main(["-q", "convert", str(post), "-o", str(out), "--cache-dir", str(root / "cache")])
    assert code == 0
    return out / f"{post.stem}.pdf", out / f"{post.stem}.epub", post


def test_writes_both_files_named_after_the_post(outputs: tuple[Path, Path, Path]) -> None:
    pdf, epub, post = outputs
    assert pdf.name == "2019-07-03-conference.pdf" and pdf.stat().st_size > 1000
    assert epub.name == "2019-07-03-conference.epub" and epub.stat().st_size > 1000
    assert pdf.read_bytes().startswith(b"%PDF")


def test_no_source_syntax_leaks(outputs: tuple[Path, Path, Path]) -> None:
    pdf, epub, _ = outputs
    text = pdf_text(pdf)
    assert "컨퍼런스에 다녀왔습니다" in text.replace("\n", " ")
    for leak in LEAKS:
        assert leak not in text, leak
    for name, xhtml in epub_texts(epub).items():
        body = re.sub(r"<[^>]+>", "", xhtml.split("<body", 1)[-1])
        for leak in LEAKS:
            assert leak not in body, (name, leak)


def test_every_image_is_in_both_outputs(outputs: tuple[Path, Path, Path]) -> None:
    pdf, epub, _ = outputs
    listing = subprocess.run(["pdfimages", "-list", str(pdf)], capture_output=True, text=True,
                             check=True).stdout.splitlines()[2:]
    assert len(listing) == 11  # 10 in the body + the cover
    with zipfile.ZipFile(epub) as archive:
        images = [n for n in archive.namelist() if n.startswith("EPUB/images/")]
        opf = archive.read("EPUB/content.opf").decode()
    assert len(images) == 11
    assert 'properties="cover-image"' in opf


def _image_boxes(pdf: Path) -> list[list[dict]]:
    with pdfplumber.open(pdf) as document:
        return [[{"x0": i["x0"], "x1": i["x1"], "top": i["top"], "bottom": i["bottom"],
                  "width": page.width} for i in page.images] for page in document.pages]


def test_figure_pair_and_grids_sit_side_by_side(outputs: tuple[Path, Path, Path]) -> None:
    pdf, _, _ = outputs
    rows: dict[tuple[int, int], list[dict]] = {}
    for number, boxes in enumerate(_image_boxes(pdf)):
        for box in boxes:
            rows.setdefault((number, round(box["top"])), []).append(box)
    side_by_side = [r for r in rows.values() if len(r) == 2]
    # The figure pair, the one-row table and the two rows of the grid.
    assert len(side_by_side) >= 4
    for pair in side_by_side:
        left, right = sorted(pair, key=lambda b: b["x0"])
        assert left["x1"] <= right["x0"]


def test_caption_under_the_pair(outputs: tuple[Path, Path, Path]) -> None:
    pdf, _, _ = outputs
    with pdfplumber.open(pdf) as document:
        for page in document.pages:
            words = page.search("두 사진을 설명하는")
            if words:
                images = [i for i in page.images if abs(i["bottom"] - page.images[0]["bottom"]) < 2]
                assert words[0]["top"] > max(i["bottom"] for i in images)
                break
        else:
            pytest.fail("caption not found")


def test_center_image_is_centred(outputs: tuple[Path, Path, Path]) -> None:
    pdf, _, _ = outputs
    singles = [b for page in _image_boxes(pdf) for b in page]
    centres = [abs((b["x0"] + b["x1"]) / 2 - b["width"] / 2) for b in singles
               if (b["x1"] - b["x0"]) > b["width"] * 0.5]
    assert centres and min(centres) < 20


def test_epubcheck_clean(outputs: tuple[Path, Path, Path]) -> None:
    _, epub, _ = outputs
    assert epubcheck_problems(epub) == []


def test_pdf_uses_only_bundled_subset_fonts(outputs: tuple[Path, Path, Path]) -> None:
    pdf, _, _ = outputs
    fonts = pdf_fonts(pdf)
    assert fonts
    for font in fonts:
        assert font["name"].split("+", 1)[-1].startswith("hanji-"), font
        assert font["emb"] == "yes" and font["sub"] == "yes", font


def test_epub_embeds_subset_fonts(outputs: tuple[Path, Path, Path]) -> None:
    _, epub, _ = outputs
    with zipfile.ZipFile(epub) as archive:
        fonts = [i for i in archive.infolist() if i.filename.startswith("EPUB/fonts/")]
    assert fonts
    assert all(f.file_size < 600_000 for f in fonts)  # the Nanum originals are ~4 MB


def test_epub_stores_images_and_deflates_text(outputs: tuple[Path, Path, Path]) -> None:
    _, epub, _ = outputs
    with zipfile.ZipFile(epub) as archive:
        infos = archive.infolist()
        assert archive.testzip() is None  # every member's CRC checks out
    assert infos[0].filename == "mimetype" and infos[0].compress_type == zipfile.ZIP_STORED
    images = [i for i in infos if i.filename.startswith("EPUB/images/")]
    assert len(images) == 11
    assert all(i.compress_type == zipfile.ZIP_STORED for i in images)  # JPEG/PNG as they are
    rest = [i for i in infos[1:] if not i.filename.startswith("EPUB/images/")]
    assert rest and all(i.compress_type == zipfile.ZIP_DEFLATED for i in rest)
    texts = [i for i in rest if i.filename.endswith(".xhtml")]
    assert sum(i.compress_size for i in texts) < sum(i.file_size for i in texts) / 2


def test_epub_structure_of_figures(outputs: tuple[Path, Path, Path]) -> None:
    _, epub, _ = outputs
    chapter = next(t for n, t in epub_texts(epub).items() if n.endswith("post.xhtml"))
    assert chapter.count('class="figure-group cols-2') == 3
    assert "image-grid" in chapter
    assert "<table" not in chapter  # all-image tables became grids
    assert 'class="align-center"' in chapter
    assert 'lang="ko' in chapter
