"""The preview's state: the builder, the PDF pages, the browsers' event streams, the build queue.

Builds run one at a time on a worker thread: changed files → the chapters that depend on them
(reading views are updated first) → the PDFs of the documents being viewed. A failed build
never stops the server: it becomes a problem shown in the page, and the last good output stays.
"""

from __future__ import annotations

import asyncio
import ctypes
import ctypes.util
import gc
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from ..builder import Builder, ChapterState, Problem
from ..errors import HanjiError
from .pages import PageRenderer
from .views import chapter_files, chapter_html, chapter_ids

log = logging.getLogger(__name__)

#: Documents whose previews are kept up to date without an open page (most recent first).
RECENT_DOCUMENTS = 3
#: Seconds without a build after a layout before memory is handed back to the system.
RELEASE_AFTER = 1.0
#: Seconds a PDF waits for an open reading view to fetch its rebuilt chapter.
READING_HEAD_START = 0.3


def _malloc_trim() -> Callable[[int], int] | None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim  # type: ignore[no-any-return]
    except (OSError, AttributeError):  # not glibc
        return None


_TRIM = _malloc_trim()


def release_memory() -> None:
    """After a layout: collect the laid-out document's cycles and hand the freed heap back to
    the system (glibc keeps it otherwise, and a server's size would creep up edit by edit)."""
    gc.collect()
    if _TRIM is not None:
        _TRIM(0)


class Preview:
    """The server's state: the builder, the PDF pages, the event streams and the build queue."""

    def __init__(self, builder: Builder) -> None:
        self.builder = builder
        self.pages = PageRenderer()
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hanji-build")
        self._subscribers: dict[asyncio.Queue[dict[str, Any]], str] = {}
        #: The streams of open reading views: (document, chapter number).
        self._reading: dict[asyncio.Queue[dict[str, Any]], tuple[str, int]] = {}
        #: Set when a reading view is sent (:meth:`reading_view_sent`).
        self._sent = threading.Event()
        self._recent: OrderedDict[str, None] = OrderedDict()
        self._pdf_wanted: set[str] = set()
        self._pdf_pending: set[str] = set()
        self._pdf_problems: dict[str, Problem] = {}
        #: Documents changed while nobody viewed them: their PDF is rewritten when viewed.
        self._stale: set[str] = set()
        self._changed: set[Path] = set()
        self._wake = asyncio.Event()
        self.stopping = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()
        self.builds = 0
        #: PDFs laid out since memory was last handed back (:func:`release_memory`).
        self._layouts_since_release = 0
        #: Reading views rendered: (document, chapter index) → (chapter version, HTML).
        self._html: dict[tuple[str, int], tuple[int, str]] = {}
        #: Element id → chapter number, per document: (chapter versions, map).
        self._files: dict[str, tuple[tuple[int, ...], dict[str, int]]] = {}
        #: Each built chapter's ids (:func:`chapter_ids`), by its version (unique to a build).
        self._ids: dict[int, list[str]] = {}

    # ------------------------------------------------------------------------- events

    def subscribe(self, key: str, view: str = "", chapter: int = 0
                  ) -> asyncio.Queue[dict[str, Any]]:
        """A stream of events for a page of document ``key`` (``view`` ``epub``: the reading
        view of chapter number ``chapter``)."""
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._subscribers[queue] = key
        if view == "epub":
            self._reading[queue] = (key, chapter)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[dict[str, Any]]) -> None:
        self._subscribers.pop(queue, None)
        self._reading.pop(queue, None)

    def reading_view_sent(self) -> None:
        """Called when a reading view was sent: the PDF waiting for it may be laid out."""
        self._sent.set()

    def _publish(self, event: dict[str, Any]) -> None:
        """Send ``event`` to the streams of its document (all streams if it has none)."""
        doc = event.get("doc")
        for queue, key in list(self._subscribers.items()):
            if doc is None or key == doc or key == "":
                queue.put_nowait(event)

    def publish(self, event: dict[str, Any]) -> None:
        """Thread-safe :meth:`_publish`."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._publish, event)

    def problems_event(self, key: str) -> dict[str, Any]:
        problems = self.problems(key)
        return {"type": "problems", "doc": key, "problems": problems}

    def problems(self, key: str | None) -> list[dict[str, Any]]:
        found = self.builder.problems(key) if key else self.builder.problems()
        with self._lock:
            extra = [self._pdf_problems[key]] if key in self._pdf_problems else []
        return [{"file": str(p.path), "line": p.line, "message": p.message}
                for p in [*found, *extra]]

    # ---------------------------------------------------------------------- documents

    def viewed(self, key: str, *, pdf: bool = False) -> None:
        """Note that ``key`` is being viewed (its previews are kept up to date)."""
        with self._lock:
            self._recent[key] = None
            self._recent.move_to_end(key, last=False)
            while len(self._recent) > RECENT_DOCUMENTS:
                self._recent.popitem()
            if pdf:
                self._pdf_wanted.add(key)

    def active(self) -> set[str]:
        """Documents viewed now or lately."""
        with self._lock:
            return set(self._recent) | set(self._subscribers.values()) - {""}

    # ------------------------------------------------------------------- reading views

    def reading_html(self, key: str, index: int) -> tuple[str, ChapterState | None]:
        """The reading view's HTML of chapter ``index`` of ``key`` (rendered once per version
        of the chapter; the build thread renders rebuilt chapters before it announces them)."""
        builder = self.builder
        state = builder.chapter(key, index)
        if state is None:
            return "", None
        with self._lock:
            cached = self._html.get((key, index))
        if cached is not None and cached[0] == state.version:
            return cached[1], state
        doc = builder.document(key)
        if doc.kind == "book":
            states = builder.chapters(key)
            versions = tuple(s.version for s in states)
            with self._lock:
                known = self._files.get(key)
            if known is None or known[0] != versions:
                ids = []
                for built in states:  # each chapter's ids are found once per version of it
                    found = self._ids.get(built.version)
                    if found is None:
                        found = self._ids[built.version] = chapter_ids(built.chapter)
                    ids.append(found)
                if len(self._ids) > 2 * len(states) + 64:  # replaced chapters' ids go
                    for stale in [v for v in list(self._ids) if v not in versions]:
                        self._ids.pop(stale, None)
                known = (versions, chapter_files([s.chapter for s in states], ids))
                with self._lock:
                    self._files[key] = known
            files = known[1]
        else:
            files = chapter_files([state.chapter])
        text = chapter_html(builder, doc, state.chapter, files)
        with self._lock:
            self._html[(key, index)] = (state.version, text)
        return text, state

    # ------------------------------------------------------------------------ building

    async def run(self) -> None:
        """The build loop: waits for changed files, builds, publishes (until stopped)."""
        self._loop = asyncio.get_running_loop()
        while not self.stopping.is_set():
            if self._layouts_since_release:
                # Memory is handed back once the browsers have fetched the new pages (a full
                # collection holds the interpreter lock for a tenth of a second).
                try:
                    await asyncio.wait_for(self._wake.wait(), RELEASE_AFTER)
                except TimeoutError:
                    self._layouts_since_release = 0
                    await self._loop.run_in_executor(self._executor, release_memory)
                    continue
            else:
                await self._wake.wait()
            self._wake.clear()
            paths, self._changed = self._changed, set()
            pdfs, self._pdf_pending = self._pdf_pending, set()
            try:
                await self._loop.run_in_executor(self._executor, self._rebuild, paths, pdfs)
            except Exception:  # never let a build take the server down
                log.exception("preview build failed")

    def files_changed(self, paths: Iterable[Path]) -> None:
        """Called by the watcher (on the event loop)."""
        self._changed.update(paths)
        self._wake.set()

    def take_stale(self, key: str) -> bool:
        """Whether ``key`` changed while nobody viewed it (and forget that it did)."""
        with self._lock:
            stale = key in self._stale
            self._stale.discard(key)
            return stale

    def want_pdf(self, key: str) -> None:
        """Ask for the PDF of ``key`` to be (re)written."""
        self._pdf_pending.add(key)
        self._wake.set()

    def _rebuild(self, paths: set[Path], pdfs: set[str]) -> None:
        """On the build thread: reading views first, then PDFs."""
        builder = self.builder
        active = self.active()
        changes = builder.changed(paths) if paths else None
        if changes:
            started, cpu = time.perf_counter(), time.thread_time()
            rebuilt: dict[str, list[int]] = {}
            for key, index in sorted(changes.chapters):
                if key in active:
                    builder.rebuild(key, index)
                    rebuilt.setdefault(key, []).append(index + 1)
                else:
                    builder.forget(key, index)
                    with self._lock:
                        self._stale.add(key)
            for key, numbers in rebuilt.items():
                for number in numbers:
                    self.reading_html(key, number - 1)
            self._sent.clear()
            reading = set(self._reading.values()) & {
                (key, number) for key, numbers in rebuilt.items() for number in numbers}
            for key in changes.documents & active | set(rebuilt):
                self.publish({"type": "epub", "doc": key, "chapters": rebuilt.get(key, [])})
                self.publish(self.problems_event(key))
            if changes.stylesheet:
                self.publish({"type": "style", "version": builder.stylesheet_version})
            if changes.index:
                self.publish({"type": "index"})
            log.info("reading views rebuilt in %.3f s (%.3f s CPU)",
                     time.perf_counter() - started, time.thread_time() - cpu)
            if reading and (pdfs or changes.documents & self._pdf_wanted):
                # An open reading view fetches its new chapter first: the layout would hold
                # the interpreter while the server sends it.
                self._sent.wait(READING_HEAD_START)
            with self._lock:
                for key in changes.documents:
                    if key in self._pdf_wanted and key in active:
                        pdfs.add(key)
                    elif key in self._pdf_wanted:
                        self._pdf_wanted.discard(key)
                        self._stale.add(key)
        for key in sorted(pdfs):
            self._write_pdf(key)

    def _write_pdf(self, key: str) -> None:
        if key not in self.builder.documents:
            return
        started, cpu = time.perf_counter(), time.thread_time()
        try:
            pdf = self.builder.preview_pdf(key)
            rendered = self.pages.publish(key, pdf.parts, destinations=pdf.destinations,
                                          whole=pdf.whole)
        except HanjiError as exc:
            with self._lock:
                self._pdf_problems[key] = Problem(exc.path or self.builder.root, exc.message,
                                                  exc.line)
            self.publish(self.problems_event(key))
            return
        except Exception as exc:  # a layout crash is a problem to show, not a dead server
            log.exception("PDF of %s failed", key)
            with self._lock:
                self._pdf_problems[key] = Problem(self.builder.root,
                                                  f"PDF failed: {type(exc).__name__}: {exc}")
            self.publish(self.problems_event(key))
            return
        with self._lock:
            had_problem = self._pdf_problems.pop(key, None) is not None
            self._pdf_wanted.add(key)
        self.builds += 1
        self._layouts_since_release += 1
        log.info("PDF of %s written in %.3f s (%.3f s CPU)", key,
                 time.perf_counter() - started, time.thread_time() - cpu)
        self.publish({"type": "pdf", "doc": key, "version": rendered.version,
                      "pages": len(rendered.sizes)})
        if had_problem:
            self.publish(self.problems_event(key))

    def stop_soon(self) -> None:
        """Thread-safe: end the event streams and the build loop (shutdown has begun)."""
        loop = self._loop
        if loop is None:
            return
        loop.call_soon_threadsafe(self.stopping.set)
        loop.call_soon_threadsafe(self._wake.set)
        for queue in list(self._subscribers):
            loop.call_soon_threadsafe(queue.put_nowait, {"type": "bye"})

    def close(self) -> None:
        self.stopping.set()
        self._wake.set()
        for queue in list(self._subscribers):
            queue.put_nowait({"type": "bye"})
        self._executor.shutdown(wait=True, cancel_futures=True)
        self.pages.close()


__all__ = ["RECENT_DOCUMENTS", "Preview"]
