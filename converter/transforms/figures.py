"""Figures: ``<figure class="half|third">`` groups, single-image figures, image-link wrappers.

minimal-mistakes writes image pairs and triples as ``<figure class="half">`` with ``<a><img></a>``
children and one ``<figcaption>``. They become a ``figure-group cols-N`` laid out side by side
with the caption under the whole group. Links that only wrap their own image are unwrapped: a
book has no lightbox, and EPUB forbids links to non-spine images. An image alone in a paragraph
becomes a ``figure``.
"""

from __future__ import annotations

from lxml import etree, html

from . import TransformContext, transform

_COLUMN_CLASSES = {"half": 2, "third": 3, "quarter": 4}
WIDTH_FRACTION_ATTRIBUTE = "data-width-fraction"
_MAX_COLUMNS = 6


def unwrap_image_links(root: html.HtmlElement) -> None:
    """Drop ``<a>`` elements whose only content is one image (lightbox links)."""
    for link in list(root.iter("a")):
        children = [c for c in link if isinstance(c.tag, str)]
        if (len(children) == 1 and children[0].tag == "img" and not (link.text or "").strip()
                and not (children[0].tail or "").strip()):
            link.drop_tag()


def make_group(images: list[html.HtmlElement], columns: int,
               caption: html.HtmlElement | None, extra_classes: str = "") -> html.HtmlElement:
    """Build a ``figure-group cols-N`` from images (rows of ``columns`` cells)."""
    columns = max(1, min(columns, _MAX_COLUMNS))
    figure = html.Element("figure", {"class": f"figure-group cols-{columns} {extra_classes}".strip()})
    for start in range(0, len(images), columns):
        row = etree.SubElement(figure, "div", {"class": "figure-row"})
        for img in images[start:start + columns]:
            cell = etree.SubElement(row, "div", {"class": "figure-cell"})
            img.tail = None
            img.set(WIDTH_FRACTION_ATTRIBUTE, f"{1 / columns:.4f}")
            cell.append(img)
    if caption is not None:
        caption.tail = None
        figure.append(caption)
    return figure


def _columns_for(figure: html.HtmlElement, count: int) -> int:
    for cls in (figure.get("class") or "").split():
        if cls in _COLUMN_CLASSES:
            return _COLUMN_CLASSES[cls]
    return min(count, 3) if count > 1 else 1


def _is_lone_image_paragraph(p: html.HtmlElement) -> bool:
    children = [c for c in p if isinstance(c.tag, str)]
    if len(children) != 1 or children[0].tag != "img":
        return False
    return not (p.text or "").strip() and not (children[0].tail or "").strip()


@transform("figures", priority=90)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Normalise figures and image-only paragraphs to the HTML contract."""
    unwrap_image_links(root)
    for figure in list(root.iter("figure")):
        images = list(figure.iter("img"))
        if not images:
            continue
        caption = figure.find(".//figcaption")
        columns = _columns_for(figure, len(images))
        if columns == 1 and len(images) == 1:
            new = html.Element("figure", {"class": "figure"})
            new.append(images[0])
            images[0].tail = None
            style = figure.get("style")
            if style:
                new.set("style", style)
        else:
            new = make_group(images, columns, None)
        # Keep any prose the author put in the figure (besides the images and caption).
        for child in list(figure):
            if child is caption or child.tag == "img":
                continue
            if child.text_content().strip() and not list(child.iter("img")):
                new.append(child)
        if caption is not None:
            caption.tail = None
            new.append(caption)
        new.tail = figure.tail
        figure.getparent().replace(figure, new)
    for p in list(root.iter("p")):
        if _is_lone_image_paragraph(p) and p.getparent() is not None:
            img = p[0]
            img.tail = None
            # Classes and id a kramdown IAL gave the paragraph go to the figure.
            classes = " ".join(["figure", *(p.get("class") or "").split()])
            figure = html.Element("figure", {"class": classes})
            if p.get("id"):
                figure.set("id", p.get("id"))
            figure.append(img)
            figure.tail = p.tail
            p.getparent().replace(p, figure)
    for img in root.iter("img"):
        if img.get(WIDTH_FRACTION_ATTRIBUTE) is None:
            img.set(WIDTH_FRACTION_ATTRIBUTE, "1")
