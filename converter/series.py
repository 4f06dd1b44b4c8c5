"""Books from many posts: ``book.yml`` (or flags, or arguments) → selected posts → one Book.

:class:`BookConfig` says what goes into the book and how it is titled; it is validated like
:class:`~converter.options.Options` (both through :func:`~converter.options.validate_fields`):
unknown keys and wrong types are one-line :class:`ConfigError` s naming the key path
(``posts[2]``, ``options.theme``) and the file. A ``book.yml`` looks like::

    title: 데이터 분석 이야기          # required
    subtitle: 단비 블로그 모음
    author: 홍길동
    language: ko                     # default: the posts' majority language
    cover: cover.jpg                 # paths are relative to book.yml
    output: danbi                    # output file stem (default: the slug of the title)
    posts:                           # explicit, ordered; a folder adds its (filtered) posts
      - _posts/2019-01-01-intro.md
      - _posts/2019-02-01-part-2.md
    sources: [.]                     # folders searched with the filters below
    categories: [works]              # filters (folder posts only): any category …
    tags: [R]                        # … and any tag …
    date_from: 2019-01-01            # … within the dates (inclusive) …
    date_to: 2020-12-31
    glob: "*causal*"                 # … whose file name or path matches
    sort: date                       # date | list (default: list with `posts`, else date)
    options:                         # any converter.Options key, also allowed at top level
      theme: default
      page_size: A5
      formats: [pdf, epub]

Links between posts of the book become links inside it (:func:`link_chapters`). This module
never prints and never writes anything but through :func:`converter.api.write_book`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import fnmatch
import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote, urlsplit

import yaml

from .api import WrittenFiles, site_of
from .assemble import build_chapter
from .batch import PostTimeout, time_limit
from .book import SITE_PATH_ATTRIBUTE, Asset, AssetStore, Book, BookMeta, Chapter
from .diagnostics import BuildWarning, Diagnostics
from .dialect import permalinks
from .errors import ConfigError, HanjiError, InputError
from .options import Format, Options, validate_fields
from .post import Post, load_post
from .site import Site, check_post_access, find_site_root
from .transforms.links import unwrap_site_paths

if TYPE_CHECKING:
    from .writers import WriteResult

#: Called with (stage, done, total) while a book is built: "chapters", "images", "pdf", "epub".
ProgressCallback = Callable[[str, int, int], None]

_SLUG_DROP = re.compile(r"[^\w\s-]")
_SLUG_SPACE = re.compile(r"[\s_-]+")
# GitHub/kramdown-GFM heading ids: lower case, punctuation dropped, spaces to hyphens.
_GFM_DROP = re.compile(r"[^\w\- ]")
# Index suffixes a permalink may be written with or without.
_INDEX_SUFFIX = re.compile(r"/index\.html?$|\.html?$")

#: Friendlier spellings accepted in book.yml (and flags) for BookConfig keys.
ALIASES = {"language": "lang", "category": "categories", "tag": "tags", "name": "output"}


def _doc(text: str) -> dict[str, str]:
    return {"doc": text}


@dataclass(frozen=True)
class BookConfig:
    """What goes into a book and how it is titled. Paths in ``book.yml`` are relative to it."""

    title: str = field(default="", metadata=_doc("Book title (required)."))
    subtitle: str = field(default="", metadata=_doc("Subtitle, on the title page."))
    author: str = field(default="", metadata=_doc(
        "Author; default: the site's _config.yml author."))
    lang: str | None = field(default=None, metadata=_doc(
        "Book language tag (also `language`); default: the majority of the chapters'."))
    cover: Path | None = field(default=None, metadata=_doc(
        "Cover image; default: a generated cover with the title."))
    posts: tuple[Path, ...] = field(default=(), metadata=_doc(
        "Explicit, ordered post files; a folder here adds its posts that pass the filters."))
    sources: tuple[Path, ...] = field(default=(), metadata=_doc(
        "Folders (sites, _posts) whose posts pass through the filters; default: book.yml's "
        "folder when `posts` is empty."))
    categories: tuple[str, ...] = field(default=(), metadata=_doc(
        "Keep posts with any of these categories (case-insensitive)."))
    tags: tuple[str, ...] = field(default=(), metadata=_doc(
        "Keep posts with any of these tags (case-insensitive)."))
    date_from: dt.date | None = field(default=None, metadata=_doc(
        "Keep posts dated on or after this day (YYYY-MM-DD)."))
    date_to: dt.date | None = field(default=None, metadata=_doc(
        "Keep posts dated on or before this day (YYYY-MM-DD)."))
    glob: str | None = field(default=None, metadata=_doc(
        "Keep posts whose file name or path below the source folder matches (e.g. '*causal*')."))
    sort: Literal["date", "list"] | None = field(default=None, metadata=_doc(
        "Chapter order: date, or list (the `posts` order, then the rest by date); default: "
        "list when `posts` is given, else date."))
    output: str | None = field(default=None, metadata=_doc(
        "Output file stem (also `name`); default: the slug of the title."))

    @property
    def stem(self) -> str:
        """The output file name without extension."""
        return self.output or slugify(self.title)

    def updated(self, data: Mapping[str, Any], *, source: Path | None = None) -> BookConfig:
        """A copy with the keys of ``data`` (validated; e.g. flags over ``book.yml``)."""
        if not data:
            return self
        values = {ALIASES.get(str(k).replace("-", "_"), str(k).replace("-", "_")): v
                  for k, v in data.items()}
        return dataclasses.replace(self, **_validate_book(type(self), values, source))

    @classmethod
    def load(cls, path: str | os.PathLike[str], *,
             base_options: Options | None = None) -> tuple[BookConfig, Options]:
        """Read ``book.yml``: the book fields and the options, validated together."""
        path = Path(path)
        try:
            text = path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            raise ConfigError("no such file", path=path) from None
        except (OSError, UnicodeDecodeError) as exc:
            raise ConfigError(f"cannot read: {exc}", path=path) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(f"invalid YAML: {getattr(exc, 'problem', None) or exc}", path=path,
                              line=mark.line + 1 if mark else None) from None
        return cls.from_mapping(data if data is not None else {}, source=path,
                                base_options=base_options)

    @classmethod
    def from_mapping(cls, data: Any, *, source: Path | None = None,
                     base_options: Options | None = None) -> tuple[BookConfig, Options]:
        """Validate a mapping (``book.yml`` or flags): book keys here, option keys to
        :class:`Options` (at the top level or under ``options:``). ``base_options`` supplies
        option values the mapping does not set."""
        if not isinstance(data, Mapping):
            raise ConfigError("expected a mapping of keys at the top level", path=source)
        own = {f.name for f in dataclasses.fields(cls)}
        option_keys = {f.name for f in dataclasses.fields(Options)}
        book_data: dict[str, Any] = {}
        option_data: dict[str, Any] = {}
        nested: Any = None
        for raw_key, value in data.items():
            key = ALIASES.get(str(raw_key).replace("-", "_"), str(raw_key).replace("-", "_"))
            if key == "options":
                nested = value
            elif key in own:
                if key in book_data:
                    raise ConfigError(f"key {raw_key!r} given twice", path=source)
                book_data[key] = value
            elif key in option_keys:
                option_data[key] = value
            else:
                raise ConfigError(_unknown(str(raw_key), own | option_keys | set(ALIASES)),
                                  path=source)
        config = cls(**_validate_book(cls, book_data, source))
        options = _merge_options(base_options, option_data, nested, source)
        if not config.title.strip():
            raise ConfigError("key 'title' is required (the book's title)", path=source)
        if not config.posts and not config.sources:
            if source is None:
                raise ConfigError("no posts: give post files or folders")
            config = dataclasses.replace(config, sources=(source.parent,))
        return config, options


def _unknown(key: str, known: set[str]) -> str:
    close = difflib.get_close_matches(key.replace("-", "_"), sorted(known), n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r}{hint}"


def _validate_book(schema: type, data: dict[str, Any], source: Path | None) -> dict[str, Any]:
    values = validate_fields(schema, data, source=source)
    for key in ("posts", "sources"):
        for index, path in enumerate(values.get(key, ())):
            if not path.exists():
                raise ConfigError(f"key '{key}[{index}]': no such file or folder: {path}",
                                  path=source)
    cover = values.get("cover")
    if cover is not None and not cover.is_file():
        raise ConfigError(f"key 'cover': no such file: {cover}", path=source)
    start, end = values.get("date_from"), values.get("date_to")
    if start and end and start > end:
        raise ConfigError(f"key 'date_from' ({start}) is after 'date_to' ({end})", path=source)
    lang = values.get("lang")
    if lang is not None:
        from .options import is_language_tag

        if not is_language_tag(lang):
            raise ConfigError(f"key 'lang': {lang!r} is not a language tag such as ko or ko-KR",
                              path=source)
    return values


def _merge_options(base: Options | None, top: dict[str, Any], nested: Any,
                   source: Path | None) -> Options:
    """Options from ``base`` ← top-level keys ← ``options:`` keys, each key path in errors."""
    values: dict[str, Any] = dataclasses.asdict(base) if base is not None else {}
    try:
        values.update(validate_fields(Options, top, source=source))
        if nested is not None:
            if not isinstance(nested, Mapping):
                raise ConfigError(f"key 'options': expected a mapping, got "
                                  f"{type(nested).__name__}", path=source)
            values.update(validate_fields(Options, nested, source=source, prefix="options."))
        options = Options(**values)
    except ConfigError as exc:
        if exc.path is None:
            exc.path = source
        if nested is not None and exc.message.startswith("option '"):
            # Options' own checks name the bare field; say where it was written.
            key = exc.message.split("'")[1]
            if isinstance(nested, Mapping) and key in {str(k).replace("-", "_") for k in nested}:
                exc.message = exc.message.replace("option '", "key 'options.", 1)
        raise
    if source is not None:
        _check_theme(options, source)
    return options


def _check_theme(options: Options, source: Path) -> None:
    """Resolve the theme now, so that a typo is reported against book.yml, not mid-build."""
    from .themes import load_theme

    try:
        load_theme(options.theme)
    except HanjiError as exc:
        raise ConfigError(f"key 'theme': {exc.message}", path=source) from None


def slugify(text: str) -> str:
    """A file-name-safe slug that keeps Hangul: "한지 책!" → "한지-책"."""
    value = unicodedata.normalize("NFC", text)
    value = _SLUG_DROP.sub("", value).strip().lower()
    return _SLUG_SPACE.sub("-", value).strip("-") or "book"


# ------------------------------------------------------------------------------- selecting


def select_posts(config: BookConfig, diagnostics: Diagnostics, *,
                 max_post_bytes: int | None = None) -> list[Post]:
    """Load the posts of the book, filtered and ordered as configured (duplicates once).

    Files listed in ``posts`` are always included, in their order; posts found in folders
    (``sources``, or folders listed in ``posts``) must pass every filter. Posts that cannot
    be loaded are skipped with a warning: the book still builds.
    """
    from .api import discover_posts

    entries: list[tuple[Path, bool]] = []  # (post file, explicitly listed)
    for path in config.posts:
        if path.is_dir():
            entries.extend((p, False) for p in _by_date_order(discover_posts([path])))
        else:
            entries.append((path, True))
    explicit_count = len(entries)
    for path in config.sources:
        entries.extend((p, False) for p in discover_posts([path]))
    roots = [p for p in (*config.posts, *config.sources) if p.is_dir()]
    posts: list[Post] = []
    seen: set[Path] = set()
    kwargs = {"max_bytes": max_post_bytes} if max_post_bytes else {}
    for path, explicit in entries:
        key = path.resolve()
        if key in seen:
            continue
        seen.add(key)
        if not explicit and config.glob and not _glob_matches(path, roots, config.glob):
            continue
        try:
            post = load_post(path, **kwargs)
        except HanjiError as exc:
            diagnostics.warn(f"post skipped: {exc.message}", path=path)
            continue
        if explicit or _matches(post, config):
            posts.append(post)
    sort = config.sort or ("list" if config.posts else "date")
    if sort == "date":
        posts.sort(key=_date_key)
    elif explicit_count < len(posts):
        # "list": the listed posts in order, then those found in sources by date.
        listed = {p.resolve() for p, _ in entries[:explicit_count]}
        head = [p for p in posts if p.source.resolve() in listed]
        tail = sorted((p for p in posts if p.source.resolve() not in listed), key=_date_key)
        posts = head + tail
    return posts


def _date_key(post: Post) -> tuple[dt.date, str]:
    return (post.date or dt.date.min, post.source.name)


def _by_date_order(paths: Iterable[Path]) -> list[Path]:
    # File names of posts start with their date; that order is the date order.
    return sorted(paths, key=lambda p: p.name)


def _glob_matches(path: Path, roots: Sequence[Path], pattern: str) -> bool:
    candidates = {path.name, path.stem, path.as_posix()}
    for root in roots:
        try:
            candidates.add(path.resolve().relative_to(root.resolve()).as_posix())
        except ValueError:
            continue
    return any(fnmatch.fnmatch(c, pattern) for c in candidates)


def _categories(post: Post) -> list[str]:
    """Jekyll's categories of a post: front matter, and folders above ``_posts``."""
    return [*post.categories,
            *permalinks.categories_of({}, post.source, find_site_root(post.source))]


def _matches(post: Post, config: BookConfig) -> bool:
    def folded(values: Iterable[str]) -> set[str]:
        return {v.casefold() for v in values}

    if config.categories and not folded(config.categories) & folded(_categories(post)):
        return False
    if config.tags and not folded(config.tags) & folded(post.tags):
        return False
    if config.date_from and (post.date is None or post.date < config.date_from):
        return False
    if config.date_to and (post.date is None or post.date > config.date_to):
        return False
    return True


# ------------------------------------------------------------------------------ assembling


def assemble_book(config: BookConfig, options: Options, posts: Sequence[Post],
                  diagnostics: Diagnostics, *,
                  progress: ProgressCallback | None = None) -> tuple[Book, list[Path]]:
    """One :class:`Book` from ``posts``: a chapter each, shared assets, internal links.

    Returns the book and the posts skipped because they could not be converted (each with a
    warning in ``diagnostics``).
    """
    if not posts:
        raise ConfigError("no posts selected for the book (check the filters)")
    assets = AssetStore()
    chapters: list[Chapter] = []
    included: list[Post] = []
    skipped: list[Path] = []
    sites: dict[Path, Site] = {}
    for index, post in enumerate(posts, start=1):
        if progress:
            progress("chapters", index - 1, len(posts))
        site = _site_for(post.source, options, sites)
        try:
            check_post_access(post.source, site)
            with time_limit(options.timeout):
                chapter = build_chapter(post, site, options, assets, chapter_id=f"ch{index:03d}")
        except PostTimeout:
            diagnostics.warn(f"post skipped: timed out after {options.timeout:g} s "
                             "(option timeout)", path=post.source)
            skipped.append(post.source)
            continue
        except MemoryError:
            diagnostics.warn("post skipped: out of memory", path=post.source)
            skipped.append(post.source)
            continue
        except RecursionError:
            diagnostics.warn("post skipped: nested too deeply to convert", path=post.source)
            skipped.append(post.source)
            continue
        except HanjiError as exc:
            diagnostics.warn(f"post skipped: {exc.message}", path=post.source)
            skipped.append(post.source)
            continue
        chapters.append(chapter)
        included.append(post)
    if progress:
        progress("chapters", len(posts), len(posts))
    if not chapters:
        raise InputError("no post of the book could be converted")
    link_chapters(chapters, included, sites)
    for chapter in chapters:
        unwrap_site_paths(chapter.body)
    first_site = _site_for(included[0].source, options, sites)
    lang = config.lang or options.lang or _majority([c.lang for c in chapters])
    dates = [c.date for c in chapters if c.date]
    description = first_site.config.get("description")
    meta = BookMeta(title=config.title, subtitle=config.subtitle,
                    author=config.author or first_site.author, lang=lang,
                    date=max(dates) if dates else None,
                    description=" ".join(str(description).split()) if description else "")
    cover = Asset(id="cover", source=config.cover.resolve()) if config.cover else None
    return Book(meta=meta, chapters=chapters, assets=assets, cover=cover, kind="book"), skipped


def _site_for(path: Path, options: Options, cache: dict[Path, Site]) -> Site:
    site = site_of(path, options)
    return cache.setdefault(site.root, site)


def _majority(values: list[str]) -> str:
    return max(sorted(set(values)), key=values.count) if values else "ko"


# --------------------------------------------------------------------------------- linking


def link_chapters(chapters: Sequence[Chapter], posts: Sequence[Post],
                  sites: Mapping[Path, Site] | Site) -> None:
    """Turn links to other posts of the book into links inside it.

    A link is recognised however the author wrote it: ``{% post_url %}`` (already a
    permalink), a site-relative permalink (``/works/2019/02/07/x.html``), the site's own
    absolute URL (``https://blog.github.io/ble/ble-mesh/``; ``http``/``https`` and ``www.``
    alike), percent-encoded or not (``nrf%20connect%20sdk``), with or without ``.html``,
    ``index.html`` or the trailing slash, and in the site's configured permalink style or
    Jekyll's defaults (a blog that changed style keeps old links), or, failing all those, a
    page of the site whose last path segment is the slug of exactly one post of the book (a
    blog that renamed a category keeps old links too). A ``#fragment`` naming a
    heading (by its original id or its GitHub-style id) points at that heading, otherwise
    the link goes to the chapter title. Links to posts outside the book stay web links.
    """
    site_list = [sites] if isinstance(sites, Site) else list(sites.values())
    targets: dict[str, Chapter] = {}
    by_source = {p.source.resolve(): p for p in posts}
    urls: list[tuple[Chapter, list[str]]] = []
    for chapter in chapters:
        post = by_source.get(chapter.source.resolve()) if chapter.source else None
        if post is not None:
            urls.append((chapter, _post_urls(post, _owning_site(post.source, site_list))))
    # Every post's real permalink first: a fallback form never shadows another post's URL.
    for rank in (0, 1):
        for chapter, candidates in urls:
            for url in candidates[:1] if rank == 0 else candidates[1:]:
                key = _url_key(url, None)
                if key is not None:
                    targets.setdefault(key, chapter)
    if not targets:
        return
    # Last resort, for blogs that renamed their categories (old links keep the old folders):
    # a page of the site whose last segment is the slug of exactly one post of the book.
    slugs: dict[str, list[Chapter]] = {}
    for chapter, candidates in urls:
        slug = (_url_key(candidates[0], None) or "").rsplit("/", 1)[-1]
        slugs.setdefault(slug, []).append(chapter)
    fragments = {chapter.id: _fragment_ids(chapter) for chapter in chapters}
    for chapter in chapters:
        for link in chapter.body.iter("a"):
            href = (link.get("href") or link.get(SITE_PATH_ATTRIBUTE) or "").strip()
            if not href or href.startswith("#"):
                continue
            key = _url_key(href, site_list)
            if key is None:
                continue
            target = targets.get(key)
            if target is None:
                same_slug = slugs.get(key.rsplit("/", 1)[-1], [])
                target = same_slug[0] if len(same_slug) == 1 else None
            if target is None:
                continue
            fragment = unquote(urlsplit(href).fragment)
            anchor = fragments[target.id].get(fragment.casefold()) if fragment else None
            link.set("href", "#" + (anchor or f"{target.id}-title"))
            link.attrib.pop(SITE_PATH_ATTRIBUTE, None)


def _owning_site(path: Path, sites: Sequence[Site]) -> Site | None:
    resolved = path.resolve()
    best = None
    for site in sites:
        if resolved.is_relative_to(site.root) and (best is None or
                                                   len(site.root.parts) > len(best.root.parts)):
            best = site
    return best


def _post_urls(post: Post, site: Site | None) -> list[str]:
    """Site-relative URL paths a post may be linked by, its real permalink first (each also
    with the site's baseurl)."""
    config = dict(site.config) if site else {}
    root = site.root if site else None
    fm = post.front_matter
    baseurl = site.baseurl if site else ""
    canonical = permalinks.permalink(front_matter=fm, source=post.source, site=config,
                                     site_root=root)
    urls = [baseurl + canonical, canonical]
    # Jekyll's defaults too: blogs change permalink styles and old links keep the old form.
    for style in ("date", "pretty", "none", "/:categories/:title/", "/:title/"):
        url = permalinks.permalink(front_matter={**fm, "permalink": None}, source=post.source,
                                   site={**config, "permalink": style}, site_root=root)
        urls += [baseurl + url, url]
    return list(dict.fromkeys(urls))


def _url_key(href: str, sites: Sequence[Site] | None) -> str | None:
    """A comparable form of a link to a page of one of ``sites`` (None: not such a link).

    With ``sites`` None, ``href`` is a site-relative path already.
    """
    parts = urlsplit(href)
    path = parts.path
    if sites is not None:
        if parts.scheme or parts.netloc:
            if parts.scheme.lower() not in ("http", "https", ""):
                return None
            host = _host(parts.netloc)
            own = [s for s in sites if s.url and _host(urlsplit(s.url).netloc) == host]
            if not own:
                return None
            prefixes = [urlsplit(s.url).path.rstrip("/") for s in own]
            for prefix in sorted(prefixes, key=len, reverse=True):
                if prefix and path.startswith(prefix + "/"):
                    path = path[len(prefix):]
                    break
        elif not path.startswith("/"):
            return None
    path = unquote(path).strip()
    path = _INDEX_SUFFIX.sub("", path).rstrip("/")
    return unicodedata.normalize("NFC", path).casefold() or "/"


def _host(netloc: str) -> str:
    host = netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0]
    return host.removeprefix("www.")


def _fragment_ids(chapter: Chapter) -> dict[str, str]:
    """Fragments a link to this chapter may carry → the id now in the book."""
    prefix = f"{chapter.id}-"
    found: dict[str, str] = {}
    for heading in chapter.headings:
        found.setdefault(_gfm_id(heading.title), heading.id)
        found.setdefault(_kramdown_id(heading.title), heading.id)
    for element in chapter.body.iter():
        ident = element.get("id")
        if ident and ident.startswith(prefix):
            found.setdefault(ident[len(prefix):].casefold(), ident)
    found.pop("", None)
    return found


def _gfm_id(text: str) -> str:
    return _GFM_DROP.sub("", unicodedata.normalize("NFC", text).lower()).replace(" ", "-")


def _kramdown_id(text: str) -> str:
    # kramdown's own auto_ids: ASCII letters, digits, spaces and hyphens, no leading digits.
    value = re.sub(r"^[^a-zA-Z]+", "", text)
    value = re.sub(r"[^a-zA-Z0-9 -]", "", value)
    return value.replace(" ", "-").lower()


# -------------------------------------------------------------------------------- building


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
    #: Posts selected but skipped because they could not be converted.
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
    from .api import write_book, writer_helpers

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
    posts = select_posts(config, diagnostics, max_post_bytes=resolved.max_post_bytes)
    # Warming up while the chapters are built; one layout process per CPU for the chapters.
    with writer_helpers(resolved, count=resolved.jobs or os.cpu_count() or 1) as helpers:
        book_model, skipped = assemble_book(config, resolved, posts, diagnostics,
                                            progress=progress)
        outputs = write_book(book_model, resolved, Path(output_dir) / config.stem, diagnostics,
                             progress=progress, helpers=helpers)
    warnings = [*diagnostics.warnings]
    for post in posts:
        warnings.extend(w for w in post.warnings.warnings if w not in warnings)
    return BookResult(stem=config.stem, outputs=outputs,
                      titles=[c.title for c in book_model.chapters],
                      posts=[c.source for c in book_model.chapters if c.source is not None],
                      skipped=skipped, warnings=warnings)


def _override(base: Options, given: Options | None) -> Options:
    """``base`` with every field of ``given`` that differs from the default."""
    if given is None:
        return base
    default = Options()
    changes = {f.name: getattr(given, f.name) for f in dataclasses.fields(Options)
               if getattr(given, f.name) != getattr(default, f.name)}
    return base.replace(**changes) if changes else base


__all__ = ["ALIASES", "BookConfig", "BookResult", "ProgressCallback", "assemble_book",
           "build_book", "link_chapters", "select_posts", "slugify"]
