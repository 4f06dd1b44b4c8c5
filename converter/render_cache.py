"""Rendered Markdown kept on disk: a post's sanitized HTML by a hash of its normalized Markdown.

:func:`converter.render.render_html` is a function of its text alone (and of the code and
libraries that render it), so its result can be kept between runs: a book rebuilt after a
one-post edit renders only that post's Markdown again, not all its posts' (about a second of
a 64-post book's rebuild, on the path before any layout starts). The key covers the text, the
rendering modules' source files and the versions of the libraries they call; entries are
JSON written atomically, so a damaged one is rendered again, and entries unused for
:data:`MAX_AGE_DAYS` are deleted by :func:`prune`.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import logging
import os
import time
from importlib import metadata
from pathlib import Path

from lxml import html

from . import markdown_kramdown, render
from .files import write_atomic
from .transforms import sanitize

log = logging.getLogger(__name__)

#: Bump when what an entry holds changes.
RENDER_CACHE_VERSION = 1
#: Entries unused this long are deleted (:func:`prune`).
MAX_AGE_DAYS = 30
#: The libraries whose output an entry holds (lxml: the HTML parser between Markdown and nh3).
_LIBRARIES = ("markdown", "pymdown-extensions", "pygments", "nh3", "lxml")


@functools.cache
def _salt() -> bytes:
    """What besides the text shapes the HTML: hanji's rendering modules, the libraries."""
    digest = hashlib.sha256(f"hanji-html-{RENDER_CACHE_VERSION}".encode())
    for module in (render, markdown_kramdown, sanitize):
        digest.update(Path(module.__file__ or "").read_bytes())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?".encode())
    return digest.digest()


def entry_path(directory: Path, text: str) -> Path:
    """Where the HTML rendered from ``text`` is kept in ``directory``."""
    key = hashlib.sha256(_salt() + text.encode("utf-8", "surrogatepass")).hexdigest()
    return directory / f"{key[:40]}.json"


def render_body(text: str, directory: Path | None) -> html.HtmlElement:
    """:func:`converter.render.render_body`, the HTML kept in ``directory`` (none: not kept)."""
    if directory is None:
        return render.render_body(text)
    path = entry_path(directory, text)
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))["html"]
        if not isinstance(kept, str):
            raise TypeError("not a string")
    except (OSError, ValueError, TypeError, KeyError):
        kept = None
    if kept is not None:
        with contextlib.suppress(OSError):
            os.utime(path)  # recently used
        return render.parse_fragment(kept)
    fresh = render.render_html(text)
    try:
        directory.mkdir(parents=True, exist_ok=True)
        write_atomic(path, json.dumps({"html": fresh}, ensure_ascii=False).encode("utf-8"))
    except OSError as exc:  # a read-only cache costs time, not the post
        log.debug("rendered HTML not cached: %s", exc)
    return render.parse_fragment(fresh)


def prune(directory: Path, max_age_days: float = MAX_AGE_DAYS) -> None:
    """Delete the entries no build has used for ``max_age_days`` (each edit of a post leaves
    its old entry behind)."""
    cutoff = time.time() - max_age_days * 86400
    with contextlib.suppress(OSError):
        for entry in directory.glob("*.json"):
            with contextlib.suppress(OSError):
                if entry.stat().st_mtime < cutoff:
                    entry.unlink()
