"""Which files the preview server may send: the site's own files, nothing else.

A URL path is resolved inside one root folder (the site, the bundled fonts); it is refused
when it has ``..``, hidden or private (``_config.yml``, ``_drafts``…) segments, or when the
file it resolves to (symlinks followed) lies outside the root. The server's build outputs
(PDF pages, reading views) are made in memory and never looked up by path.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

#: File types the preview serves from a site (images and media a post may show).
SERVED_SUFFIXES = frozenset({
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".avif", ".bmp", ".ico",
    ".mp4", ".webm", ".mp3", ".pdf", ".css", ".ttf", ".otf", ".woff", ".woff2",
})


def safe_file(root: Path, url_path: str, *, suffixes: frozenset[str] = SERVED_SUFFIXES,
              allow_private: bool = False) -> Path | None:
    """The file ``url_path`` names inside ``root``, or None if it must not be served.

    ``url_path`` is the part of the URL after the route's prefix, percent-encoded or not.
    Files outside ``root`` (by ``..``, an absolute path, or a symlink), hidden files,
    files in ``_``-folders (unless ``allow_private``), other types than ``suffixes`` and
    anything that is not a regular file are refused.
    """
    text = unquote(url_path)
    if "\x00" in text or "\\" in text:
        return None
    parts = PurePosixPath(text).parts
    if not parts or PurePosixPath(text).is_absolute():
        return None
    for part in parts:
        if part in {"..", "."} or part.startswith("."):
            return None
        if part.startswith("_") and not allow_private:
            return None
    if PurePosixPath(parts[-1]).suffix.lower() not in suffixes:
        return None
    base = root.resolve()
    candidate = base.joinpath(*parts)
    try:
        real = Path(os.path.realpath(candidate))
    except OSError:
        return None
    if not real.is_relative_to(base) or not real.is_file():
        return None
    return real


def site_url(root: Path, path: Path) -> str | None:
    """The ``/site/…`` URL of a file inside the site ``root`` (None if outside it)."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    from urllib.parse import quote

    return "/site/" + quote(relative.as_posix())


__all__ = ["SERVED_SUFFIXES", "safe_file", "site_url"]
