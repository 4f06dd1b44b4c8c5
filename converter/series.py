"""Books from many posts: ``book.yml`` (or flags) → selected, ordered posts → one Book.

The :class:`BookConfig` schema is validated like :class:`~converter.options.Options`: unknown
keys and wrong types are errors naming the key path and the file. Keys of ``Options``
(theme, page_size, formats, …) may appear at the top level of ``book.yml`` too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fnmatch
import os
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from .assemble import build_chapter
from .book import Asset, AssetStore, Book, BookMeta, Chapter
from .diagnostics import BuildWarning, Diagnostics
from .errors import ConfigError, HanjiError
from .options import Options, validate_fields
from .post import Post, load_post
from .site import Site, site_for

_SLUG_DROP = re.compile(r"[^\w\s-]")
_SLUG_SPACE = re.compile(r"[\s_-]+")


@dataclass(frozen=True)
class BookConfig:
    """What goes into a book and how it is titled. Paths are relative to ``book.yml``."""

    title: str = ""
    subtitle: str = ""
    author: str = ""
    lang: str | None = None
    cover: Path | None = None
    #: Explicit, ordered post files or folders.
    posts: tuple[Path, ...] = ()
    #: Filters applied to the posts found under ``sources`` (and ``posts`` folders).
    sources: tuple[Path, ...] = ()
    categories: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    date_from: str | None = None
    date_to: str | None = None
    glob: str | None = None
    sort: Literal["date", "list"] = "date"
    #: Output file stem (default: the slug of the title).
    output: str | None = None

    @classmethod
    def load(cls, path: Path) -> tuple[BookConfig, Options]:
        """Read ``book.yml``: the book fields and the options (validated together)."""
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError:
            raise ConfigError("no such file", path=path) from None
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', exc)}", path=path,
                              line=mark.line + 1 if mark else None) from None
        return cls.from_mapping(data or {}, source=path)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, source: Path | None = None,
                     base_options: Options | None = None) -> tuple[BookConfig, Options]:
        if not isinstance(data, Mapping):
            raise ConfigError("expected a mapping at the top level", path=source)
        own = {f.name for f in dataclasses.fields(cls)}
        book_data = {k: v for k, v in data.items() if str(k).replace("-", "_") in own}
        option_data = {k: v for k, v in data.items() if str(k).replace("-", "_") not in own}
        nested = option_data.pop("options", None)
        if nested is not None:
            if not isinstance(nested, Mapping):
                raise ConfigError("key 'options': expected a mapping", path=source)
            option_data = {**nested, **option_data}
        try:
            config = cls(**validate_fields(cls, book_data, source=source))
            base = dataclasses.asdict(base_options) if base_options else {}
            options = Options.from_mapping({**base, **validate_fields(Options, option_data,
                                                                      source=source)},
                                           source=source)
        except ConfigError as exc:
            if exc.path is None:
                exc.path = source
            raise
        if not config.title:
            raise ConfigError("key 'title' is required", path=source)
        return config, options


def slugify(text: str) -> str:
    """A file-name-safe slug that keeps Hangul: "한지 책!" → "한지-책"."""
    value = unicodedata.normalize("NFC", text)
    value = _SLUG_DROP.sub("", value).strip().lower()
    return _SLUG_SPACE.sub("-", value).strip("-") or "book"


def _parse_day(value: str | None, key: str) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ConfigError(f"key {key!r}: {value!r} is not a date (YYYY-MM-DD)") from None


def select_posts(config: BookConfig, diagnostics: Diagnostics) -> list[Post]:
    """Load the posts of the book, filtered and ordered as configured.

    Posts that fail to load are skipped with a warning (the book still builds).
    """
    from .api import discover_posts

    explicit = discover_posts(config.posts) if config.posts else []
    found = discover_posts(config.sources) if config.sources else []
    posts: list[Post] = []
    date_from = _parse_day(config.date_from, "date_from")
    date_to = _parse_day(config.date_to, "date_to")
    seen: set[Path] = set()
    for path in [*explicit, *found]:
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        try:
            post = load_post(path)
        except HanjiError as exc:
            diagnostics.warn(f"skipped: {exc}", path=path)
            continue
        filtered = path not in explicit or config.sort == "date"
        if filtered and not _matches(post, config, date_from, date_to):
            continue
        posts.append(post)
    if config.sort == "date":
        posts.sort(key=lambda p: (p.date or dt.date.min, p.source.name))
    return posts


def _matches(post: Post, config: BookConfig, date_from: dt.date | None,
             date_to: dt.date | None) -> bool:
    folded = lambda values: {v.casefold() for v in values}  # noqa: E731
    if config.categories and not folded(config.categories) & folded(post.categories):
        return False
    if config.tags and not folded(config.tags) & folded(post.tags):
        return False
    if date_from and (post.date is None or post.date < date_from):
        return False
    if date_to and (post.date is None or post.date > date_to):
        return False
    if config.glob and not (fnmatch.fnmatch(post.source.name, config.glob)
                            or fnmatch.fnmatch(str(post.source), config.glob)):
        return False
    return True


def assemble_book(config: BookConfig, options: Options, posts: Sequence[Post],
                  diagnostics: Diagnostics) -> tuple[Book, list[BuildWarning]]:
    """Build one :class:`Book` from ``posts``: a chapter each, shared assets, internal links."""
    if not posts:
        raise HanjiError("no posts selected for the book")
    assets = AssetStore()
    chapters: list[Chapter] = []
    warnings: list[BuildWarning] = []
    sites: dict[Path, Site] = {}
    for index, post in enumerate(posts, start=1):
        site = _site_for(post.source, options, sites)
        try:
            chapter = build_chapter(post, site, options, assets, chapter_id=f"ch{index:03d}")
        except HanjiError as exc:
            diagnostics.warn(f"skipped: {exc}", path=post.source)
            continue
        chapters.append(chapter)
        warnings.extend(post.warnings.warnings)
    if not chapters:
        raise HanjiError("no post of the book could be converted")
    first_site = next(iter(sites.values()))
    link_chapters(chapters, posts, first_site)
    lang = config.lang or options.lang or _majority([c.lang for c in chapters])
    dates = [c.date for c in chapters if c.date]
    meta = BookMeta(title=config.title, subtitle=config.subtitle,
                    author=config.author or first_site.author, lang=lang,
                    date=max(dates) if dates else None)
    cover = None
    if config.cover is not None:
        if config.cover.is_file():
            cover = Asset(id="cover", source=config.cover.resolve())
        else:
            diagnostics.warn(f"cover image {config.cover} not found")
    return Book(meta=meta, chapters=chapters, assets=assets, cover=cover, kind="book"), warnings


def _site_for(path: Path, options: Options, cache: dict[Path, Site]) -> Site:
    site = site_for(path, options.site)
    if site.root in cache:
        return cache[site.root]
    if options.asset_roots:
        site.asset_roots = tuple(options.asset_roots)
    cache[site.root] = site
    return site


def _majority(values: list[str]) -> str:
    return max(set(values), key=values.count) if values else "ko"


def link_chapters(chapters: list[Chapter], posts: Sequence[Post], site: Site) -> None:
    """Turn links to other included posts (permalinks, own-site URLs) into internal links."""
    targets: dict[str, str] = {}
    by_source = {p.source: p for p in posts}
    for chapter in chapters:
        post = by_source.get(chapter.source) if chapter.source else None
        if post is None:
            continue
        for url in _post_urls(post, site):
            targets[url.rstrip("/")] = f"#{chapter.id}-title"
    if not targets:
        return
    for chapter in chapters:
        for link in chapter.body.iter("a"):
            href = (link.get("href") or "").split("#")[0].rstrip("/")
            if href in targets:
                link.set("href", targets[href])


def _post_urls(post: Post, site: Site) -> list[str]:
    """URLs a post may be linked by: its permalink styles, with and without the site URL."""
    slug = post.slug
    paths = {f"/{slug}", f"/{slug}.html"}
    cats = "/".join(slugify(c) for c in post.categories)
    raw_cats = "/".join(post.categories)
    if post.date:
        y, m, d = f"{post.date:%Y}", f"{post.date:%m}", f"{post.date:%d}"
        for c in {cats, raw_cats}:
            prefix = f"/{c}" if c else ""
            paths |= {f"{prefix}/{y}/{m}/{d}/{slug}", f"{prefix}/{y}/{m}/{d}/{slug}.html",
                      f"{prefix}/{slug}"}
    permalink = post.front_matter.get("permalink")
    if isinstance(permalink, str):
        paths.add("/" + permalink.strip("/"))
    out = []
    for path in paths:
        out.append(path)
        if site.url:
            out.append(site.url + site.baseurl + path)
    return out


@dataclass
class BookResult:
    """What ``build_book`` produced."""

    outputs: dict[str, Any] = field(default_factory=dict)
    chapters: int = 0
    warnings: list[BuildWarning] = field(default_factory=list)

    @property
    def paths(self) -> list[Path]:
        return [r.path for r in self.outputs.values()]

    @property
    def pages(self) -> int | None:
        pdf = self.outputs.get("pdf")
        return pdf.pages if pdf else None


def build_book(source: str | os.PathLike[str] | BookConfig | Sequence[str | os.PathLike[str]], *,
               output_dir: str | os.PathLike[str] = "out", title: str | None = None,
               options: Options | None = None, **filters: Any) -> BookResult:
    """Build one book (PDF and/or EPUB) from many posts.

    ``source`` is a ``book.yml`` path, a :class:`BookConfig`, or post files and folders
    (then ``title`` is required and ``filters`` are :class:`BookConfig` fields such as
    ``categories=["R"]``). Output: ``output_dir/<output or slug of title>.pdf|.epub``.
    """
    from .api import write_book

    options = options or Options()
    if isinstance(source, BookConfig):
        config = source
    elif isinstance(source, (str, os.PathLike)) and Path(source).suffix.lower() in {".yml", ".yaml"}:
        config, file_options = BookConfig.load(Path(source))
        options = file_options if options == Options() else options
    else:
        paths = [source] if isinstance(source, (str, os.PathLike)) else list(source)
        data: dict[str, Any] = {"title": title or "", "sources": [str(p) for p in paths], **filters}
        config, _ = BookConfig.from_mapping(data)
    if title:
        config = dataclasses.replace(config, title=title)
    diagnostics = Diagnostics()
    posts = select_posts(config, diagnostics)
    book, warnings = assemble_book(config, options, posts, diagnostics)
    stem = config.output or slugify(config.title)
    outputs = write_book(book, options, Path(output_dir) / stem, diagnostics)
    return BookResult(outputs=outputs, chapters=len(book.chapters),
                      warnings=[*warnings, *diagnostics.warnings])
