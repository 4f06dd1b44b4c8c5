"""Which posts go into a book, and in which order: :func:`select_posts` by the
:class:`~.config.BookConfig`'s lists, folders and filters (categories, tags, dates, glob)."""

from __future__ import annotations

import datetime as dt
import fnmatch
from collections.abc import Iterable, Sequence
from pathlib import Path

from ..diagnostics import Diagnostics
from ..dialect import permalinks
from ..errors import HanjiError
from ..post import Post, load_post
from ..site import find_site_root
from .config import BookConfig


def select_posts(config: BookConfig, diagnostics: Diagnostics, *,
                 max_post_bytes: int | None = None,
                 skipped: list[Path] | None = None) -> list[Post]:
    """Load the posts of the book, filtered and ordered as configured (duplicates once).

    Files listed in ``posts`` are always included, in their order; posts found in folders
    (``sources``, or folders listed in ``posts``) must pass every filter. Posts that cannot
    be loaded are skipped with a warning (and appended to ``skipped`` when given): the book
    still builds.
    """
    from ..api import discover_posts

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
            if skipped is not None:
                skipped.append(path)
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

