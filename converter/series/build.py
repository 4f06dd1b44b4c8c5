"""``build_book``: a book from ``book.yml``, a :class:`~.config.BookConfig` or post files, from
selection to the written files (:func:`converter.api.write_book`)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..api import WrittenFiles
from ..diagnostics import BuildWarning, Diagnostics, locate_warnings
from ..errors import ConfigError
from ..options import Format, Options
from .assembly import ProgressCallback, assemble_book
from .config import BookConfig
from .selection import select_posts

if TYPE_CHECKING:
    from ..writers import WriteResult


@dataclass
class BookResult(WrittenFiles):
    """What :func:`build_book` produced: files, chapter and page counts, warnings."""

    #: Output file stem (``OUTDIR/<stem>.pdf``).
    stem: str
    outputs: dict[str, WriteResult] = field(default_factory=dict)
    #: Chapter titles in order (one per included post).
    titles: list[str] = field(default_factory=list)
    #: The post files included, in chapter order.
    posts: list[Path] = field(default_factory=list)
    #: Posts found but skipped: those that could not be loaded, then those that could not be
    #: converted.
    skipped: list[Path] = field(default_factory=list)
    warnings: list[BuildWarning] = field(default_factory=list)

    @property
    def chapters(self) -> int:
        """Number of chapters (one per included post)."""
        return len(self.titles)


BookSource = str | os.PathLike[str] | BookConfig | Sequence[str | os.PathLike[str]]


def build_book(source: BookSource, *, output_dir: str | os.PathLike[str] = "out",
               title: str | None = None, formats: Sequence[Format] | None = None,
               options: Options | None = None, progress: ProgressCallback | None = None,
               **book: Any) -> BookResult:
    """Build one book (PDF and/or EPUB) from many posts.

    ``source`` is a ``book.yml`` path, a :class:`BookConfig`, or post files and folders
    (then ``title`` is required; ``book`` takes other :class:`BookConfig` keys such as
    ``categories=["R"]``, ``date_from="2019-01-01"`` or ``sort="list"``). Options set in
    ``options`` (fields that differ from the defaults) and ``formats`` win over ``book.yml``.
    Writes ``output_dir/<output or slug of title>.pdf|.epub`` and returns a
    :class:`BookResult`. Raises :class:`ConfigError` for a bad configuration or when no post
    is selected, other :class:`HanjiError` subclasses when the book cannot be written.
    """
    from ..api import write_book, writer_helpers

    if isinstance(source, BookConfig):
        config = source.updated(book)
        resolved = options or Options()
    elif (isinstance(source, (str, os.PathLike))
          and Path(source).suffix.lower() in {".yml", ".yaml"}):
        config, file_options = BookConfig.load(Path(source))
        config = config.updated(book)
        resolved = _override(file_options, options)
    else:
        paths = [source] if isinstance(source, (str, os.PathLike)) else list(source)
        if not paths:
            raise ConfigError("no posts: give post files or folders")
        config, _ = BookConfig.from_mapping({"title": title or "", **book,
                                             "sources": [str(p) for p in paths]})
        resolved = options or Options()
    if title:
        config = dataclasses.replace(config, title=title)
    if formats is not None:
        resolved = resolved.replace(formats=tuple(formats))
    diagnostics = Diagnostics()
    unloadable: list[Path] = []
    posts = select_posts(config, diagnostics, max_post_bytes=resolved.max_post_bytes,
                         skipped=unloadable)
    # Warming up while the chapters are built; one layout process per CPU for the chapters.
    with writer_helpers(resolved, count=resolved.jobs or os.cpu_count() or 1) as helpers:
        book_model, skipped = assemble_book(config, resolved, posts, diagnostics,
                                            progress=progress)
        outputs = write_book(book_model, resolved, Path(output_dir) / config.stem, diagnostics,
                             progress=progress, helpers=helpers)
    warnings = [*diagnostics.warnings]
    for post in posts:
        warnings.extend(w for w in post.warnings.warnings if w not in warnings)
    # A book's writers do not know which post a formula or an image came from: find it.
    warnings = locate_warnings(warnings, [(p.source, p.body, p.body_line) for p in posts])
    return BookResult(stem=config.stem, outputs=outputs,
                      titles=[c.title for c in book_model.chapters],
                      posts=[c.source for c in book_model.chapters if c.source is not None],
                      skipped=[*unloadable, *skipped], warnings=warnings)


def _override(base: Options, given: Options | None) -> Options:
    """``base`` with every field of ``given`` that differs from the default."""
    if given is None:
        return base
    default = Options()
    changes = {f.name: getattr(given, f.name) for f in dataclasses.fields(Options)
               if getattr(given, f.name) != getattr(default, f.name)}
    return base.replace(**changes) if changes else base

