"""The layout cache of a book laid out chapter by chapter: laid-out documents on disk.

Each chapter and each part of the frame is laid out once for its HTML and CSS and kept in
``<cache>/pdf/`` as a PDF with a JSON description (:class:`ChapterLayout`,
:class:`FrameLayout`) of what the merge (:mod:`.merge`) needs: text areas, anchors, bookmarks
and the fonts each embeds (stored once in ``fonts/``).
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self, TypeVar

from ..patches.font_subset import FontUse, font_file
from ..patches.pages import Area
from .engine import weasyprint_version

#: Bump when what a cached chapter layout holds, or how it is made, changes.
LAYOUT_VERSION = 2
#: Cached layouts unused this long are deleted (:meth:`LayoutCache.prune`).
MAX_AGE_DAYS = 30

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
    #: Where each page starts (:func:`~converter.writers.page_list.page_starts`).
    starts: list[Any] = field(default_factory=list)

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
        digest = hashlib.sha256()
        for part in (f"hanji-layout-{LAYOUT_VERSION}", weasyprint_version(), *parts):
            digest.update(part.encode("utf-8"))
            digest.update(b"\0")
        return digest.hexdigest()

    def pdf(self, key: str) -> Path:
        return self.directory / f"{key}.pdf"

    def get(self, key: str, cls: type[L]) -> L | None:
        description = self.pdf(key).with_suffix(".json")
        seen = _checked.get(description)
        if seen is not None and isinstance(seen[2], cls) and \
                seen[:2] == (_stamp(description), _stamp(seen[2].path)):
            return seen[2]  # type: ignore[return-value]
        try:
            data = json.loads(description.read_text(encoding="utf-8"))
            size, digest = data.pop("size"), data.pop("sha256")
            written = data.pop("mtime_ns", None)
            layout = cls.from_json(json.dumps(data), self.directory)
        except (OSError, ValueError, TypeError, KeyError, AttributeError):
            return None
        if not intact(layout.path, size, digest, written) or not all(
                font_file(self.fonts, u.sha).is_file() for u in layout.fonts.values()):
            return None  # damaged or cut short: laid out again
        with contextlib.suppress(OSError):
            os.utime(description)  # recently used
        if len(_checked) > 4096:
            _checked.clear()
        _checked[description] = (_stamp(description), _stamp(layout.path), layout)
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


#: Layouts this process read and checked, by description file, with both files' stamps
#: (:func:`_stamp`) then: a long-lived process (hanji serve) rebuilding a book after an edit
#: reads and checks again only what changed on disk.
_checked: dict[Path, tuple[tuple[int, int, int], tuple[int, int, int], ChapterLayout]] = {}


def _stamp(path: Path) -> tuple[int, int, int]:
    """Inode, size and modification time of ``path`` (zeros if it is gone)."""
    try:
        stat = path.stat()
    except OSError:
        return (0, 0, 0)
    return (stat.st_ino, stat.st_size, stat.st_mtime_ns)


def describe(layout: ChapterLayout) -> str:
    """The layout's description as stored, with its PDF's size, checksum and modification
    time (checked by :meth:`LayoutCache.get` on reuse)."""
    data = json.loads(layout.to_json())
    with layout.path.open("rb") as file:
        pdf = file.read()
        written = os.fstat(file.fileno()).st_mtime_ns
    data.update(size=len(pdf), sha256=hashlib.sha256(pdf).hexdigest(), mtime_ns=written)
    return json.dumps(data, ensure_ascii=False)


def intact(path: Path, size: object, digest: object, written: object = None) -> bool:
    """Whether the file at ``path`` has the given size and sha256. A file of that size still
    carrying the modification time ``written`` (nanoseconds) it had when it was described is
    taken as unchanged without reading it: a rebuild checks a book's every chapter layout,
    tens of megabytes."""
    try:
        stat = path.stat()
        if stat.st_size != size:
            return False
        if written is not None and stat.st_mtime_ns == written:
            return True
        data = path.read_bytes()
    except OSError:
        return False
    return len(data) == size and hashlib.sha256(data).hexdigest() == digest


L = TypeVar("L", bound=ChapterLayout)
