"""Markdown tables whose cells are all images become image grids.

Bloggers lay out photos with tables (``|![a](x)|![b](y)|``). As a table they get borders and
header shading; as a ``figure-group image-grid`` they lay out like the figure pairs. Empty
rows (kramdown header rows such as ``| | |``) are dropped. A table with any text cell stays a table.
"""

from __future__ import annotations

from lxml import html

from . import TransformContext, transform
from .figures import make_group


def _cell_images(cell: html.HtmlElement) -> list[html.HtmlElement] | None:
    """The images of a cell, or None if the cell holds text besides images."""
    images = list(cell.iter("img"))
    text = cell.text_content().strip()
    if text:
        return None
    return images


@transform("image_tables", priority=85)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Replace all-image tables with image grids."""
    for table in list(root.iter("table")):
        rows: list[list[html.HtmlElement]] = []
        widest = 0
        ok = True
        for tr in table.iter("tr"):
            row: list[html.HtmlElement] = []
            for cell in tr:
                if cell.tag not in {"td", "th"}:
                    continue
                images = _cell_images(cell)
                if images is None:
                    ok = False
                    break
                row.extend(images)
            if not ok:
                break
            if row:
                rows.append(row)
                widest = max(widest, len(row))
        if not ok or not rows:
            continue
        caption_el = table.find("caption")
        caption = None
        if caption_el is not None and caption_el.text_content().strip():
            caption = html.Element("figcaption")
            caption.text = caption_el.text_content().strip()
        images = []
        for row in rows:
            images.extend(row)
        if all(len(r) == widest for r in rows):
            group = make_group(images, widest, caption, "image-grid")
        else:
            # Ragged rows: one group row per table row, each as wide as the widest.
            group = make_group([], widest, None, "image-grid")
            for row in rows:
                part = make_group(row, widest, None)
                for r in part.findall("div"):
                    group.append(r)
            if caption is not None:
                group.append(caption)
        group.tail = table.tail
        table.getparent().replace(table, group)
