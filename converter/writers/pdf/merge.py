"""The merge of a book laid out chapter by chapter into one PDF, with pikepdf (qpdf).

Each chapter page is laid over its frame page, moved sideways when the chapter was laid out
for the other hand; the book gets one destination tree and one outline; links between
chapters point at their targets; each shared image is kept once and each font once, subset to
the glyphs of the whole book.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from pathlib import Path
from typing import Any

from ..base import atomic_output
from ..patches.font_subset import FontUse, font_file
from .engine import PdfResult
from .frame import FrameMismatch
from .jobs import CROSS_LINK_SCHEME
from .layout_cache import ChapterLayout, FrameLayout

log = logging.getLogger(__name__)

#: Tolerance, in points, when comparing a chapter's text area with its frame page's.
_AREA_TOLERANCE = 0.05


def merge_book(parts: Sequence[tuple[FrameLayout, int]], chapters: Sequence[ChapterLayout],
               target: Path, store: Path, tagged: bool = False) -> PdfResult:
    """Lay each chapter page over its frame page and write the book to ``target`` (see the
    module doc), with pikepdf (qpdf). ``parts`` are the frame's documents in order, each with
    the number of its first pages to leave out. Raises :class:`FrameMismatch` when a chapter
    page's text area is not its frame page's. ``tagged``: the documents are tagged, and the
    book gets one structure tree (:func:`.tags.merge_structure`)."""
    import pikepdf

    book = pikepdf.new()
    front, _ = parts[0]
    with contextlib.ExitStack() as stack:
        front_pdf, owners, shifts, placed, untagged = _overlay(book, parts, chapters, stack,
                                                              tagged)
        position = {owner: index for index, owner in enumerate(owners) if owner is not None}
        destinations = _destinations(book, front, chapters, position, shifts)
        warnings = _link(book, destinations, shifts)
        _outline(book, front, chapters, position, shifts)
        for key, value in front_pdf.docinfo.items():
            book.docinfo[key] = value
        if tagged:
            from .tags import merge_structure

            merge_structure(book, placed, untagged, front_pdf)
        if "/Lang" in front_pdf.Root:
            book.Root.Lang = front_pdf.Root.Lang

        _share_fonts(book, [*(frame for frame, _ in parts), *chapters], store)
        _share_images(book)
        with atomic_output(target) as tmp:
            book.save(tmp, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                      compress_streams=True, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return PdfResult(pages=len(book.pages), size=target.stat().st_size, warnings=warnings)


def _overlay(book: Any, parts: Sequence[tuple[FrameLayout, int]],
             chapters: Sequence[ChapterLayout] | Mapping[int, ChapterLayout],
             stack: contextlib.ExitStack, tagged: bool
             ) -> tuple[Any, list[tuple[int, int] | None], list[float],
                        list[tuple[Any, int, int]], list[int]]:
    """Append the book's pages to ``book``: each frame page, with the chapter page it stands
    for drawn over it (as an artifact when ``tagged``). Returns the front matter's PDF (open
    while ``stack`` is), which chapter page each page carries, how far each was moved
    sideways, the tagged pages (source PDF, its page index, the book's page index) and the
    pages whose content is no one's (the frame's blank pages)."""
    import pikepdf
    from pikepdf import Name

    sources: dict[int, Any] = {}

    def source(chapter: int) -> Any:
        if chapter not in sources:
            sources[chapter] = stack.enter_context(pikepdf.open(chapters[chapter].path))
        return sources[chapter]

    shifts: list[float] = []
    owners: list[tuple[int, int] | None] = []
    after = book.make_stream(b"\nQ\n")
    front_pdf = None
    placed: list[tuple[Any, int, int]] = []
    untagged: list[int] = []
    for frame, skip in parts:
        frame_pdf = stack.enter_context(pikepdf.open(frame.path))
        front_pdf = front_pdf or frame_pdf
        for index in range(skip, len(frame.owners)):
            owner = frame.owners[index]
            owners.append(owner)
            frame_page = frame_pdf.pages[index]
            if owner is None:
                book.pages.append(frame_page)
                shifts.append(0.0)
                if frame_pdf is front_pdf:
                    placed.append((frame_pdf, index, len(book.pages) - 1))
                else:
                    untagged.append(len(book.pages) - 1)
                continue
            chapter, number = owner
            dx = shift(frame, index, chapters[chapter], chapter, number)
            book.pages.append(source(chapter).pages[number])
            page = book.pages[-1]
            form = book.copy_foreign(frame_page.as_form_xobject())
            # The chapter's pages share one resource dictionary: each frame gets a name.
            name = page.add_resource(form, Name.XObject, prefix="HanjiFrame")
            # The frame (running heads, folios, backgrounds) is an artifact of the page.
            frame_draw = f"/Artifact BMC q {name} Do Q EMC" if tagged else f"q {name} Do Q"
            page.contents_add(book.make_stream(
                f"{frame_draw} q 1 0 0 1 {dx:.4f} 0 cm\n".encode("ascii")), prepend=True)
            page.contents_add(after)
            shifts.append(dx)
            placed.append((source(chapter), number, len(book.pages) - 1))
    assert front_pdf is not None
    return front_pdf, owners, shifts, placed, untagged


def shift(frame: FrameLayout, index: int, layout: ChapterLayout, chapter: int,
          number: int) -> float:
    """How far page ``number`` of chapter ``chapter`` (its ``layout``) moves sideways to sit
    on page ``index`` of ``frame``. Raises :class:`FrameMismatch` when its text area is not
    the frame page's."""
    fx, fy, fw, fh = frame.areas[index]
    cx, cy, cw, ch = layout.areas[number]
    if max(abs(fw - cw), abs(fh - ch), abs(fy - cy)) > _AREA_TOLERANCE:
        raise FrameMismatch(f"page {number + 1} of chapter {chapter + 1} has a text "
                            f"area of {cw:.1f}×{ch:.1f} pt, its frame page "
                            f"{fw:.1f}×{fh:.1f}")
    return round(fx - cx, 4)


def merge_part(frame: FrameLayout, skip: int, chapters: Mapping[int, ChapterLayout],
               target: Path) -> int:
    """One part of the book alone (the front matter, or one chapter on its frame pages) as
    :func:`merge_book` lays its pages out, written to ``target``; returns its page count.

    For a live preview: after an edit only the changed chapter's part is merged again. The
    part keeps its documents' own font subsets, and its links to other parts are not
    resolved (its pages look as in the book)."""
    import pikepdf

    book = pikepdf.new()
    with contextlib.ExitStack() as stack:
        _overlay(book, [(frame, skip)], chapters, stack, tagged=False)
        with atomic_output(target) as tmp:
            book.save(tmp, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return len(book.pages)


def _destinations(book: Any, front: FrameLayout, chapters: Sequence[ChapterLayout],
                  position: dict[tuple[int, int], int], shifts: list[float]) -> dict[str, Any]:
    """Named destinations: the chapters', then the front matter's (the first of a name wins);
    written to the book's name tree."""
    from pikepdf import Array, Dictionary, Name, String

    destinations: dict[str, Any] = {}

    def destination(page: int, x: float, y: float) -> Any:
        return Array([book.pages[page].obj, Name.XYZ, round(x + shifts[page], 4),
                      round(y, 4), 0])

    for chapter_index, layout in enumerate(chapters):
        for anchor, number, x, y in layout.anchors:
            destinations.setdefault(anchor, destination(position[(chapter_index, number)],
                                                        x, y))
    for anchor, number, x, y in front.anchors:
        destinations.setdefault(anchor, destination(number, x, y))
    names = Array()
    for anchor in sorted(destinations):
        names.append(String(anchor))
        names.append(destinations[anchor])
    book.Root.Names = Dictionary(Dests=book.make_indirect(Dictionary(Names=names)))
    return destinations


def _link(book: Any, destinations: dict[str, Any], shifts: list[float]) -> list[str]:
    """Move links with their page; make links to another document of the book internal.
    Returns a warning for each link to an anchor the book lacks (the link is dropped)."""
    from pikepdf import Array, String

    warnings: list[str] = []
    for index, page in enumerate(book.pages):
        if "/Annots" not in page.obj:
            continue
        kept = Array()
        for annotation in page.obj.Annots:
            action = annotation.get("/A")
            uri = str(action.get("/URI", "")) if action is not None else ""
            if uri.startswith(CROSS_LINK_SCHEME):
                anchor = uri[len(CROSS_LINK_SCHEME):]
                if anchor not in destinations:
                    warnings.append(f"PDF: No anchor #{anchor} for internal URI reference")
                    continue
                del annotation["/A"]
                annotation.Dest = String(anchor)
            if shifts[index]:
                x1, y1, x2, y2 = (float(v) for v in annotation.Rect)
                annotation.Rect = Array([x1 + shifts[index], y1, x2 + shifts[index], y2])
            kept.append(annotation)
        page.obj.Annots = kept
    return warnings


def _outline(book: Any, front: FrameLayout, chapters: Sequence[ChapterLayout],
             position: dict[tuple[int, int], int], shifts: list[float]) -> None:
    """The book's outline: the front matter's, then each chapter's."""
    import pikepdf

    with book.open_outline() as outline:
        def add(tree: Sequence[Any], siblings: list[Any],
                place: Callable[[int], int | None]) -> None:
            for label, (number, x, y), children, state in tree:
                merged_page = place(number)
                if merged_page is None:
                    continue
                item = pikepdf.OutlineItem(label, merged_page, "XYZ",
                                           left=round(x + shifts[merged_page], 4),
                                           top=round(y, 4))
                item.is_closed = state == "closed"
                siblings.append(item)
                add(children, item.children, place)

        add(front.bookmarks, outline.root, lambda number: number)
        for chapter_index, layout in enumerate(chapters):
            add(layout.bookmarks, outline.root, partial(_position, position, chapter_index))


def _position(position: dict[tuple[int, int], int], chapter: int, number: int) -> int | None:
    return position.get((chapter, number))


def _resources(book: Any) -> Iterator[Any]:
    """The resource dictionaries of the pages and of the forms they use, each once."""
    seen: set[tuple[int, int]] = set()
    pending = [page.obj.get("/Resources") for page in book.pages]
    while pending:
        resources = pending.pop()
        if resources is None:
            continue
        key = resources.objgen
        if key != (0, 0):
            if key in seen:
                continue
            seen.add(key)
        yield resources
        for xobject in (resources.get("/XObject") or {}).values():
            if xobject.get("/Subtype") == "/Form":
                pending.append(xobject.get("/Resources"))


def _share_images(book: Any) -> None:
    """Point every copy of one image (a post image used in several chapters) at one."""
    first: dict[tuple[bytes, str], Any] = {}
    for resources in _resources(book):
        xobjects = resources.get("/XObject")
        if xobjects is None:
            continue
        for name, image in list(xobjects.items()):
            if image.get("/Subtype") != "/Image" or "/SMask" in image:
                continue
            key = (hashlib.sha256(image.read_raw_bytes()).digest(),
                   repr(sorted((k, repr(v)) for k, v in image.items() if k != "/Length")))
            kept = first.setdefault(key, image)
            if kept.objgen != image.objgen:
                xobjects[name] = kept


def _share_fonts(book: Any, layouts: Sequence[ChapterLayout], store: Path) -> None:
    """Make every embedded subset of one font file point at one subset of the glyphs all the
    documents use (WeasyPrint keeps glyph ids when it subsets, so the widths and text of each
    document stay valid)."""
    from pikepdf import Name

    from ...fonts import subset_glyphs

    by_name: dict[str, FontUse] = {}
    glyphs: dict[tuple[str, int], set[int]] = {}
    notdef: dict[tuple[str, int], bool] = {}
    hinting: dict[tuple[str, int], bool] = {}
    conflicting: set[str] = set()
    for layout in layouts:
        for name, use in layout.fonts.items():
            identity = (use.sha, use.index)
            if name in by_name and (by_name[name].sha, by_name[name].index) != identity:
                conflicting.add(name)
            by_name.setdefault(name, use)
            glyphs.setdefault(identity, set()).update(use.glyphs)
            notdef[identity] = notdef.get(identity, False) or use.notdef_outline
            hinting[identity] = use.hinting
    descriptors: dict[tuple[str, int], list[Any]] = {}
    seen: set[tuple[int, int]] = set()
    for resources in _resources(book):
        for font in (resources.get("/Font") or {}).values():
            name = str(font.get("/BaseFont", ""))
            if font.get("/Subtype") != "/Type0" or name not in by_name or name in conflicting:
                continue
            descriptor = font.DescendantFonts[0].FontDescriptor
            if descriptor.objgen in seen:
                continue
            seen.add(descriptor.objgen)
            use = by_name[name]
            descriptors.setdefault((use.sha, use.index), []).append(descriptor)
    for identity, found in descriptors.items():
        key = next((k for k in ("/FontFile2", "/FontFile3", "/FontFile") if k in found[0]), None)
        if len(found) < 2 or key is None:
            continue
        sha, index = identity
        try:
            data = subset_glyphs(font_file(store, sha).read_bytes(), index,
                                 sorted(glyphs[identity]), hinting=hinting[identity],
                                 notdef_outline=notdef[identity])
        except OSError:
            data = None
        if not data:
            log.debug("could not share font %s: each document keeps its subset", sha[:12])
            continue
        original = found[0][key]
        shared = book.make_stream(data)
        for entry, value in original.items():
            if entry not in ("/Length", "/Filter", "/DecodeParms", "/Length1"):
                shared[entry] = value
        if "/Length1" in original:
            shared[Name.Length1] = len(data)
        for descriptor in found:
            if key in descriptor:
                descriptor[key] = shared
