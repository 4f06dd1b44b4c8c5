"""Layout jobs of a book laid out chapter by chapter: one chapter, or one part of the frame.

Each job lays out one document (:mod:`.engine`), writes its PDF and a description of it for
the cache and the merge (:mod:`.layout_cache`). Jobs are module-level functions of plain
values, so that they run in helper processes (:class:`~converter.processes.WarmProcess`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ...diagnostics import Diagnostics, collect_library_warnings
from ...press.variant import weasyprint_options
from ..base import atomic_output
from ..page_list import page_starts
from ..patches import pages
from ..patches.font_subset import FontUse, recording_subsets
from ..patches.margin_boxes import without_margin_boxes
from ..patches.pages import PT_PER_PX
from .engine import render_document, write_document
from .frame import PAGE_ID
from .layout_cache import ChapterLayout, FrameLayout, L, describe

#: Links to an anchor in another chapter leave the chapter's layout as URIs with this scheme;
#: :func:`~.merge.merge_book` turns them into links to the book's named destination.
CROSS_LINK_SCHEME = "x-hanji-anchor:"


def _render(source: str, stylesheet: str, base_url: str, roots: list[Path],
            error_path: Path | None, *, extra_css: str = "") -> tuple[Any, Any]:
    """:func:`~.engine.render_document` with the book's shared stylesheet; internal links to
    anchors the document lacks (they are in other documents of the book) become
    :data:`CROSS_LINK_SCHEME` links, which WeasyPrint keeps and :func:`~.merge.merge_book`
    resolves."""
    document, fetcher = render_document(source, base_url, roots, error_path,
                                        stylesheet=stylesheet, extra_css=extra_css)
    names = {name for page in document.pages for name in page.anchors}
    for page in document.pages:
        pages.set_links(page, [(("external", CROSS_LINK_SCHEME + target, rect, link_box)
                                if kind == "internal" and target not in names
                                else (kind, target, rect, link_box))
                               for kind, target, rect, link_box in pages.links(page)])
    return document, fetcher


def _anchors(document: Any) -> list[tuple[str, int, float, float]]:
    """Every anchor once (the first wins, as in WeasyPrint), in PDF points."""
    seen: set[str] = set()
    anchors = []
    for index, page in enumerate(document.pages):
        for name, (x, y, _, _) in page.anchors.items():
            if name not in seen:
                seen.add(name)
                anchors.append((name, index, x * PT_PER_PX, (page.height - y) * PT_PER_PX))
    return anchors


def _write(document: Any, pdf_path: Path, store: Path, diagnostics: Diagnostics,
           fetcher: Any, tagged: bool = False) -> dict[str, FontUse]:
    """Write the document's PDF (tagged if asked), noting the glyphs of each embedded font
    (fonts to ``store``)."""
    with recording_subsets(store) as fonts:
        write_document(document, pdf_path, fetcher, diagnostics,
                       weasyprint_options(None, tagged))
    return fonts


def _describe(layout: L) -> L:
    """Store the layout's description next to its PDF (with the PDF's size and checksum)."""
    with atomic_output(layout.path.with_suffix(".json")) as tmp:
        tmp.write_text(describe(layout), encoding="utf-8")
    return layout


def layout_chapter(source: str, stylesheet: str, base_url: str, roots: list[Path],
                   tagged: bool, pdf_path: Path, store: Path,
                   error_path: Path | None) -> ChapterLayout:
    """Lay out one chapter document without margin boxes or page background (the frame's),
    write its PDF to ``pdf_path`` and a description next to it (for :class:`LayoutCache`);
    fonts go to ``store``. Module-level, of plain values, for a
    :class:`~converter.processes.WarmProcess`."""
    diagnostics = Diagnostics()
    with collect_library_warnings("weasyprint", diagnostics, "PDF: "):
        with without_margin_boxes():
            document, fetcher = _render(source, stylesheet, base_url, roots, error_path)
        for page in document.pages:
            pages.drop_background(page)  # the frame draws it, on the right hand
        fonts = _write(document, pdf_path, store, diagnostics, fetcher, tagged)
    return _describe(ChapterLayout(
        path=pdf_path, areas=[pages.content_area(p) for p in document.pages],
        anchors=_anchors(document),
        bookmarks=document.make_bookmark_tree(scale=PT_PER_PX, transform_pages=True),
        fonts=fonts, warnings=[w.message for w in diagnostics.warnings],
        starts=page_starts(document)))



def layout_frame(source: str, stylesheet: str, extra_css: str, base_url: str,
                 roots: list[Path], tagged: bool, pdf_path: Path, store: Path,
                 error_path: Path | None) -> FrameLayout:
    """Lay out a part of the frame (:mod:`.frame`) and find which of its pages stand for
    which chapter page, from the ids of its empty blocks (:func:`page_id`)."""
    diagnostics = Diagnostics()
    with collect_library_warnings("weasyprint", diagnostics, "PDF: "):
        document, fetcher = _render(source, stylesheet, base_url, roots, error_path,
                                    extra_css=extra_css)
        fonts = _write(document, pdf_path, store, diagnostics, fetcher, tagged)
    owners: list[tuple[int, int] | None] = [None] * len(document.pages)
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            match = PAGE_ID.fullmatch(name)
            if match:
                owners[index] = (int(match[1]), int(match[2]) - 1)
    return _describe(FrameLayout(
        path=pdf_path, areas=[pages.content_area(p) for p in document.pages],
        anchors=_anchors(document),
        bookmarks=document.make_bookmark_tree(scale=PT_PER_PX, transform_pages=True),
        fonts=fonts, warnings=[w.message for w in diagnostics.warnings], owners=owners,
        starts=page_starts(document)))
