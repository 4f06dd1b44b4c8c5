"""A long-lived builder: keeps a site's posts, books, chapters and theme, rebuilds what changed.

:class:`Builder` is what a live preview (``hanji serve``) or an editor integration holds on
to. It knows the *documents* of a site (each post, and each book of a ``book.yml``), builds
their chapters on first use and keeps them; :meth:`Builder.changed` takes the files that
changed on disk and answers which chapters (not books) must be rebuilt; :meth:`Builder.chapter`
rebuilds one chapter; :meth:`Builder.write_pdf` writes a document's PDF (a book's unchanged
chapters come from the PDF layout cache); :meth:`Builder.preview_pdf` lays it out for a
preview (a book in parts, only the changed chapter's merged again). A post that fails to
build while it is being edited (bad front matter, broken Liquid) is reported as a
:class:`Problem` naming file and line, and its previous good chapter stays in place.

Thread safety: one lock guards the builder's state; PDF writing happens outside it, on a copy
of the book's chapter list, so chapters can be rebuilt while a PDF is written.

Long because it is one object's state kept under one lock (documents, chapters and what they
depend on, changes, problems, PDFs); split, each part would reach into the others' state.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .api import discover_posts, write_book
from .assemble import build_chapter
from .book import Asset, AssetStore, Book, BookMeta, Chapter
from .diagnostics import BuildWarning, Diagnostics
from .errors import HanjiError, InputError
from .options import Options
from .post import Post, load_post
from .press.geometry import print_plan
from .series import BookConfig, link_chapters, select_posts
from .site import CONFIG_NAME, Site, check_post_access, find_site_root, load_site
from .themes import Theme, load_theme
from .transforms.links import unwrap_site_paths

log = logging.getLogger(__name__)

DocumentKind = Literal["post", "book"]

#: Warnings that mean the author's Liquid is broken (the post renders without it): while the
#: author types, they are problems, and the previous good chapter is kept.
_BROKEN_LIQUID = re.compile(r"^Liquid( failed|:)")
#: ``{% include name %}`` / ``{% include_relative name %}``: the include files a post uses.
_INCLUDE = re.compile(r"{%-?\s*include(_relative)?\s+([^\s%}]+)")
_BOOK_FILES = ("book.yml", "book.yaml")


@dataclass(frozen=True)
class Problem:
    """Something the author must fix before the preview can update: file, line, message."""

    path: Path
    message: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}" if self.line else \
            f"{self.path}: {self.message}"


@dataclass
class Document:
    """A post or a book the builder can preview."""

    #: URL-safe name, unique among documents of its kind.
    name: str
    kind: DocumentKind
    title: str
    #: The post files, in chapter order (one for a post).
    sources: list[Path]
    date: dt.date | None = None
    #: The ``book.yml`` of a book.
    config_file: Path | None = None
    config: BookConfig | None = None
    options: Options | None = None

    @property
    def key(self) -> str:
        """``post/<name>`` or ``book/<name>``: the document's place in URLs."""
        return f"{self.kind}/{self.name}"


@dataclass
class ChapterState:
    """One built chapter and what it was built from."""

    chapter: Chapter
    post: Post
    #: Files whose change means the chapter must be rebuilt (the post, its images).
    depends_on: frozenset[Path]
    #: Names of ``_includes`` files the post uses.
    includes: frozenset[str]
    #: Different for every build of any chapter by the builder (increasing).
    version: int = 1
    warnings: list[BuildWarning] = field(default_factory=list)


@dataclass
class PdfPreview:
    """A document's PDF as a preview shows it (:meth:`Builder.preview_pdf`)."""

    #: The PDFs whose pages, one after the other, are the document's pages.
    parts: list[Path]
    #: Named destination → 0-based page (None: read them from the one part).
    destinations: dict[str, int] | None
    #: Writes the whole PDF (if it is not written yet) and returns its path.
    whole: Callable[[], Path]


@dataclass
class Changes:
    """What a set of changed files means for the previews."""

    #: (document key, chapter index) pairs to rebuild.
    chapters: set[tuple[str, int]] = field(default_factory=set)
    #: Documents whose PDF is out of date.
    documents: set[str] = field(default_factory=set)
    #: The theme or extra CSS changed (every view's stylesheet).
    stylesheet: bool = False
    #: The list of documents changed (a post or book.yml added or removed).
    index: bool = False

    def __bool__(self) -> bool:
        return bool(self.chapters or self.documents or self.stylesheet or self.index)


class _Assets(AssetStore):
    """The assets of one book: a subset of the builder's store, ids unchanged."""

    def __init__(self, assets: Iterable[Asset]) -> None:
        super().__init__()
        for asset in assets:
            self._by_path[asset.source] = asset


class Builder:
    """Builds and keeps the previews of one site (or one post, or one ``book.yml``).

    ``target`` is a post file, a site folder (every post under it, and its ``book.yml`` if it
    has one) or a ``book.yml``. ``options`` are the conversion options (a book's own
    ``book.yml`` options apply on top for that book). Raises :class:`ConfigError` /
    :class:`InputError` when ``target`` cannot be previewed at all.
    """

    def __init__(self, target: str | Path, *, options: Options | None = None,
                 output_dir: str | Path) -> None:
        self.target = Path(target).resolve()
        self.options = (options or Options()).replace(jobs=1)
        self.output_dir = Path(output_dir)
        self._lock = threading.RLock()
        if not self.target.exists():
            raise InputError("no such file or folder", path=self.target)
        self.root = self._find_root()
        self._assets = AssetStore()
        self._versions = itertools.count(1)
        self._chapters: dict[tuple[str, int], ChapterState] = {}
        self._problems: dict[tuple[str, int], Problem] = {}
        self._config_problem: Problem | None = None
        #: The PDF parts each book's preview shows now (:meth:`preview_pdf`).
        self._parts: dict[str, set[Path]] = {}
        self._site: Site = self._load_site()
        self._theme: Theme = load_theme(self.options.theme)
        self.stylesheet_version = 1
        self.documents: dict[str, Document] = {}
        self._scan()

    # ------------------------------------------------------------------------- documents

    def _find_root(self) -> Path:
        if self.options.site is not None:
            return Path(self.options.site).resolve()
        start = self.target if self.target.is_dir() else self.target.parent
        root = find_site_root(start)
        if root is None and start.name == "_posts":
            return start.parent
        return root or start

    def _load_site(self) -> Site:
        return load_site(self.root, asset_roots=tuple(self.options.asset_roots or ()),
                         follow_symlinks=self.options.follow_symlinks)

    def _book_files(self) -> list[Path]:
        if self.target.is_file() and self.target.suffix.lower() in {".yml", ".yaml"} \
                and self.target.name != CONFIG_NAME:
            return [self.target]
        if self.target.is_dir():
            return [self.target / n for n in _BOOK_FILES if (self.target / n).is_file()]
        return []

    def _scan(self) -> None:
        """Find the documents: the posts and the books."""
        documents: dict[str, Document] = {}
        books = self._book_files()
        if self.target.is_file() and not books:
            posts = [self.target]
        elif self.target.is_dir():
            posts = discover_posts([self.target])
        else:
            posts = []
        for path in posts:
            try:
                post = load_post(path, max_bytes=self.options.max_post_bytes)
                title, date = post.title, post.date
            except HanjiError:
                title, date = path.stem, None
            name = _unique(_url_name(path.stem), {d.name for d in documents.values()
                                                   if d.kind == "post"})
            doc = Document(name=name, kind="post", title=title, sources=[path.resolve()],
                           date=date)
            documents[doc.key] = doc
        for book_file in books:
            book_doc = self._book_document(book_file, documents)
            if book_doc is not None:
                documents[book_doc.key] = book_doc
        old = self.documents
        for key, doc in documents.items():
            previous = old.get(key)
            if previous is not None and previous.sources != doc.sources:
                self._forget(key)
        for key in set(old) - set(documents):
            self._forget(key)
        self.documents = documents

    def _book_document(self, book_file: Path, documents: dict[str, Document]) -> Document | None:
        try:
            config, book_options = BookConfig.load(book_file, base_options=self.options)
            diagnostics = Diagnostics()
            posts = select_posts(config, diagnostics, max_post_bytes=book_options.max_post_bytes)
            self._config_problem = None
        except HanjiError as exc:
            self._config_problem = _problem(exc, book_file)
            # The book as it was before the bad save stays.
            return next((d for d in self.documents.values()
                         if d.config_file == book_file.resolve()), None)
        if not posts:
            self._config_problem = Problem(book_file, "no posts selected for the book")
            return None
        name = _unique(_url_name(config.stem), {d.name for d in documents.values()
                                                if d.kind == "book"})
        dates = [p.date for p in posts if p.date]
        return Document(name=name, kind="book", title=config.title,
                        sources=[p.source.resolve() for p in posts],
                        date=max(dates) if dates else None, config_file=book_file.resolve(),
                        config=config, options=book_options.replace(jobs=1))

    def _forget(self, key: str) -> None:
        for state_key in [k for k in self._chapters if k[0] == key]:
            del self._chapters[state_key]
        for state_key in [k for k in self._problems if k[0] == key]:
            del self._problems[state_key]

    def document(self, key: str) -> Document:
        """The document ``kind/name``; raises :class:`KeyError` if there is none."""
        with self._lock:
            return self.documents[key]

    @property
    def theme(self) -> Theme:
        """The theme of the previews (reloaded when its files change)."""
        return self._theme

    @property
    def site(self) -> Site:
        """The site (its ``_config.yml`` reloaded when it changes)."""
        return self._site

    # -------------------------------------------------------------------------- chapters

    def _options_for(self, doc: Document) -> Options:
        return doc.options or self.options

    def chapter(self, key: str, index: int) -> ChapterState | None:
        """Chapter ``index`` (0-based) of document ``key``, built now if it is not built.

        Returns ``None`` if the chapter never built (see :meth:`problems`).
        """
        with self._lock:
            state = self._chapters.get((key, index))
            if state is None and (key, index) not in self._problems:
                self._build(key, index)
                state = self._chapters.get((key, index))
            return state

    def chapters(self, key: str) -> list[ChapterState]:
        """Every chapter of ``key`` that built (each built now if needed), in order."""
        with self._lock:
            doc = self.documents[key]
            missing = [i for i in range(len(doc.sources))
                       if (key, i) not in self._chapters and (key, i) not in self._problems]
            for index in missing:
                self._build(key, index, link=False)
            built = [self._chapters[(key, i)] for i in missing if (key, i) in self._chapters]
            if doc.kind == "book" and built:
                # One linking pass for the chapters built now (linking is idempotent).
                states = [s for i in range(len(doc.sources))
                          if (s := self._chapters.get((key, i))) is not None]
                link_chapters([s.chapter for s in states], [s.post for s in states], self._site)
                for state in built:
                    unwrap_site_paths(state.chapter.body)
            found = [self._chapters.get((key, i)) for i in range(len(doc.sources))]
            return [s for s in found if s is not None]

    def rebuild(self, key: str, index: int) -> ChapterState | None:
        """Rebuild chapter ``index`` of ``key`` now. On failure the previous chapter stays
        and :meth:`problems` names the file and line."""
        with self._lock:
            self._build(key, index)
            return self._chapters.get((key, index))

    def _build(self, key: str, index: int, *, link: bool = True) -> None:
        doc = self.documents[key]
        path = doc.sources[index]
        options = self._options_for(doc)
        chapter_id = "post" if doc.kind == "post" else f"ch{index + 1:03d}"
        previous = self._chapters.get((key, index))
        try:
            check_post_access(path, self._site)
            post = load_post(path, max_bytes=options.max_post_bytes)
            chapter = build_chapter(post, self._site, options, self._assets,
                                    chapter_id=chapter_id)
        except RecursionError:
            self._problems[(key, index)] = Problem(path, "the post is nested too deeply")
            return
        except HanjiError as exc:
            self._problems[(key, index)] = _problem(exc, path)
            return
        warnings = list(post.warnings.warnings)
        broken = [w for w in warnings if _BROKEN_LIQUID.match(w.message)]
        if previous is not None:
            known = {(w.message, w.line) for w in previous.warnings}
            broken = [w for w in broken if (w.message, w.line) not in known]
        else:
            broken = []  # a first build shows what it can (its warnings are listed)
        if broken:
            first = broken[0]
            self._problems[(key, index)] = Problem(first.path or path, first.message, first.line)
            return
        if doc.kind == "post":
            unwrap_site_paths(chapter.body)
        elif link:
            self._link(doc, index, chapter, post)
        used = {_asset_path(img.get("data-hanji-asset"), self._assets)
                for img in chapter.body.iter("img")}
        includes = [(bool(m.group(1)), m.group(2).strip("'\""))
                    for m in _INCLUDE.finditer(post.body)]
        relative = {(path.parent / name).resolve() for is_relative, name in includes
                    if is_relative}
        self._chapters[(key, index)] = ChapterState(
            chapter=chapter, post=post,
            depends_on=frozenset({path, *relative, *(p for p in used if p is not None)}),
            includes=frozenset(name for is_relative, name in includes if not is_relative),
            version=next(self._versions), warnings=warnings)
        self._problems.pop((key, index), None)

    def _link(self, doc: Document, index: int, chapter: Chapter, post: Post) -> None:
        """Links from the new chapter to other chapters of the book become internal; the
        other chapters were linked when they were built (linking is idempotent)."""
        states = [self._chapters.get((doc.key, i)) for i in range(len(doc.sources))]
        chapters = [s.chapter if s is not None and i != index else None
                    for i, s in enumerate(states)]
        posts = [s.post if s is not None and i != index else None for i, s in enumerate(states)]
        chapters[index], posts[index] = chapter, post
        # Chapters not built yet are stand-ins with their id, so links to them resolve.
        for i, source in enumerate(doc.sources):
            if chapters[i] is None:
                try:
                    stub = load_post(source)
                except HanjiError:
                    continue
                from lxml import html

                chapters[i] = Chapter(id=f"ch{i + 1:03d}", title=stub.title,
                                      body=html.Element("div"), source=source)
                posts[i] = stub
        present = [(c, p) for c, p in zip(chapters, posts) if c is not None and p is not None]
        link_chapters([c for c, _ in present], [p for _, p in present], self._site,
                      linking=[chapter])
        unwrap_site_paths(chapter.body)

    def forget(self, key: str, index: int) -> None:
        """Drop chapter ``index`` of ``key`` (it is built again when next asked for)."""
        with self._lock:
            self._chapters.pop((key, index), None)
            self._problems.pop((key, index), None)

    def problems(self, key: str | None = None) -> list[Problem]:
        """Current problems (of document ``key``, or all), configuration problems first."""
        with self._lock:
            found = [self._config_problem] if self._config_problem else []
            found += [p for k, p in sorted(self._problems.items(), key=lambda kv: kv[0])
                      if key is None or k[0] == key]
            return [p for p in found if p is not None]

    def asset(self, asset_id: str) -> Asset | None:
        """The image with this id (from any chapter built so far)."""
        with self._lock:
            return self._assets.get(asset_id)

    # --------------------------------------------------------------------------- changes

    def changed(self, paths: Iterable[str | Path]) -> Changes:
        """Take files changed on disk; rebuild nothing yet, answer what must be rebuilt.

        A post or an image: the chapters that use it. An include: the chapters whose post
        names it. ``_config.yml``: every chapter. A theme or extra CSS file: the stylesheet
        and every PDF. A ``book.yml``, or a post added or removed: the list of documents.
        """
        changes = Changes()
        with self._lock:
            resolved = {Path(p).resolve() for p in paths}
            theme_dirs = [d.resolve() for d in self._theme.chain]
            extra_css = {Path(p).resolve() for p in self.options.extra_css}
            every_chapter = False
            for path in resolved:
                if path.name == CONFIG_NAME and path.parent == self.root.resolve():
                    try:
                        self._site = self._load_site()
                        self._config_problem = None
                    except HanjiError as exc:
                        self._config_problem = _problem(exc, path)
                        continue
                    every_chapter = True
                elif path in extra_css or any(path.is_relative_to(d) for d in theme_dirs):
                    try:
                        self._theme = load_theme(self.options.theme)
                        self.stylesheet_version += 1
                        self._config_problem = None
                    except HanjiError as exc:
                        self._config_problem = _problem(exc, path)
                        continue
                    changes.stylesheet = True
                    changes.documents.update(self.documents)
                elif path.name in _BOOK_FILES or self._is_new_post(path):
                    self._scan()
                    changes.index = True
                    changes.documents.update(k for k in self.documents if k.startswith("book/"))
            includes = {p.relative_to(self.root).as_posix().split("/", 1)[1]
                        for p in resolved if _under(p, self.root, "_includes")}
            for (key, index), state in list(self._chapters.items()):
                if every_chapter or state.depends_on & resolved or \
                        any(name in includes or Path(name).name in
                            {Path(i).name for i in includes} for name in state.includes):
                    changes.chapters.add((key, index))
                    changes.documents.add(key)
            for (key, index) in list(self._problems):
                if key in self.documents and \
                        self.documents[key].sources[index] in resolved | (
                            set(self.documents[key].sources) if every_chapter else set()):
                    changes.chapters.add((key, index))
                    changes.documents.add(key)
            for key, doc in self.documents.items():
                for index, source in enumerate(doc.sources):
                    if source in resolved and (key, index) not in self._chapters:
                        changes.documents.add(key)  # not built yet: built when viewed
        return changes

    def _is_new_post(self, path: Path) -> bool:
        if path.suffix.lower() not in {".md", ".markdown"} or not self.target.is_dir():
            return False
        known = {s for d in self.documents.values() for s in d.sources}
        return (path in known) != path.exists()

    # ------------------------------------------------------------------------------- PDF

    def book_of(self, key: str) -> Book:
        """The document as a :class:`Book` of its current chapters (for the writers)."""
        with self._lock:
            doc = self.documents[key]
            states = self.chapters(key)
            if not states:
                problems = self.problems(key)
                raise InputError(problems[0].message if problems else "nothing to build",
                                 path=problems[0].path if problems else doc.sources[0],
                                 line=problems[0].line if problems else None)
            chapters = [s.chapter for s in states]
            used = {img.get("data-hanji-asset") for c in chapters for img in c.body.iter("img")}
            assets = _Assets(a for a in self._assets if a.id in used)
            if doc.kind == "post":
                post = states[0].post
                meta = BookMeta(title=post.title, author=post.author or self._site.author,
                                lang=chapters[0].lang, date=post.date)
                return Book(meta=meta, chapters=chapters, assets=assets, kind="post")
            config = doc.config or BookConfig(title=doc.title)
            langs = [c.lang for c in chapters]
            lang = config.lang or self._options_for(doc).lang or \
                max(sorted(set(langs)), key=langs.count)
            dates = [c.date for c in chapters if c.date]
            meta = BookMeta(title=config.title, subtitle=config.subtitle,
                            author=config.author or self._site.author, lang=lang,
                            date=max(dates) if dates else None)
            cover = Asset(id="cover", source=config.cover.resolve()) if config.cover else None
            return Book(meta=meta, chapters=list(chapters), assets=assets, cover=cover,
                        kind="book")

    def pdf_path(self, key: str) -> Path:
        """Where the document's PDF is written."""
        digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:8]
        return self.output_dir / f"{_url_name(key.split('/', 1)[1])}-{digest}.pdf"

    def preview_pdf(self, key: str) -> PdfPreview:
        """Lay the document's PDF out now, as the preview shows it: a book as parts (the
        front matter, each chapter on its frame pages: :mod:`converter.writers.pdf.parts`), so
        that after an edit only the changed chapter is laid out and merged again; the whole
        book is merged only when :attr:`PdfPreview.whole` is called. A post, or a book laid out
        as one document, is one part: its PDF. Raises :class:`HanjiError`."""
        from .writers.pdf.parts import deferred_merge

        book = self.book_of(key)
        with self._lock:
            options = self._options_for(self.documents[key]).replace(formats=("pdf",))
        target = self.pdf_path(key)
        if book.kind == "post" or print_plan(options, load_theme(options.theme)).active:
            write_book(book, options, target.with_suffix(""), Diagnostics(), helpers={})
            return PdfPreview(parts=[target], destinations=None, whole=lambda: target)
        with deferred_merge() as layouts:
            write_book(book, options, target.with_suffix(""), Diagnostics(), helpers={})
        if not layouts:  # laid out as one document
            return PdfPreview(parts=[target], destinations=None, whole=lambda: target)
        layout = layouts[0]
        parts = layout.parts_in(self.output_dir / "parts")
        with self._lock:
            self._parts[key] = set(parts)
            kept = set().union(*self._parts.values())
        for stale in (self.output_dir / "parts").glob("part-*.pdf"):
            if stale not in kept:
                stale.unlink(missing_ok=True)
        lock = threading.Lock()

        def whole() -> Path:
            with lock:
                layout.merge()
            return target

        return PdfPreview(parts=parts, destinations=layout.destinations(), whole=whole)

    def write_pdf(self, key: str) -> Path:
        """Write the document's PDF now (atomically) and return its path.

        A book's chapters whose HTML did not change come from the PDF layout cache, so only
        the edited chapter is laid out again before the merge. Raises :class:`HanjiError`.
        """
        book = self.book_of(key)
        with self._lock:
            options = self._options_for(self.documents[key]).replace(formats=("pdf",))
        target = self.pdf_path(key)
        diagnostics = Diagnostics()
        # Writers adapt their own copies of the chapter bodies; the chapters stay as built.
        write_book(book, options, target.with_suffix(""), diagnostics, helpers={})
        return target


def _problem(exc: HanjiError, fallback: Path) -> Problem:
    return Problem(exc.path or fallback, exc.message, exc.line)


def _asset_path(asset_id: str | None, store: AssetStore) -> Path | None:
    asset = store.get(asset_id) if asset_id else None
    return asset.source if asset is not None else None


def _under(path: Path, root: Path, folder: str) -> bool:
    try:
        return path.relative_to(root.resolve()).parts[0] == folder
    except (ValueError, IndexError):
        return False


_URL_UNSAFE = re.compile(r"[^\w.-]+")


def _url_name(text: str) -> str:
    return _URL_UNSAFE.sub("-", text).strip("-.") or "untitled"


def _unique(name: str, taken: set[str]) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}-{n}", n + 1
    return candidate


__all__ = ["Builder", "ChapterState", "Changes", "Document", "DocumentKind", "PdfPreview",
           "Problem"]
