"""One :class:`~converter.book.Book` from the selected posts: a chapter each (through
:func:`converter.assemble.build_chapter`), shared assets, links between them made internal
(:mod:`.crosslinks`), and the book's metadata."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from .. import render_cache
from ..api import site_of
from ..assemble import build_chapter
from ..batch import PostTimeout, time_limit
from ..book import Asset, AssetStore, Book, BookMeta, Chapter
from ..diagnostics import Diagnostics
from ..errors import ConfigError, HanjiError, InputError
from ..options import Options
from ..post import Post
from ..site import Site, check_post_access, written
from ..transforms.links import unwrap_site_paths
from .config import BookConfig
from .crosslinks import link_chapters

#: Called with (stage, done, total) while a book is built: "chapters", "images", "pdf", "epub".
ProgressCallback = Callable[[str, int, int], None]


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
    folders: dict[Path, Site] = {}
    html_cache = _html_cache(options)
    for index, post in enumerate(posts, start=1):
        if progress:
            progress("chapters", index - 1, len(posts))
        site = _site_for(post.source, options, sites, folders)
        try:
            check_post_access(post.source, site)
            with time_limit(options.timeout):
                chapter = build_chapter(post, site, options, assets, chapter_id=f"ch{index:03d}",
                                        html_cache=html_cache)
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
    if html_cache is not None:
        render_cache.prune(html_cache)
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


def _site_for(path: Path, options: Options, cache: dict[Path, Site],
              folders: dict[Path, Site] | None = None) -> Site:
    """The site of the post at ``path``, kept in ``cache`` by root; with ``folders``, loaded
    once per folder of posts (the site is found from the post's folder, and reading
    ``_config.yml`` again for each of a blog's posts cost ~10 ms a post)."""
    folder = written(path).parent
    if folders is not None and folder in folders:
        return folders[folder]
    site = site_of(path, options)
    site = cache.setdefault(site.root, site)
    if folders is not None:
        folders[folder] = site
    return site


def _majority(values: list[str]) -> str:
    return max(sorted(set(values)), key=values.count) if values else "ko"


def _html_cache(options: Options) -> Path | None:
    """Where the posts' rendered Markdown is kept (:mod:`converter.render_cache`): the cache
    folder's ``html/``; none without the cache."""
    if not options.cache:
        return None
    from ..images.cache import default_cache_dir

    return (options.cache_dir or default_cache_dir()) / "html"
