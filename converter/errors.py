"""Typed exceptions raised by the library. Only the CLI turns them into messages for people."""

from __future__ import annotations

from pathlib import Path


class HanjiError(Exception):
    """Base class of every error hanji raises on purpose.

    ``path`` and ``line`` name the input concerned where known; ``str(error)`` is a single line
    suitable for a person (``path:line: message``).
    """

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None,
                 column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = Path(path) if path is not None else None
        self.line = line
        self.column = column

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return where + " ".join(self.message.split())


class ConfigError(HanjiError):
    """Invalid options, book.yml or _config.yml."""


class InputError(HanjiError):
    """A post that cannot be read or parsed (missing, binary, malformed front matter, too big)."""


class AssetError(HanjiError):
    """An asset that cannot be used (outside the allowed roots, unreadable)."""


class ThemeError(HanjiError):
    """An unknown or broken theme."""


class OutputError(HanjiError):
    """The output cannot be written (unwritable directory, rendering failure)."""
