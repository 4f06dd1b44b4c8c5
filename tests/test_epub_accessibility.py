"""EPUB Accessibility 1.1 metadata true to the book, and the EPUB's semantic markup."""

from __future__ import annotations

import zipfile
from pathlib import Path

from conftest import SiteBuilder, epub_texts, epubcheck_problems
from lxml import etree

import converter

OPF = "{http://www.idpf.org/2007/opf}"
XHTML = "{http://www.w3.org/1999/xhtml}"
EPUB = "{http://www.idpf.org/2007/ops}"

BODY = """
![png](/assets/a.png)

<figure><img src="/assets/b.png" alt="IMG_2019.jpg"><figcaption>한지 공방의 작업대</figcaption></figure>

좋아요 <img class="emoji" src="/assets/smile.png" alt=":smile:"> 끝.

종이는 닥나무로 만듭니다.[^1]

| 이름 | 값 |
|------|----|
| 가   | 1  |

**참고:** 한지는 오래갑니다.
{: .notice--info}

[^1]: 닥나무 껍질을 삶아 만듭니다.
"""


def build(site: SiteBuilder, tmp_path: Path, front_matter: str) -> Path:
    for name in ("a.png", "b.png"):
        site.image(f"assets/{name}", (320, 200))
    site.image("assets/smile.png", (20, 20))
    post = site.post("2024-01-02-hanji.md", BODY, front_matter=front_matter)
    result = converter.convert(post, output_dir=tmp_path / "out",
                               options=converter.Options(formats=("epub",), jobs=1,
                                                         cache_dir=tmp_path / "cache"))
    return result.outputs["epub"].path


def metadata(epub: Path) -> tuple[etree._Element, dict[str, list[str]]]:
    with zipfile.ZipFile(epub) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".opf"))
        opf = etree.fromstring(archive.read(name))
    values: dict[str, list[str]] = {}
    for meta in opf.iter(f"{OPF}meta"):
        if meta.get("property"):
            values.setdefault(meta.get("property"), []).append(meta.text or "")
    return opf, values


def test_undescribed_images_are_declared_not_hidden(site: SiteBuilder, tmp_path: Path) -> None:
    epub = build(site, tmp_path, 'title: "한지"')
    opf, meta = metadata(epub)
    assert opf.get("{http://www.w3.org/XML/1998/namespace}lang") == "ko-KR"
    assert meta["schema:accessMode"] == ["textual", "visual"]
    assert meta["schema:accessModeSufficient"] == ["textual,visual"]
    features = meta["schema:accessibilityFeature"]
    assert {"structuralNavigation", "tableOfContents", "readingOrder",
            "displayTransformability"} <= set(features)
    assert "alternativeText" not in features and "printPageNumbers" not in features
    assert meta["schema:accessibilityHazard"] == ["none"]
    # Two images that are not decoration, one without a description (the emoji is decoration).
    assert "그림 2개 가운데 1개에는 설명(대체 텍스트)이 없습니다" in meta["schema:accessibilitySummary"][0]
    assert "dcterms:conformsTo" not in meta and "a11y:certifiedBy" not in meta
    assert epubcheck_problems(epub) == []


def test_described_book_claims_conformance(site: SiteBuilder, tmp_path: Path) -> None:
    epub = build(site, tmp_path, 'title: "한지"\nimage_descriptions:\n  a.png: 종이를 뜨는 발')
    _, meta = metadata(epub)
    assert "alternativeText" in meta["schema:accessibilityFeature"]
    assert meta["schema:accessModeSufficient"] == ["textual,visual", "textual"]
    assert meta["dcterms:conformsTo"] == ["EPUB Accessibility 1.1 - WCAG 2.2 Level AA"]
    assert "automated" in meta["a11y:certifiedBy"][0]
    assert "그림 2개에는 모두 설명" in meta["schema:accessibilitySummary"][0]
    assert epubcheck_problems(epub) == []


def test_semantic_markup(site: SiteBuilder, tmp_path: Path) -> None:
    epub = build(site, tmp_path, 'title: "한지"')
    texts = epub_texts(epub)
    chapter = etree.fromstring(next(v for k, v in texts.items()
                                    if "/text/" in k and not k.endswith("/cover.xhtml")).encode())
    assert chapter.get("lang") == "ko-KR"
    images = {img.get("src").rsplit("/", 1)[-1].split("-")[0]: img for img in chapter.iter(f"{XHTML}img")}
    alts = [(img.get("alt"), img.get("role")) for img in chapter.iter(f"{XHTML}img")]
    assert alts == [("", None), ("한지 공방의 작업대", None), ("", "presentation")], images
    assert not any("data-undescribed" in img.attrib for img in chapter.iter(f"{XHTML}img"))
    notice = chapter.find(f".//{XHTML}aside[@role='note']")
    assert notice is not None and "notice--info" in notice.get("class")
    assert [th.get("scope") for th in chapter.iter(f"{XHTML}th")] == ["col", "col"]
    noteref = chapter.find(f".//{XHTML}a[@role='doc-noteref']")
    assert noteref is not None and noteref.get(f"{EPUB}type") == "noteref"
    note = chapter.find(f".//{XHTML}aside[@role='doc-footnote']")
    assert note is not None and note.get(f"{EPUB}type") == "footnote"
    assert noteref.get("href") == "#" + note.get("id")
    nav = etree.fromstring(next(v for k, v in texts.items() if k.endswith("nav.xhtml")).encode())
    landmarks = nav.find(f".//{XHTML}nav[@{EPUB}type='landmarks']")
    # The generated cover page (the post has no teaser) is a landmark too.
    assert [a.get(f"{EPUB}type") for a in landmarks.iter(f"{XHTML}a")] == ["cover", "bodymatter"]


def test_author_text_colours_reach_aa_contrast() -> None:
    from lxml import html

    from converter.writers.accessibility import prepare_body

    root = html.fromstring('<div><b style="color: #c28b0d">노란 글</b>'
                           '<span style="color:#000">검은 글</span>'
                           '<em style="color: red">빨간 글</em>'
                           '<i style="background-color:#ffe; color:#eee">배경도 정한 글</i></div>')
    prepare_body(root)
    styles = [element.get("style") for element in root]
    assert styles[0] == "color: #976c0a"  # same hue, 4.6:1 on white (was 3:1)
    assert styles[1:] == ["color:#000", "color: #eb0000", "background-color:#ffe; color:#eee"]
