"""EPUB accessibility: what the book offers (surveyed from its own markup), the EPUB
Accessibility 1.1 metadata that says so, and the EPUB-only semantic markup.

The metadata is true to the book: ``alternativeText`` only when every image that is not
decoration has a description, ``MathML`` only with formulas, ``printPageNumbers`` only with
a page list (:mod:`converter.writers.page_list`), and ``dcterms:conformsTo`` only when the
checks hanji can make pass (every image described or decorative, every formula with its TeX as
``alttext``, no possibly flashing animation). ``a11y:certifiedBy`` names hanji and says the
checks were automated: no person evaluated the book.

Knows EPUB (EbookLib, OPF, XHTML) but nothing about PDF.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree, html

from ..transforms.alt_text import UNDESCRIBED
from .base import atomic_output
from .zip_rewrite import rewrite_zip

#: What the book claims when the checks pass (EPUB Accessibility 1.1, section 4).
CONFORMANCE = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA"
CERTIFIER = "hanji (automated checks; not evaluated by a person)"

#: The accessibility summary, by primary language (``{…}`` filled from the facts).
_SUMMARY = {
    "ko": {
        "base": "이 전자책은 제목 구조와 목차로 탐색할 수 있고, 읽는 순서가 글의 순서와 같으며, "
                "글자 크기와 글꼴, 색을 바꿔 읽을 수 있습니다.",
        "described": "그림 {images}개에는 모두 설명(대체 텍스트)이 있습니다.",
        "undescribed": "그림 {images}개 가운데 {undescribed}개에는 설명(대체 텍스트)이 없습니다.",
        "math": "수식은 MathML이며 TeX 원문을 대체 텍스트로 함께 제공합니다.",
        "pages": "인쇄본(PDF)과 같은 쪽 번호로 이동할 수 있습니다.",
        "conforms": "자동 검사 기준으로 EPUB 접근성 1.1(WCAG 2.2 AA)을 충족합니다.",
        "flashing": "움직이는 그림이 있어 깜빡임 위험 여부를 알 수 없습니다.",
    },
    "en": {
        "base": "This ebook can be navigated by its headings and table of contents, its reading "
                "order is the order of the text, and its text size, fonts and colours can be "
                "changed.",
        "described": "All {images} images have a description (alternative text).",
        "undescribed": "{undescribed} of {images} images have no description (alternative "
                       "text).",
        "math": "Formulas are MathML, with their TeX source as alternative text.",
        "pages": "Page numbers of the printed edition (PDF) can be used to navigate.",
        "conforms": "By automated checks, it meets EPUB Accessibility 1.1 (WCAG 2.2 AA).",
        "flashing": "It contains animated images: whether they flash is not known.",
    },
}
#: Labels of the navigation document's landmarks and page list.
LANDMARK_LABELS = {
    "ko": {"landmarks": "길잡이", "bodymatter": "본문", "pages": "쪽 목록", "cover": "표지"},
    "en": {"landmarks": "Landmarks", "bodymatter": "Start of content", "pages": "Pages",
           "cover": "Cover"},
}


def labels(lang: str, table: dict[str, dict[str, str]]) -> dict[str, str]:
    """The labels for ``lang`` (its primary subtag), else English."""
    return table.get(lang.split("-")[0].lower(), table["en"])


@dataclass
class Facts:
    """What a book offers a reader who cannot see it, counted from its markup."""

    lang: str
    images: int = 0  # images that are not decoration
    undescribed: int = 0  # of those, without a description
    decorative: int = 0
    formulas: int = 0
    formulas_without_alt: int = 0
    animated: bool = False
    page_list: bool = False

    @property
    def all_described(self) -> bool:
        return self.undescribed == 0

    @property
    def conforms(self) -> bool:
        """Whether every check hanji can make passes."""
        return self.all_described and self.formulas_without_alt == 0 and not self.animated

    def features(self) -> list[str]:
        """``schema:accessibilityFeature`` values."""
        out = ["structuralNavigation", "tableOfContents", "readingOrder",
               "displayTransformability"]
        if self.images and self.all_described:
            out.append("alternativeText")
        if self.formulas:
            out.append("MathML")
            if self.formulas_without_alt == 0:
                out.append("describedMath")
        if self.page_list:
            out += ["pageNavigation", "printPageNumbers"]
        return out

    def hazards(self) -> list[str]:
        """``schema:accessibilityHazard`` values."""
        if self.animated:
            return ["unknownFlashingHazard", "noMotionSimulationHazard", "noSoundHazard"]
        return ["none"]

    def access_modes(self) -> list[str]:
        return ["textual", "visual"] if self.images else ["textual"]

    def sufficient(self) -> list[str]:
        """``schema:accessModeSufficient`` sets (comma-separated modes)."""
        if not self.images:
            return ["textual"]
        return ["textual,visual", "textual"] if self.all_described else ["textual,visual"]

    def summary(self) -> str:
        """``schema:accessibilitySummary`` in the book's language."""
        text = labels(self.lang, _SUMMARY)
        parts = [text["base"]]
        if self.images:
            key = "described" if self.all_described else "undescribed"
            parts.append(text[key].format(images=self.images, undescribed=self.undescribed))
        if self.formulas:
            parts.append(text["math"])
        if self.page_list:
            parts.append(text["pages"])
        if self.animated:
            parts.append(text["flashing"])
        if self.conforms:
            parts.append(text["conforms"])
        return " ".join(parts)


def survey(bodies: Iterable[html.HtmlElement], lang: str, *, animated: bool = False) -> Facts:
    """Count images (described, undescribed, decorative) and formulas in the chapter bodies."""
    facts = Facts(lang=lang, animated=animated)
    for body in bodies:
        for element in body.iter("img", "math", "span"):
            if element.tag == "img":
                if element.get("role") in {"presentation", "none"}:
                    facts.decorative += 1
                    continue
                facts.images += 1
                if f"data-{UNDESCRIBED}" in element.attrib or not (element.get("alt") or "").strip():
                    facts.undescribed += 1
            elif element.tag == "math":
                facts.formulas += 1
                if not (element.get("alttext") or _tex_of(element)):
                    facts.formulas_without_alt += 1
    return facts


def _tex_of(math: html.HtmlElement) -> str:
    for ancestor in math.iterancestors():
        if ancestor.get("data-tex"):
            return ancestor.get("data-tex") or ""
    return ""


#: ``color: #rgb | #rrggbb | rgb(r, g, b) | a CSS colour name`` in a style attribute (not
#: ``background-color``).
_COLOR = re.compile(r"(?<![-\w])(color\s*:\s*)(#[0-9a-fA-F]{6}\b|#[0-9a-fA-F]{3}\b|"
                    r"rgb\(\s*\d+\s*,\s*\d+\s*,\s*\d+\s*\)|[a-zA-Z]+\b)")
_MIN_CONTRAST = 4.6  # 4.5:1 with a margin for rounding


def _luminance(rgb: tuple[float, float, float]) -> float:
    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _readable_color(match: re.Match[str]) -> str:
    """The matched colour, darkened (same hue) until it reaches :data:`_MIN_CONTRAST` on white."""
    from PIL import ImageColor

    try:
        rgb = tuple(c / 255 for c in ImageColor.getrgb(match.group(2))[:3])
    except ValueError:  # inherit, currentColor, a name Pillow does not know
        return match.group(0)
    factor = 1.0
    while 1.05 / (_luminance(tuple(c * factor for c in rgb)) + 0.05) < _MIN_CONTRAST:  # type: ignore[arg-type]
        factor -= 0.02
    if factor == 1.0:
        return match.group(0)
    return match.group(1) + "#" + "".join(f"{round(c * factor * 255):02x}" for c in rgb)


def prepare_body(root: html.HtmlElement) -> None:
    """EPUB-only semantic markup, on the writer's copy of a chapter body:

    * minimal-mistakes notices (``div.notice``): ``aside role="note"``, same classes (the
      theme styles them by class);
    * footnote references: ``role="doc-noteref"`` (and ``epub:type="noteref"``);
    * the notes: each ``li`` of ``div.footnotes`` holds an ``aside role="doc-footnote"``
      (``epub:type="footnote"``) with the note's id, so readers can show it as a pop-up
      (the list becomes a ``section``; ``doc-endnotes`` is deprecated in DPUB-ARIA 1.1);
    * formulas: the TeX source as the ``math`` element's ``alttext``;
    * the transforms' ``data-undescribed`` flag is dropped (it was for counting);
    * text colours the author set (``style="color: #c28b0d"``) are darkened, same hue, to a
      4.5:1 contrast on the white page (WCAG AA).
    """
    for img in root.iter("img"):
        img.attrib.pop(f"data-{UNDESCRIBED}", None)
    for box in list(root.iter("div")):
        classes = (box.get("class") or "").split()
        if any(cls == "notice" or cls.startswith("notice--") for cls in classes):
            box.tag = "aside"
            box.set("role", "note")
    for sup in root.iter("sup"):
        if "footnote-ref" in (sup.get("class") or "").split():
            for link in sup.iter("a"):
                link.set("role", "doc-noteref")
                link.set("epub:type", "noteref")
    for box in list(root.iter("div")):
        if "footnotes" not in (box.get("class") or "").split():
            continue
        box.tag = "section"
        for item in box.iter("li"):
            if item.get("id") is None or (len(item) == 1 and item[0].tag == "aside"):
                continue
            aside = html.Element("aside", {"id": item.attrib.pop("id"),
                                           "role": "doc-footnote", "epub:type": "footnote"})
            aside.text, item.text = item.text, None
            for child in list(item):
                aside.append(child)
            item.append(aside)
    for element in root.iter():
        style = element.get("style") if isinstance(element.tag, str) else None
        if style and "color" in style and "background" not in style:
            element.set("style", _COLOR.sub(_readable_color, style))
    for math in root.iter("math"):
        if not math.get("alttext"):
            tex = _tex_of(math)
            if tex:
                math.set("alttext", " ".join(tex.split()))


def add_metadata(eb: Any, facts: Facts) -> None:
    """EPUB Accessibility 1.1 metadata on an EbookLib book (before it is written)."""

    def meta(prop: str, value: str) -> None:
        eb.add_metadata(None, "meta", value, {"property": prop})

    for mode in facts.access_modes():
        meta("schema:accessMode", mode)
    for modes in facts.sufficient():
        meta("schema:accessModeSufficient", modes)
    for feature in facts.features():
        meta("schema:accessibilityFeature", feature)
    for hazard in facts.hazards():
        meta("schema:accessibilityHazard", hazard)
    meta("schema:accessibilitySummary", facts.summary())
    if facts.conforms:
        meta("dcterms:conformsTo", CONFORMANCE)
        meta("a11y:certifiedBy", CERTIFIER)


def landmarks(eb: Any, lang: str, first_chapter: Any, nav_file: str | None,
              cover_file: str | None = None) -> dict[str, Any]:
    """Landmarks for the navigation document (EbookLib's guide) and the writer options that
    title them. ``nav_file`` only when the navigation document is in the spine (links to
    non-spine documents are errors); ``cover_file``: the cover page, when there is one."""
    text = labels(lang, LANDMARK_LABELS)
    eb.guide = [{"type": "cover", "href": cover_file, "title": text["cover"]}] if cover_file else []
    if nav_file:
        eb.guide.append({"type": "toc", "href": nav_file, "title": eb.title})
    if first_chapter is not None:
        eb.guide.append({"type": "bodymatter", "href": first_chapter.file_name,
                         "title": text["bodymatter"]})
    return {"epub3_landmark": True, "landmark_title": text["landmarks"]}


def is_animated(path: Path) -> bool:
    """Whether an image file holds more than one frame (animated GIF, APNG, WebP)."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return bool(getattr(image, "is_animated", False))
    except (OSError, ValueError):
        return False


def finish_package(path: Path, lang: str) -> None:
    """Mark the package document's language (``xml:lang`` on ``<package>``, which EbookLib
    does not write), rewriting the EPUB at ``path`` in place."""
    rewrite_epub(path, {"opf": lambda tree: tree.getroot().set(
        "{http://www.w3.org/XML/1998/namespace}lang", lang)})


def rewrite_epub(path: Path, editors: dict[str, Any]) -> None:
    """Rewrite members of the EPUB at ``path``: ``editors`` maps ``"opf"``, ``"nav"`` or a
    member name to a function editing its parsed XML tree in place. The mimetype stays first
    and stored; the other members are copied as they are (:mod:`.zip_rewrite`)."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        opf_name = next(name for name in names if name.endswith(".opf"))
        nav_name = _nav_name({opf_name: archive.read(opf_name)}, opf_name)
        keys = {"opf": opf_name, "nav": nav_name}
        replaced: dict[str, bytes] = {}
        for name in names:
            edit = editors.get(name)
            for key, member in keys.items():
                if member == name and key in editors:
                    edit = editors[key]
            if edit is not None:
                tree = etree.ElementTree(etree.fromstring(archive.read(name)))
                edit(tree)
                replaced[name] = etree.tostring(tree, xml_declaration=True, encoding="utf-8",
                                                doctype=tree.docinfo.doctype or None)
    data = rewrite_zip(path, replaced)
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)


def _nav_name(members: dict[str, bytes], opf_name: str) -> str | None:
    opf = etree.fromstring(members[opf_name])
    for item in opf.iter("{http://www.idpf.org/2007/opf}item"):
        if "nav" in (item.get("properties") or "").split():
            base = opf_name.rsplit("/", 1)[0] + "/" if "/" in opf_name else ""
            return base + (item.get("href") or "")
    return None
