"""Warnings collected while converting a post: survivable problems, reported at the end.

Library code never prints. A stage that meets a problem it can survive (a missing image, an
unknown Liquid tag) calls :meth:`Diagnostics.warn`; the warning is logged and kept so the CLI
and API callers can summarise it per post.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger("converter")


@dataclass(frozen=True)
class BuildWarning:
    """One survivable problem, with the file (and line) it concerns."""

    message: str
    path: Path | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = f"{self.path}:{self.line}: " if self.line else f"{self.path}: "
        return where + self.message


@dataclass
class Diagnostics:
    """Collects :class:`BuildWarning` objects for one conversion (thread-safe)."""

    path: Path | None = None
    warnings: list[BuildWarning] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def warn(self, message: str, *, line: int | None = None, path: Path | None = None) -> None:
        """Record and log a warning about ``path`` (default: the post being converted)."""
        warning = BuildWarning(message, path or self.path, line)
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
