"""Watch the site (and the theme, and extra CSS) for saved files; hand them to the preview.

``watchfiles`` (Rust ``notify``) reports changes in batches; editors' swap and backup files,
hidden folders, Jekyll's ``_site`` and the server's own output folder are ignored.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from pathlib import Path

from watchfiles import Change, DefaultFilter, awatch

from ..builder import Builder

log = logging.getLogger(__name__)

#: Milliseconds watchfiles waits for more changes before reporting a batch.
DEBOUNCE_MS = 40
#: Milliseconds between its checks for more changes while debouncing.
STEP_MS = 10

_IGNORED_DIRS = {"_site", ".jekyll-cache", ".sass-cache", "node_modules", ".git", "vendor"}


class SiteFilter(DefaultFilter):
    """watchfiles' default filter (editor files, ``.git`` …) plus Jekyll's output folders and
    the preview's own outputs."""

    def __init__(self, ignore: list[Path]) -> None:
        super().__init__(ignore_dirs=(*DefaultFilter.ignore_dirs, *_IGNORED_DIRS))
        self._ignore = [p.resolve() for p in ignore]

    def __call__(self, change: Change, path: str) -> bool:
        if not super().__call__(change, path):
            return False
        resolved = Path(path).resolve()
        return not any(resolved.is_relative_to(p) for p in self._ignore)


def watched_paths(builder: Builder) -> list[Path]:
    """What to watch: the site root, the theme's folders, the extra CSS files."""
    paths = [builder.root.resolve()]
    paths += [Path(p).resolve() for p in builder.theme.chain]
    paths += [Path(p).resolve() for p in builder.options.extra_css]
    unique: list[Path] = []
    for path in sorted(set(paths), key=lambda p: len(p.parts)):
        if path.exists() and not any(path.is_relative_to(u) for u in unique):
            unique.append(path)
    return unique


async def watch_files(paths: list[Path], *, ignore: list[Path],
                      on_change: Callable[[Iterable[Path]], None],
                      stop_event: asyncio.Event) -> None:
    """Call ``on_change`` with each batch of changed files under ``paths`` (except those
    under ``ignore``) until ``stop_event`` is set."""
    log.info("watching %s", ", ".join(map(str, paths)))
    async for changes in awatch(*paths, watch_filter=SiteFilter(ignore), debounce=DEBOUNCE_MS,
                                step=STEP_MS, stop_event=stop_event, rust_timeout=500,
                                yield_on_timeout=False):
        on_change(Path(path) for _, path in changes)


__all__ = ["DEBOUNCE_MS", "SiteFilter", "watch_files", "watched_paths"]
