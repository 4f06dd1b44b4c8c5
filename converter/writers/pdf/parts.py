"""A book's PDF as parts, for a live preview: each chapter on its frame pages, merged alone.

Merging a whole book (:func:`.merge.merge_book`) takes seconds: every chapter's PDF is opened
and copied, fonts are subset for the whole book, the structure trees are merged. A preview
that shows pages needs none of that for the chapters an edit did not touch. Inside
:func:`deferred_merge`, :func:`.book.lay_out_book` lays the book out as usual (cached, only
what changed) but hands over a :class:`BookLayout` instead of merging; :meth:`BookLayout.parts_in`
then merges each part alone (:func:`.merge.merge_part`: the front matter, then each chapter
laid over its frame pages) into a file named by what it is made of, so that after an edit
only the changed chapter's part is merged again. While page counts stay, the other chapters'
frames (page numbers, running heads) are the cached ones and their parts are reused; when a
chapter gains or loses a page, the frames of the chapters after it are laid out again (their
page numbers moved) and their parts are merged again. The whole book is merged only when
asked for (:meth:`BookLayout.merge`).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from .engine import PdfResult
from .layout_cache import ChapterLayout, FrameLayout
from .merge import merge_book, merge_part, shift

#: Where :func:`.book.lay_out_book` hands its layout when the merge is deferred.
_deferred: ContextVar[list[BookLayout] | None] = ContextVar("hanji_deferred_merge",
                                                           default=None)


@dataclass
class BookLayout:
    """A book laid out chapter by chapter, not merged yet: its frame parts (each with the
    number of its first pages to leave out) and its chapters, as :func:`.merge.merge_book`
    takes them."""

    parts: list[tuple[FrameLayout, int]]
    chapters: list[ChapterLayout]
    #: Where the whole book is written (:meth:`merge`).
    target: Path
    #: The layout cache's font store.
    fonts: Path
    tagged: bool = False
    #: Written by :meth:`merge`.
    merged: PdfResult | None = field(default=None, repr=False)

    def check(self) -> None:
        """Raise :class:`~.frame.FrameMismatch` if a chapter page's text area is not its frame
        page's (as :func:`.merge.merge_book` would)."""
        for frame, skip in self.parts:
            for index in range(skip, len(frame.owners)):
                owner = frame.owners[index]
                if owner is not None:
                    shift(frame, index, self.chapters[owner[0]], owner[0], owner[1])

    def destinations(self) -> dict[str, int]:
        """Named destination → 0-based page of the book (a chapter's before the front
        matter's, as in the merged book)."""
        position: dict[tuple[int, int], int] = {}
        page = 0
        for frame, skip in self.parts:
            for owner in frame.owners[skip:]:
                if owner is not None:
                    position[owner] = page
                page += 1
        found: dict[str, int] = {}
        for index, layout in enumerate(self.chapters):
            for name, number, _, _ in layout.anchors:
                found.setdefault(name, position[(index, number)])
        for name, number, _, _ in self.parts[0][0].anchors:
            found.setdefault(name, number)
        return found

    def parts_in(self, directory: Path) -> list[Path]:
        """Each part merged alone into ``directory`` (parts merged before are reused)."""
        directory.mkdir(parents=True, exist_ok=True)
        paths = []
        for frame, skip in self.parts:
            used = sorted({owner[0] for owner in frame.owners[skip:] if owner is not None})
            digest = hashlib.sha256("\0".join(
                [frame.path.name, str(skip), *(f"{i}:{self.chapters[i].path.name}"
                                               for i in used)]).encode()).hexdigest()
            path = directory / f"part-{digest[:24]}.pdf"
            if not path.is_file():
                merge_part(frame, skip, {i: self.chapters[i] for i in used}, path)
            paths.append(path)
        return paths

    def merge(self) -> PdfResult:
        """The whole book, merged to :attr:`target` (once)."""
        if self.merged is None:
            self.merged = merge_book(self.parts, self.chapters, self.target, self.fonts,
                                     self.tagged)
        return self.merged


@contextlib.contextmanager
def deferred_merge() -> Iterator[list[BookLayout]]:
    """Within this block (in this thread), a book laid out chapter by chapter is not merged:
    its :class:`BookLayout` is appended to the list yielded, and its target is not written. A
    book laid out as one document (a theme that does not allow chapters alone) is written as
    usual."""
    found: list[BookLayout] = []
    token = _deferred.set(found)
    try:
        yield found
    finally:
        _deferred.reset(token)


def take(layout: BookLayout) -> bool:
    """Hand ``layout`` over if the merge is deferred here (:func:`deferred_merge`); False:
    merge it now."""
    found = _deferred.get()
    if found is None:
        return False
    layout.check()
    found.append(layout)
    return True


__all__ = ["BookLayout", "deferred_merge", "take"]
