"""What hanji reads and changes of WeasyPrint's laid-out pages beyond its public API.

A book laid out chapter by chapter (:mod:`converter.writers.pdf.jobs`) needs each page's text
area (``Page._page_box``), to leave the page background to the frame, and to rewrite links
(``Page.links``). These are internals: checked against WeasyPrint 70, and used only where
:func:`converter.writers.patches.install` has passed its version check (the PDF writer lays a
book out as one document otherwise).
"""

from __future__ import annotations

from typing import Any

#: PDF points per CSS pixel (WeasyPrint's PDF scale at zoom 1).
PT_PER_PX = 0.75

Area = tuple[float, float, float, float]  # content box x, y (from the top), width, height: pt


def content_area(page: Any) -> Area:
    """The page's text area (its page box's content box), in points from the top left."""
    box = page._page_box
    return (box.content_box_x() * PT_PER_PX, box.content_box_y() * PT_PER_PX,
            box.width * PT_PER_PX, box.height * PT_PER_PX)


def drop_background(page: Any) -> None:
    """Draw no page background on ``page`` (the frame draws it)."""
    page._page_box.background = None


def links(page: Any) -> list[tuple[str, str, Any, Any]]:
    """The page's links: (kind, target, rectangle, box)."""
    return list(page.links)


def set_links(page: Any, new: list[tuple[str, str, Any, Any]]) -> None:
    """Replace the page's links."""
    page.links = new
