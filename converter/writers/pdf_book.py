"""Books laid out chapter by chapter, in parallel and cached, then merged into one PDF.

WeasyPrint lays out one document in one process: a 560-page book takes about a minute, and an
edit to one post would re-run all of it. So the PDF writer lays a book out as many documents,
spread over its helper processes and cached on disk (:class:`LayoutCache`, keyed by HTML and
CSS), so that a rebuild lays out only what changed:

* each chapter alone (:func:`layout_chapter`), without margin boxes or page background;
* the *frame* (:func:`layout_frame`), which carries what depends on the whole book:
  the front matter (cover, title page, TOC: its page numbers are counted here and shown through
  ``data-page``, ``frame.css``), and for each chapter its header, invisible (for the running
  heads' ``string-set``), with one empty block per page the chapter took. A chapter's frame
  starts at its first page number (``@page :first { counter-reset: page N }``), after a
  throw-away page when it starts on a left-hand page. Page numbers, running heads and page
  backgrounds all come from the theme's own ``@page`` rules;
* :func:`merge_book` (pikepdf, i.e. qpdf) lays each chapter page over its frame page, moved
  sideways when the chapter was laid out for the other hand; makes one destination tree and one
  outline; points links between chapters at their targets; keeps each shared image once and
  each font once, subset to the glyphs of the whole book.

A chapter is laid out as if it began on a right-hand page. That is exact while left and right
pages have text areas of one size, which :func:`merge_book` checks page by page; where they
differ (a theme with asymmetric margins, ``@page :first`` rules, chapters forced to a right-hand
page) :class:`FrameMismatch` is raised and the writer lays the book out as one document
instead. CSS counters other than pages and footnotes do not run across chapters.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import hashlib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any, Self, TypeVar

from ..diagnostics import Diagnostics, collect_library_warnings
from ..errors import OutputError
from ..processes import Call, WarmProcess, run_spread
from .base import atomic_output
from .font_subset import FontUse, font_file, recording_subsets

log = logging.getLogger(__name__)

#: PDF points per CSS pixel (WeasyPrint's PDF scale at zoom 1).
PT_PER_PX = 0.75
#: Links to an anchor in another chapter leave the chapter's layout as URIs with this scheme;
#: :func:`merge_book` turns them into links to the book's named destination.
CROSS_LINK_SCHEME = "x-hanji-anchor:"
#: Bump when what a cached chapter layout holds, or how it is made, changes.
LAYOUT_VERSION = 1
#: Cached layouts unused this long are deleted (:meth:`LayoutCache.prune`).
MAX_AGE_DAYS = 30
#: Tolerance, in points, when comparing a chapter's text area with its frame page's.
_AREA_TOLERANCE = 0.05

Area = tuple[float, float, float, float]  # content box x, y (from the top), width, height: pt


class FrameMismatch(OutputError):
    """A chapter's pages do not fit its frame pages (text areas of another size)."""


@dataclass
class ChapterLayout:
    """One chapter laid out alone: its PDF and what the merge needs to know of it."""

    path: Path
    #: Text area of each page, in points from the top-left corner.
    areas: list[Area]
    #: Named destinations: (name, page index, x, y) in PDF points.
    anchors: list[tuple[str, int, float, float]]
    #: WeasyPrint's bookmark tree, in PDF points: (label, (page, x, y), children, state).
    bookmarks: list[Any]
    #: The embedded fonts, by PDF font name.
    fonts: dict[str, FontUse]
    warnings: list[str] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return len(self.areas)

    def to_json(self) -> str:
        data = dataclasses.asdict(self)
        data["path"] = self.path.name
        return json.dumps(data, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, directory: Path) -> Self:
        data = json.loads(text)
        data["path"] = directory / data["path"]
        data["areas"] = [tuple(a) for a in data["areas"]]
        data["anchors"] = [tuple(a) for a in data["anchors"]]
        data["fonts"] = {name: FontUse(**use) for name, use in data["fonts"].items()}
        if "owners" in data:
            data["owners"] = [tuple(o) if o is not None else None for o in data["owners"]]
        return cls(**data)


@dataclass
class FrameLayout(ChapterLayout):
    """The frame: also which chapter page (chapter index, page index) each page carries."""

    owners: list[tuple[int, int] | None] = field(default_factory=list)


class LayoutCache:
    """Laid-out documents on disk (``<cache>/pdf/``), by a hash of everything that shapes them:
    their HTML and CSS, the WeasyPrint series and :data:`LAYOUT_VERSION`; fonts in ``fonts/``."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.fonts = directory / "fonts"

    @staticmethod
    def key(*parts: str) -> str:
        import weasyprint

        digest = hashlib.sha256()
        for part in (f"hanji-layout-{LAYOUT_VERSION}", weasyprint.__version__, *parts):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def pdf(self, key: str) -> Path:
        return self.directory / f"{key}.pdf"

    def get(self, key: str, cls: type[L]) -> L | None:
        description = self.pdf(key).with_suffix(".json")
        try:
            data = json.loads(description.read_text(encoding="utf-8"))
            size, digest = data.pop("size"), data.pop("sha256")
            layout = cls.from_json(json.dumps(data), self.directory)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        if not _intact(layout.path, size, digest) or not all(
                font_file(self.fonts, u.sha).is_file() for u in layout.fonts.values()):
            return None  # damaged or cut short: laid out again
        with contextlib.suppress(OSError):
            os.utime(description)  # recently used
        return layout

    def prune(self, max_age_days: float = MAX_AGE_DAYS) -> None:
        """Delete the layouts no build has used for ``max_age_days`` (each edit of a post
        leaves its old layout behind)."""
        cutoff = time.time() - max_age_days * 86400
        for description in self.directory.glob("*.json"):
            with contextlib.suppress(OSError):
                if description.stat().st_mtime < cutoff:
                    description.with_suffix(".pdf").unlink(missing_ok=True)
                    description.unlink()


L = TypeVar("L", bound=ChapterLayout)


# ----------------------------------------------------------------------------- layout jobs

_margins = threading.local()


def _patch_margin_boxes() -> None:
    """Let :func:`_without_margin_boxes` lay pages out without margin boxes (about 10 ms a
    page): chapters get theirs from the frame."""
    from weasyprint import layout

    original = layout.make_margin_boxes
    if getattr(original, "hanji_patched", False):
        return

    def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
        if getattr(_margins, "off", False):
            return iter(())
        return original(context, page, state)

    make_margin_boxes.hanji_patched = True  # type: ignore[attr-defined]
    layout.make_margin_boxes = make_margin_boxes


@contextlib.contextmanager
def _without_margin_boxes() -> Iterator[None]:
    """Layouts in this thread make no margin boxes while the block runs."""
    _patch_margin_boxes()
    _margins.off = True
    try:
        yield
    finally:
        _margins.off = False


def _render(source: str, stylesheet: str, base_url: str, roots: list[Path],
            error_path: Path | None, *, extra_css: str = "") -> tuple[Any, Any]:
    """:func:`~.pdf.render_document` with the book's shared stylesheet; internal links to
    anchors the document lacks (they are in other documents of the book) become
    :data:`CROSS_LINK_SCHEME` links, which WeasyPrint keeps and :func:`merge_book` resolves."""
    from .pdf import render_document

    document, fetcher = render_document(source, base_url, roots, error_path,
                                        stylesheet=stylesheet, extra_css=extra_css)
    names = {name for page in document.pages for name in page.anchors}
    for page in document.pages:
        page.links = [(("external", CROSS_LINK_SCHEME + target, rect, link_box)
                       if kind == "internal" and target not in names
                       else (kind, target, rect, link_box))
                      for kind, target, rect, link_box in page.links]
    return document, fetcher


def _area(page: Any) -> Area:
    box = page._page_box
    return (box.content_box_x() * PT_PER_PX, box.content_box_y() * PT_PER_PX,
            box.width * PT_PER_PX, box.height * PT_PER_PX)


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
           fetcher: Any) -> dict[str, FontUse]:
    """Write the document's PDF, noting the glyphs of each embedded font (fonts to ``store``)."""
    from .pdf import write_document

    with recording_subsets(store) as fonts:
        write_document(document, pdf_path, fetcher, diagnostics)
    return fonts


def _describe(layout: L) -> L:
    """Write the layout's description, with its PDF's size and checksum (checked on reuse)."""
    data = json.loads(layout.to_json())
    pdf = layout.path.read_bytes()
    data.update(size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest())
    with atomic_output(layout.path.with_suffix(".json")) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return layout


def _intact(path: Path, size: object, digest: object) -> bool:
    try:
        data = path.read_bytes()
    except OSError:
        return False
    return len(data) == size and hashlib.sha256(data).hexdigest() == digest


def layout_chapter(source: str, stylesheet: str, base_url: str, roots: list[Path],
                   pdf_path: Path, store: Path, error_path: Path | None) -> ChapterLayout:
    """Lay out one chapter document without margin boxes or page background (the frame's),
    write its PDF to ``pdf_path`` and a description next to it (for :class:`LayoutCache`);
    fonts go to ``store``. Module-level, of plain values, for a
    :class:`~converter.processes.WarmProcess`."""
    diagnostics = Diagnostics()
    with collect_library_warnings("weasyprint", diagnostics, "PDF: "):
        with _without_margin_boxes():
            document, fetcher = _render(source, stylesheet, base_url, roots, error_path)
        for page in document.pages:
            page._page_box.background = None  # the frame draws it, on the right hand
        fonts = _write(document, pdf_path, store, diagnostics, fetcher)
    return _describe(ChapterLayout(
        path=pdf_path, areas=[_area(p) for p in document.pages], anchors=_anchors(document),
        bookmarks=document.make_bookmark_tree(scale=PT_PER_PX, transform_pages=True),
        fonts=fonts, warnings=[w.message for w in diagnostics.warnings]))


_PAGE_ID = re.compile(r"hanji-frame-(\d+)-(\d+)")


def page_id(chapter: int, page: int) -> str:
    """The id of the frame's empty block standing for page ``page`` (from 1) of a chapter."""
    return f"hanji-frame-{chapter}-{page}"


def layout_frame(source: str, stylesheet: str, extra_css: str, base_url: str,
                 roots: list[Path], pdf_path: Path, store: Path,
                 error_path: Path | None) -> FrameLayout:
    """Lay out a part of the frame (see the module doc) and find which of its pages stand for
    which chapter page, from the ids of its empty blocks (:func:`page_id`)."""
    diagnostics = Diagnostics()
    with collect_library_warnings("weasyprint", diagnostics, "PDF: "):
        document, fetcher = _render(source, stylesheet, base_url, roots, error_path,
                                    extra_css=extra_css)
        fonts = _write(document, pdf_path, store, diagnostics, fetcher)
    owners: list[tuple[int, int] | None] = [None] * len(document.pages)
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            match = _PAGE_ID.fullmatch(name)
            if match:
                owners[index] = (int(match[1]), int(match[2]) - 1)
    return _describe(FrameLayout(
        path=pdf_path, areas=[_area(p) for p in document.pages], anchors=_anchors(document),
        bookmarks=document.make_bookmark_tree(scale=PT_PER_PX, transform_pages=True),
        fonts=fonts, warnings=[w.message for w in diagnostics.warnings], owners=owners))


# ------------------------------------------------------------------------------ the book


@dataclass
class MergedPdf:
    """What :func:`lay_out_book` reports back."""

    pages: int
    size: int
    warnings: list[str] = field(default_factory=list)


def is_chapter(element: Any) -> bool:
    """Whether ``element`` is a chapter ``<section>`` of the book's HTML contract."""
    return element.tag == "section" and "chapter" in (element.get("class") or "").split()


def _document(document_tree: Any, children: Sequence[Any], *, head: bool = False) -> str:
    """A document with the book's ``<html>`` and ``<body>`` attributes around ``children``
    (serialised as they are, not copied); with the book's ``<head>`` or just a charset."""
    from lxml import etree, html

    root = html.Element("html", dict(document_tree.attrib))
    if head:  # the stylesheet comes separately (shared, parsed once)
        root.append(etree.Element("head"))
        root[0].extend(copy.deepcopy(c) for c in document_tree.find("head") if c.tag != "style")
    else:
        etree.SubElement(etree.SubElement(root, "head"), "meta", {"charset": "utf-8"})
    body = etree.SubElement(root, "body", dict(document_tree.find("body").attrib))
    body.append(etree.Comment(_CONTENT))
    before, after = html.tostring(root, encoding="unicode",
                                  doctype="<!DOCTYPE html>").split(f"<!--{_CONTENT}-->")
    content = "".join(html.tostring(child, encoding="unicode", with_tail=False)
                      for child in children)
    return before + content + after


#: Where :func:`_document` puts the children's markup.
_CONTENT = "hanji-document-content"


def _front_source(document_tree: Any, sections: Sequence[Any],
                  starts: Sequence[int] | None) -> str:
    """The front matter (cover, title page, TOC) with each TOC entry's page number in
    ``data-page`` (``starts``: each chapter's first page; ``None``: a placeholder as wide)."""
    chapter_of = {}
    for index, section in enumerate(sections):
        header = next((c for c in section if c.tag == "header"), None)
        for element in [section, *(header.iter() if header is not None else ())]:
            if element.get("id"):
                chapter_of[element.get("id")] = index
    front = [copy.deepcopy(child) for child in document_tree.find("body")
             if not is_chapter(child)]
    widest = "9" * len(str(len(sections) * 1000))
    for element in front:
        for link in element.iter("a"):
            href = link.get("href") or ""
            if not href.startswith("#"):
                continue
            chapter = chapter_of.get(href[1:])
            if chapter is not None:
                link.set("data-page", widest if starts is None else str(starts[chapter]))
            elif element.get("id") == "toc":
                raise FrameMismatch(f"the TOC links to {href}, not to a chapter title")
    return _document(document_tree, front, head=True)


def _segment_source(document_tree: Any, section: Any, chapter: int, pages: int,
                    recto: bool) -> str:
    """The frame of one chapter: its header (hidden) and one empty block per page; begun on
    a throw-away page when the chapter starts on a left-hand page."""
    from lxml import etree, html

    children = []
    if not recto:
        children.append(html.Element("div", {"class": "hanji-frame-blank"}))
    frame = html.Element("section", dict(section.attrib))
    etree.SubElement(frame, "div", {"class": "hanji-frame-start", "id": page_id(chapter, 1)})
    header = next((c for c in section if c.tag == "header"), None)
    if header is not None:
        frame.append(copy.deepcopy(header))
        frame[-1].tail = None
    for number in range(2, pages + 1):
        etree.SubElement(frame, "div", {"class": "hanji-frame-page",
                                        "id": page_id(chapter, number)})
    children.append(frame)
    return _document(document_tree, children)


Job = tuple[str, Callable[..., L], type[L], tuple[Any, ...]]


def _run_cached(cache: LayoutCache, processes: Sequence[WarmProcess], jobs: Iterable[Job[L]],
                error_path: Path | None) -> list[L]:
    """Run each ``(key, function, class, arguments)`` job not found in ``cache``, spread over
    ``processes``; ``function(*arguments, pdf_path, store, error_path)`` lays it out. ``jobs``
    is read as processes become free, so a generator can make the next job meanwhile."""
    taken: list[Job[L]] = []
    found: dict[str, L | None] = {}
    missing: list[str] = []

    def calls() -> Iterator[Call]:
        for job in jobs:
            taken.append(job)
            key, function, cls, arguments = job
            if key not in found:
                found[key] = cache.get(key, cls)
                if found[key] is None:
                    missing.append(key)
                    yield (function, (*arguments, cache.pdf(key), cache.fonts, error_path),
                           error_path)

    for key, layout in zip(missing, run_spread(processes, calls()), strict=True):
        found[key] = layout
    return [found[key] for key, _, _, _ in taken]  # type: ignore[misc]


def lay_out_book(document_tree: Any, stylesheet: str, frame_css: str, base_url: str,
                 roots: list[Path], target: Path, directory: Path,
                 processes: Sequence[WarmProcess], error_path: Path | None) -> MergedPdf:
    """Write the book ``document_tree`` to ``target``, chapter by chapter (see the module doc),
    with ``stylesheet`` (the tree's own ``<style>`` is left out of every document) and layouts
    cached in ``directory``."""
    cache = LayoutCache(directory)
    sections = [s for s in document_tree.find("body") if is_chapter(s)]
    started = time.perf_counter()
    frame_sheet = stylesheet + "\n" + frame_css

    def chapter_jobs() -> Iterator[Job[Any]]:
        """Each chapter's job as it is needed, then the front matter's probe."""
        for section in sections:
            source = _document(document_tree, [section])
            yield (cache.key("chapter", stylesheet, source), layout_chapter, ChapterLayout,
                   (source, stylesheet, base_url, roots))
        probe = _front_source(document_tree, sections, None)
        yield (cache.key("frame", frame_sheet, probe), layout_frame, FrameLayout,
               (probe, frame_sheet, "", base_url, roots))

    *chapters, probed = _run_cached(cache, processes, chapter_jobs(), error_path)
    chapter_time = time.perf_counter() - started

    front_pages = probed.pages
    starts: list[int] = []  # each chapter's first page
    for chapter in chapters:
        starts.append(starts[-1] + chapters[len(starts) - 1].pages if starts
                      else front_pages + 1)
    front = _front_source(document_tree, sections, starts)
    frame_jobs = [(cache.key("frame", frame_sheet, front), layout_frame, FrameLayout,
                   (front, frame_sheet, "", base_url, roots))]
    for index, (section, chapter, start) in enumerate(zip(sections, chapters, starts)):
        recto = start % 2 == 1
        source = _segment_source(document_tree, section, index, chapter.pages, recto)
        # The first page shows ``start``; a throw-away page before a left-hand one.
        extra = f"@page :first {{ counter-reset: page {start if recto else start - 1} }}"
        frame_jobs.append((cache.key("frame", frame_sheet, extra, source), layout_frame,
                           FrameLayout, (source, frame_sheet, extra, base_url, roots)))
    frames = _run_cached(cache, processes, frame_jobs, error_path)
    frame_time = time.perf_counter() - started - chapter_time
    parts: list[tuple[FrameLayout, int]] = [(frames[0], 0)]
    if frames[0].pages != front_pages:
        raise FrameMismatch(f"the front matter took {frames[0].pages} pages with its TOC's page "
                            f"numbers, {front_pages} without", path=error_path)
    for index, (segment, chapter, start) in enumerate(zip(frames[1:], chapters, starts)):
        skip = 0 if start % 2 == 1 else 1
        expected = [None] * skip + [(index, page) for page in range(chapter.pages)]
        if segment.owners != expected:
            raise FrameMismatch(f"the frame of chapter {index + 1} does not match its "
                                f"{chapter.pages} pages (the theme adds or moves pages)",
                                path=error_path)
        parts.append((segment, skip))
    cache.prune()
    merged: MergedPdf = run_spread(processes[:1], [
        (merge_book, (parts, chapters, target, cache.fonts), error_path)])[0]
    log.info("PDF: %d chapters laid out in %.1f s, the frame in %.1f s, merged in %.1f s",
             len(chapters), chapter_time, frame_time,
             time.perf_counter() - started - chapter_time - frame_time)
    warnings = list(dict.fromkeys(m for layout in [*chapters, *frames] for m in layout.warnings))
    merged.warnings = warnings + [m for m in merged.warnings if m not in warnings]
    return merged


def merge_book(parts: Sequence[tuple[FrameLayout, int]], chapters: Sequence[ChapterLayout],
               target: Path, store: Path) -> MergedPdf:
    """Lay each chapter page over its frame page and write the book to ``target`` (see the
    module doc), with pikepdf (qpdf). ``parts`` are the frame's documents in order, each with
    the number of its first pages to leave out. Raises :class:`FrameMismatch` when a chapter
    page's text area is not its frame page's."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name, String

    warnings: list[str] = []
    book = pikepdf.new()
    front, _ = parts[0]
    with contextlib.ExitStack() as stack:
        sources = [stack.enter_context(pikepdf.open(chapter.path)) for chapter in chapters]
        shifts: list[float] = []
        owners: list[tuple[int, int] | None] = []
        after = book.make_stream(b"\nQ\n")
        front_pdf = None
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
                    continue
                chapter, number = owner
                fx, fy, fw, fh = frame.areas[index]
                cx, cy, cw, ch = chapters[chapter].areas[number]
                if max(abs(fw - cw), abs(fh - ch), abs(fy - cy)) > _AREA_TOLERANCE:
                    raise FrameMismatch(f"page {number + 1} of chapter {chapter + 1} has a text "
                                        f"area of {cw:.1f}×{ch:.1f} pt, its frame page "
                                        f"{fw:.1f}×{fh:.1f}")
                dx = round(fx - cx, 4)
                book.pages.append(sources[chapter].pages[number])
                page = book.pages[-1]
                form = book.copy_foreign(frame_page.as_form_xobject())
                # The chapter's pages share one resource dictionary: each frame gets a name.
                name = page.add_resource(form, Name.XObject, prefix="HanjiFrame")
                page.contents_add(book.make_stream(
                    f"q {name} Do Q q 1 0 0 1 {dx:.4f} 0 cm\n".encode("ascii")), prepend=True)
                page.contents_add(after)
                shifts.append(dx)
        assert front_pdf is not None

        # Named destinations: the chapters', then the front matter's.
        position = {owner: index for index, owner in enumerate(owners) if owner is not None}
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

        # Links: moved with their page; links to another document made internal.
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
        names = Array()
        for anchor in sorted(destinations):
            names.append(String(anchor))
            names.append(destinations[anchor])
        book.Root.Names = Dictionary(Dests=book.make_indirect(Dictionary(Names=names)))

        # Outline: the front matter's, then each chapter's.
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

        for key, value in front_pdf.docinfo.items():
            book.docinfo[key] = value
        if "/Lang" in front_pdf.Root:
            book.Root.Lang = front_pdf.Root.Lang

        _share_fonts(book, [*(frame for frame, _ in parts), *chapters], store)
        _share_images(book)
        with atomic_output(target) as tmp:
            book.save(tmp, object_stream_mode=pikepdf.ObjectStreamMode.generate,
                      compress_streams=True, stream_decode_level=pikepdf.StreamDecodeLevel.none)
    return MergedPdf(pages=len(book.pages), size=target.stat().st_size, warnings=warnings)


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

    from ..fonts import subset_glyphs

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
