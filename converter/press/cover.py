"""The wraparound cover of a printed book: back + spine + front + bleed, one PDF.

The spine is as wide as the interior is thick (:func:`~.trim.spine_width`: pages and the
paper's leaf thickness). It carries the title and author: upright, one syllable under the
other, for Korean on a spine of :data:`~.trim.SPINE_VERTICAL` mm or more; otherwise turned a
quarter (read from the top), and nothing under :data:`~.trim.SPINE_TEXT_MIN` mm. The front
is the book's cover image (the teaser) running into the bleed, or a generated design; the
back carries the blurb (``print.blurb`` in book.yml). Geometry is ``cover.css`` (filled in
here), the look is the theme's ``press.css``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import TYPE_CHECKING, Any

from lxml import etree, html

from .trim import SPINE_TEXT_MIN, SPINE_VERTICAL, spine_width

if TYPE_CHECKING:
    from ..book import Book
    from ..images import PreparedImage
    from .trim import PrintPlan

_GEOMETRY = Path(__file__).with_name("cover.css")


@dataclass(frozen=True)
class Layout:
    """What the cover needs of the PDF writer (this package does not import writers)."""

    #: The writer's stylesheet for a text (fonts, theme, print geometry).
    stylesheet: Callable[[str], str]
    #: Lay out an HTML source and write the PDF: ``render(source, extra_roots, target)``.
    render: Callable[[str, list[Path], Path], None]
    #: The interior's page size in mm (the trim).
    page_size: tuple[float, float]


def spine_mode(spine: float, lang: str) -> str:
    """``vertical`` (upright Korean), ``rotated`` or ``none`` for a spine ``spine`` mm wide."""
    if spine < SPINE_TEXT_MIN:
        return "none"
    if lang.lower().startswith("ko") and spine >= SPINE_VERTICAL:
        return "vertical"
    return "rotated"


def cover_document(book: Book, front_image: str | None, spine: float, blurb: str) -> Any:
    """The cover's HTML (without its stylesheet)."""
    meta = book.meta
    doc = html.Element("html", {"lang": meta.lang})
    head = etree.SubElement(doc, "head")
    etree.SubElement(head, "meta", {"charset": "utf-8"})
    etree.SubElement(head, "title").text = meta.title
    etree.SubElement(head, "style")
    body = etree.SubElement(doc, "body", {"class": "wrap-cover press"})
    wrap = etree.SubElement(body, "div", {"class": "wrap"})

    back = etree.SubElement(wrap, "div", {"class": "wrap-panel wrap-back"})
    etree.SubElement(back, "div", {"class": "wrap-art back"})
    if blurb:
        paragraph = etree.SubElement(back, "p", {"class": "wrap-blurb"})
        lines = blurb.strip().splitlines()
        paragraph.text = lines[0] if lines else ""
        for line in lines[1:]:
            etree.SubElement(paragraph, "br").tail = line
    etree.SubElement(back, "p", {"class": "wrap-back-title"}).text = " · ".join(
        part for part in (meta.title, meta.author) if part)

    mode = spine_mode(spine, meta.lang)
    side = etree.SubElement(wrap, "div", {"class": f"wrap-panel wrap-spine {mode}"})
    if mode != "none":
        for role, text in (("title", meta.title), ("author", meta.author)):
            if not text:
                continue
            block = etree.SubElement(side, "p", {"class": f"spine-text spine-{role}"})
            if mode == "vertical":
                for character in text:
                    span = etree.SubElement(block, "span")
                    if character.strip():
                        span.text = character
                    else:  # a space: a half-height gap
                        span.set("class", "gap")
            else:
                block.text = text
        if mode == "rotated" and meta.author:  # one line: "title · author"
            title = side.find("p[@class='spine-text spine-title']")
            author = side.find("p[@class='spine-text spine-author']")
            if title is not None and author is not None:
                title.text = f"{meta.title}  ·  {meta.author}"
                side.remove(author)

    front = etree.SubElement(wrap, "div", {"class": "wrap-panel wrap-front"
                                           + (" with-image" if front_image else "")})
    art = etree.SubElement(front, "div", {"class": "wrap-art" + ("" if front_image
                                                                  else " generated")})
    if front_image:
        etree.SubElement(art, "img", {"src": front_image, "alt": ""})
    etree.SubElement(front, "p", {"class": "wrap-title"}).text = meta.title
    if meta.author:
        etree.SubElement(front, "p", {"class": "wrap-author"}).text = meta.author
    return doc


def write_cover(plan: PrintPlan, layout: Layout, book: Book,
                images: dict[str, PreparedImage], target: Path, *,
                pages: int) -> dict[str, Any]:
    """Lay out and write the cover of a ``pages``-page interior to ``target``; its size."""
    trim_w, trim_h = plan.trim or layout.page_size
    spine = spine_width(pages, plan.caliper)
    prepared = images.get(book.cover.id) if book.cover is not None else None
    front = prepared.path.resolve().as_uri() if prepared is not None else None
    doc = cover_document(book, front, spine, plan.blurb)
    text = " ".join(doc.itertext())
    geometry = Template(_GEOMETRY.read_text(encoding="utf-8")).substitute(
        width=f"{2 * trim_w + spine:g}mm", height=f"{trim_h:g}mm", panel=f"{trim_w:g}mm",
        spine=f"{spine:g}mm", bleed=f"{plan.css_bleed:g}mm", bleed_only=f"{plan.bleed:g}mm",
        marks=plan.marks, spine_font=f"{min(14.0, max(5.0, spine * 0.5 * 72 / 25.4)):.1f}pt")
    doc.find("head/style").text = layout.stylesheet(text) + "\n" + geometry
    roots = [prepared.path.resolve().parent] if prepared is not None else []
    layout.render(html.tostring(doc, encoding="unicode", doctype="<!DOCTYPE html>"), roots,
                  target)
    width = 2 * trim_w + spine + 2 * plan.bleed
    return {"path": str(target), "pages": pages, "spine_mm": spine,
            "caliper_mm": plan.caliper, "spine_text": spine_mode(spine, book.meta.lang),
            "trim_mm": [round(2 * trim_w + spine, 2), trim_h],
            "width_mm": round(width, 2), "height_mm": round(trim_h + 2 * plan.bleed, 2)}

