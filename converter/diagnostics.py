"""Warnings collected while converting a post: survivable problems, reported at the end.

Library code never prints. A stage that meets a problem it can survive (a missing image, an
unknown Liquid tag) calls :meth:`Diagnostics.warn`; the warning is logged and kept so the CLI
and API callers can summarise it per post.
"""

from __future__ import annotations

import ast
import contextlib
import dataclasses
import logging
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("converter")


#: Kinds of warnings, for summaries: (kind, pattern over the message), first match wins.
#: A stage may also name the kind itself (``Diagnostics.warn(..., kind=...)``).
KINDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(pattern, re.IGNORECASE)) for kind, pattern in (
        ("post skipped", r"^post skipped"),
        # An image's own message, whatever its file name holds (".../Euler_Formula/pic1.png").
        ("image", r"^(?:cover )?image '"),
        ("math", r"^math |formula|\\(?:tag|label|ref|eqref)\b"),
        ("diagram", r"mermaid|diagram"),
        ("glyph", r"glyph|tofu|no font (?:has|for)"),
        ("remote image", r"^remote image|^inline data:"),
        ("image", r"^(?:cover )?image\b|\.(?:png|jpe?g|gif|svg|webp)\b"),
        ("video", r"video|embed"),
        ("liquid", r"liquid"),
        ("front matter", r"front matter"),
        ("encoding", r"not UTF-8|control characters"),
        ("markup", r"kramdown|HTML|attribute list"),
        ("pdf layout", r"^PDF: "),
    ))


def kind_of(message: str) -> str:
    """The kind of a warning message (``image``, ``math``, ``liquid`` …; else ``other``)."""
    for kind, pattern in KINDS:
        if pattern.search(message):
            return kind
    return "other"


@dataclass(frozen=True)
class BuildWarning:
    """One survivable problem, with the file (and line) it concerns, and its kind."""

    message: str
    path: Path | None = None
    line: int | None = None
    #: What kind of problem (for summaries); default: read from the message (:func:`kind_of`).
    kind: str = ""

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", kind_of(self.message))

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return where + self.message

    def as_dict(self) -> dict[str, Any]:
        """The warning as JSON-ready data (for ``--report``)."""
        return {"kind": self.kind, "path": str(self.path) if self.path else None,
                "line": self.line, "message": self.message}


@dataclass(frozen=True)
class WarningGroup:
    """Warnings of one kind: how many, and the first few."""

    kind: str
    count: int
    examples: tuple[BuildWarning, ...]


def group_warnings(warnings: Iterable[BuildWarning], examples: int = 3) -> list[WarningGroup]:
    """Warnings grouped by kind, the most frequent kind first, each with its first examples."""
    groups: dict[str, list[BuildWarning]] = {}
    for warning in warnings:
        groups.setdefault(warning.kind, []).append(warning)
    ordered = sorted(groups.items(), key=lambda item: (-len(item[1]), item[0]))
    return [WarningGroup(kind, len(items), tuple(items[:examples])) for kind, items in ordered]


# A quoted snippet in a message, as ``repr`` writes it: 'x', "x".
_QUOTED = re.compile(r"'(?:[^'\\\n]|\\.)+'" + r'|"(?:[^"\\\n]|\\.)+"')


def locate_warnings(warnings: Iterable[BuildWarning],
                    posts: Sequence[tuple[Path, str, int]]) -> list[BuildWarning]:
    """Fill in the post and line of warnings that quote their source but were raised where it
    was not known (a formula drawn for a book's PDF, an image found missing by a transform).

    ``posts`` are (file, Markdown body, line of the body in the file). A warning without a
    line whose message quotes a snippet (``math '\\frac{a}{b' …``, ``image 'x.png': …``) gets
    the first line holding that snippet, in its own post, or, for a warning that names no
    post (a book's writer), in the first post that holds it. Others are left as they are.
    """
    located: list[BuildWarning] = []
    bodies = {path: (body, first) for path, body, first in posts}
    for warning in warnings:
        if warning.line is None:
            candidates = ([warning.path] if warning.path is not None else list(bodies))
            found = _find_snippet(warning.message, [(p, *bodies[p]) for p in candidates
                                                    if p in bodies])
            if found is not None:
                warning = dataclasses.replace(warning, path=found[0], line=found[1])
        if warning not in located:
            located.append(warning)
    return located


def _find_snippet(message: str, posts: Sequence[tuple[Path, str, int]]) -> tuple[Path, int] | None:
    for match in _QUOTED.finditer(message):
        try:
            snippet = ast.literal_eval(match.group())
        except (ValueError, SyntaxError):
            continue
        if not isinstance(snippet, str) or len(snippet.strip()) < 3:
            continue
        for path, body, first_line in posts:
            index = body.find(snippet)
            if index >= 0:
                return path, first_line + body.count("\n", 0, index)
    return None


@dataclass
class Diagnostics:
    """Collects :class:`BuildWarning` objects for one conversion (thread-safe)."""

    path: Path | None = None
    warnings: list[BuildWarning] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def warn(self, message: str, *, line: int | None = None, path: Path | None = None,
             kind: str = "") -> None:
        """Record and log a warning about ``path`` (default: the post being converted)."""
        warning = BuildWarning(message, path or self.path, line, kind)
        with self._lock:
            if warning in self.warnings:
                return
            self.warnings.append(warning)
        log.warning("%s", warning)


class _ForwardToDiagnostics(logging.Handler):
    """Forwards the records logged on the thread that installed it (several conversions may
    run in threads at once, each collecting its own warnings)."""

    def __init__(self, diagnostics: Diagnostics, prefix: str) -> None:
        super().__init__(level=logging.WARNING)
        self.diagnostics = diagnostics
        self.prefix = prefix
        self.thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread != self.thread:
            return
        try:
            message = " ".join(record.getMessage().split())
        except Exception:  # noqa: BLE001 - a malformed record must not break the conversion
            message = str(record.msg)
        self.diagnostics.warn(f"{self.prefix}{message[:300]}")


#: Loggers silenced by :func:`collect_library_warnings`: (blocks using it, original propagate).
_silenced: dict[str, tuple[int, bool]] = {}
_silenced_lock = threading.Lock()


@contextlib.contextmanager
def collect_library_warnings(logger_name: str, diagnostics: Diagnostics,
                             prefix: str = "") -> Iterator[None]:
    """Turn a third-party library's warnings (e.g. WeasyPrint's) into build warnings.

    The library's own handlers are silenced meanwhile so that nothing reaches the console
    unsummarised. Thread-safe: each block collects what its own thread logs, and the logger is
    restored when the last block ends.
    """
    logger = logging.getLogger(logger_name)
    handler = _ForwardToDiagnostics(diagnostics, prefix)
    with _silenced_lock:
        count = _silenced.get(logger_name, (0, logger.propagate))
        _silenced[logger_name] = (count[0] + 1, count[1])
        logger.propagate = False
        logger.addHandler(handler)
    try:
        yield
    finally:
        with _silenced_lock:
            logger.removeHandler(handler)
            users, propagate = _silenced.pop(logger_name)
            if users > 1:
                _silenced[logger_name] = (users - 1, propagate)
            else:
                logger.propagate = propagate
