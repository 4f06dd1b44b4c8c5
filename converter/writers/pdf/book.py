"""Books laid out chapter by chapter, in parallel and cached, then merged into one PDF.

WeasyPrint lays out one document in one process: a 560-page book takes about a minute, and an
edit to one post would re-run all of it. So the PDF writer lays a book out as many documents,
spread over its helper processes and cached on disk (:class:`~.layout_cache.LayoutCache`,
keyed by HTML and CSS), so that a rebuild lays out only what changed:

* each chapter alone (:func:`.jobs.layout_chapter`), without margin boxes or page background;
* the *frame* (:mod:`.frame`, :func:`.jobs.layout_frame`), which carries what depends on the
  whole book: the front matter (cover, title page, TOC: its page numbers are counted here and
  shown through ``data-page``, ``frame.css``), and for each chapter its header, invisible (for
  the running heads' ``string-set``), with one empty block per page the chapter took. A
  chapter's frame starts at its first page number (``@page :first { counter-reset: page N }``),
  after a throw-away page when it starts on a left-hand page. Page numbers, running heads and page
  backgrounds all come from the theme's own ``@page`` rules;
* :func:`.merge.merge_book` (pikepdf, i.e. qpdf) lays each chapter page over its frame page, moved
  sideways when the chapter was laid out for the other hand; makes one destination tree and one
  outline; points links between chapters at their targets; keeps each shared image once and
  each font once, subset to the glyphs of the whole book.

A chapter is laid out as if it began on a right-hand page. That is exact while left and right
pages have text areas of one size, which :func:`.merge.merge_book` checks page by page; where they
differ (a theme with asymmetric margins, ``@page :first`` rules, chapters forced to a right-hand
page) :class:`FrameMismatch` is raised and the writer lays the book out as one document
instead. CSS counters other than pages and footnotes do not run across chapters.

This module runs the jobs (:mod:`.jobs`, through the cache of :mod:`.layout_cache`) and the
merge (:mod:`.merge`) in the helper processes it is given; a live preview defers the merge
(:mod:`.parts`).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from ...processes import Call, WarmProcess, run_spread
from .. import patches
from ..page_list import book_page_starts
from . import jobs as layout_jobs
from . import parts as deferred
from .engine import PdfResult
from .frame import FrameMismatch, document_source, front_source, is_chapter, segment_source
from .layout_cache import ChapterLayout, FrameLayout, L, LayoutCache
from .merge import merge_book

log = logging.getLogger(__name__)


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
                 processes: Sequence[WarmProcess], error_path: Path | None,
                 tagged: bool = False) -> PdfResult:
    """Write the book ``document_tree`` to ``target``, chapter by chapter (see the module doc),
    with ``stylesheet`` (the tree's own ``<style>`` is left out of every document) and layouts
    cached in ``directory``; ``tagged``: PDF/UA-1 (chapters and front matter tagged, the
    structure trees merged, the frame under the chapters an artifact: :mod:`.tags`). Raises
    :class:`FrameMismatch` (lay it out as one document) when WeasyPrint is not the series
    whose internals this reads (:mod:`..patches.pages`)."""
    if not patches.supported():
        raise FrameMismatch("WeasyPrint is not the series hanji lays books out by chapter "
                            "with", path=error_path)
    cache = LayoutCache(directory)
    sections = [s for s in document_tree.find("body") if is_chapter(s)]
    started = time.perf_counter()
    frame_sheet = stylesheet + "\n" + frame_css

    def chapter_jobs() -> Iterator[Job[Any]]:
        """Each chapter's job as it is needed, then the front matter's probe."""
        for section in sections:
            source = document_source(document_tree, [section])
            yield (cache.key("chapter", stylesheet, source, str(tagged)),
                   layout_jobs.layout_chapter, ChapterLayout,
                   (source, stylesheet, base_url, roots, tagged))
        probe = front_source(document_tree, sections, None)
        yield (cache.key("frame", frame_sheet, probe), layout_jobs.layout_frame,
               FrameLayout, (probe, frame_sheet, "", base_url, roots, False))

    *chapters, probed = _run_cached(cache, processes, chapter_jobs(), error_path)
    chapter_time = time.perf_counter() - started

    front_pages = probed.pages
    starts: list[int] = []  # each chapter's first page
    for _ in chapters:
        starts.append(starts[-1] + chapters[len(starts) - 1].pages if starts
                      else front_pages + 1)
    front = front_source(document_tree, sections, starts)
    frame_jobs = [(cache.key("frame", frame_sheet, front, str(tagged)), layout_jobs.layout_frame,
                   FrameLayout, (front, frame_sheet, "", base_url, roots, tagged))]
    for index, (section, chapter, start) in enumerate(zip(sections, chapters, starts)):
        recto = start % 2 == 1
        source = segment_source(document_tree, section, index, chapter.pages, recto)
        # The first page shows ``start``; a throw-away page before a left-hand one.
        extra = f"@page :first {{ counter-reset: page {start if recto else start - 1} }}"
        frame_jobs.append((cache.key("frame", frame_sheet, extra, source),
                           layout_jobs.layout_frame, FrameLayout,
                           (source, frame_sheet, extra, base_url, roots, False)))
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
    if deferred.take(deferred.BookLayout(parts, chapters, target, cache.fonts, tagged)):
        merged = PdfResult(pages=sum(len(f.owners) - skip for f, skip in parts), size=0)
        log.info("PDF: %d chapters laid out in %.1f s, the frame in %.1f s, merge deferred",
                 len(chapters), chapter_time, frame_time)
    else:
        merged = run_spread(processes[:1], [
            (merge_book, (parts, chapters, target, cache.fonts, tagged), error_path)])[0]
        log.info("PDF: %d chapters laid out in %.1f s, the frame in %.1f s, merged in %.1f s",
                 len(chapters), chapter_time, frame_time,
                 time.perf_counter() - started - chapter_time - frame_time)
    warnings = list(dict.fromkeys(m for layout in [*chapters, *frames] for m in layout.warnings))
    merged.warnings = warnings + [m for m in merged.warnings if m not in warnings]
    merged.page_starts = book_page_starts(frames[0].starts,
                                          [segment.owners[skip:] for segment, skip in parts[1:]],
                                          [chapter.starts for chapter in chapters])
    return merged


