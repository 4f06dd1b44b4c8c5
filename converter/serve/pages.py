"""PDF pages for the preview's PDF view: page images and page text, rendered on demand.

pypdfium2 (PDFium, in this process: no helper program per page) renders one page in tens of
milliseconds, so pages are rendered when the browser asks for them (only the visible ones),
and kept in a small LRU cache keyed by the PDF's version.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pikepdf
import pypdfium2 as pdfium

#: Page images kept in memory (about 100 KB each at the preview's resolution).
CACHE_PAGES = 64
#: Pixels per inch of the page images (sharp on ordinary screens, quick to render).
DPI = 110

_INVISIBLE = re.compile("[\u00ad\u200b-\u200d\u2060\ufeff\\s]+")


def squeeze(text: str) -> str:
    """Text without spaces, line breaks, soft hyphens or joiners (to compare PDF text with
    the reading view's text: line breaks and hyphenation differ)."""
    return _INVISIBLE.sub("", unicodedata.normalize("NFC", text)).casefold()


@dataclass
class RenderedPdf:
    """One version of a document's PDF: its pages' sizes, and its named destinations."""

    #: Writes the whole PDF if needed and returns its path (a book's is merged on demand).
    whole: Callable[[], Path]
    version: int
    #: (width, height) of each page in points.
    sizes: list[tuple[float, float]] = field(default_factory=list)
    #: Named destination (element id) → 0-based page index.
    destinations: dict[str, int] = field(default_factory=dict)
    #: Each page's part (its PDF, as :func:`_part_key` names it) and its index there.
    places: list[tuple[PartKey, int]] = field(default_factory=list, repr=False)


#: A part as it is on disk: path, inode, modification time and size (a post's PDF keeps its
#: path; it is replaced, not rewritten in place).
PartKey = tuple[Path, int, int, int]


def _part_key(path: Path) -> PartKey:
    stat = path.stat()
    return path, stat.st_ino, stat.st_mtime_ns, stat.st_size


def read_destinations(path: Path) -> dict[str, int]:
    """The named destinations of the PDF at ``path``: name → 0-based page index."""
    destinations: dict[str, int] = {}
    with pikepdf.open(path) as pdf:
        # page object (number, generation) → page index
        pages: dict[Any, int] = {page.objgen: i for i, page in enumerate(pdf.pages)}
        names = pdf.Root.get("/Names")
        dests = names.get("/Dests") if names is not None else None
        if dests is not None:
            for name, value in pikepdf.NameTree(dests).items():
                target = value if isinstance(value, pikepdf.Array) else value.get("/D")
                if target is not None and len(target) and target[0].objgen in pages:
                    destinations[str(name)] = pages[target[0].objgen]
    return destinations


class PageRenderer:
    """Renders pages of the current PDF of each document (thread-safe).

    A document's PDF may come in parts (a book: the front matter, then each chapter on its
    frame pages); each part stays open while a version of the document uses it, so that a new
    version that changed one chapter opens only that chapter's part.
    """

    def __init__(self, *, dpi: int = DPI, cache_pages: int = CACHE_PAGES) -> None:
        self.dpi = dpi
        self._lock = threading.Lock()
        self._cache: OrderedDict[tuple[str, int, int, str], bytes | str] = OrderedDict()
        self._cache_pages = cache_pages
        #: Open parts → (document, its pages' sizes).
        self._parts: dict[PartKey, tuple[pdfium.PdfDocument, list[tuple[float, float]]]] = {}
        self._current: dict[str, RenderedPdf] = {}

    def publish(self, key: str, parts: list[Path], *,
                destinations: dict[str, int] | None = None,
                whole: Callable[[], Path] | None = None) -> RenderedPdf:
        """Make the pages of ``parts`` (PDFs, one after the other) the current pages of
        document ``key``; returns its new version. ``destinations`` (name → page), if not
        given, are read from the one part; ``whole`` returns the whole PDF (default: the one
        part)."""
        if destinations is None:
            destinations = read_destinations(parts[0]) if len(parts) == 1 else {}
        with self._lock:
            known = dict(self._parts)
        opened: dict[PartKey, tuple[pdfium.PdfDocument, list[tuple[float, float]]]] = {}
        keys = [_part_key(path) for path in parts]
        for part in keys:
            if part not in known and part not in opened:
                document = pdfium.PdfDocument(part[0].read_bytes())
                opened[part] = (document, [document.get_page_size(i)
                                           for i in range(len(document))])
        sizes: list[tuple[float, float]] = []
        places: list[tuple[PartKey, int]] = []
        for part in keys:
            part_sizes = (known.get(part) or opened[part])[1]
            sizes += part_sizes
            places += [(part, i) for i in range(len(part_sizes))]
        closing = []
        with self._lock:
            self._parts.update(opened)
            previous = self._current.get(key)
            version = previous.version + 1 if previous else 1
            rendered = RenderedPdf(whole=whole or (lambda: parts[0]), version=version,
                                   sizes=sizes, destinations=destinations, places=places)
            self._current[key] = rendered
            for cache_key in [k for k in self._cache if k[0] == key and k[1] != version]:
                del self._cache[cache_key]
            used = {path for r in self._current.values() for path, _ in r.places}
            for path in [p for p in self._parts if p not in used]:
                closing.append(self._parts.pop(path)[0])
        for document in closing:
            document.close()
        return rendered

    def current(self, key: str) -> RenderedPdf | None:
        """The PDF of ``key`` published last, if any."""
        with self._lock:
            return self._current.get(key)

    def _cached(self, cache_key: tuple[str, int, int, str]) -> bytes | str | None:
        value = self._cache.get(cache_key)
        if value is not None:
            self._cache.move_to_end(cache_key)
        return value

    def _store(self, cache_key: tuple[str, int, int, str], value: bytes | str) -> None:
        self._cache[cache_key] = value
        while len(self._cache) > self._cache_pages * 2:
            self._cache.popitem(last=False)

    def image(self, key: str, index: int) -> bytes | None:
        """PNG of page ``index`` (0-based) of the current PDF of ``key``; None if no such
        page."""
        with self._lock:
            rendered = self._current.get(key)
            if rendered is None or not 0 <= index < len(rendered.sizes):
                return None
            cache_key = (key, rendered.version, index, "png")
            found = self._cached(cache_key)
            if isinstance(found, bytes):
                return found
            part, number = rendered.places[index]
            page = self._parts[part][0][number]
            bitmap = page.render(scale=self.dpi / 72)
            buffer = io.BytesIO()
            bitmap.to_pil().save(buffer, format="PNG", compress_level=1)
            page.close()
            data = buffer.getvalue()
            self._store(cache_key, data)
            return data

    def text(self, key: str, index: int) -> str | None:
        """The text of page ``index`` of the current PDF of ``key``."""
        with self._lock:
            rendered = self._current.get(key)
            if rendered is None or not 0 <= index < len(rendered.sizes):
                return None
            cache_key = (key, rendered.version, index, "text")
            found = self._cached(cache_key)
            if isinstance(found, str):
                return found
            part, number = rendered.places[index]
            page = self._parts[part][0][number]
            textpage = page.get_textpage()
            text = textpage.get_text_range()
            textpage.close()
            page.close()
            self._store(cache_key, text)
            return text

    def locate(self, key: str, snippet: str, *, anchor: str | None = None) -> int | None:
        """The page (0-based) where ``snippet`` of the reading view is printed: searched from
        the page of ``anchor`` (a chapter's or heading's id) on; else that page."""
        rendered = self.current(key)
        if rendered is None:
            return None
        start = rendered.destinations.get(anchor or "", 0)
        wanted = squeeze(snippet)[:40]
        if wanted:
            count = len(rendered.sizes)
            for index in [*range(start, count), *range(0, start)][:80]:
                text = self.text(key, index) or ""
                if wanted in squeeze(text):
                    return index
        return start

    def close(self) -> None:
        """Close every open PDF."""
        with self._lock:
            for document, _ in self._parts.values():
                document.close()
            self._parts.clear()
            self._cache.clear()


__all__ = ["DPI", "PageRenderer", "RenderedPdf", "squeeze"]
