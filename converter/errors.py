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
    """Invalid options, book.yml or _config.yml.

    ``key`` names the option or book.yml key concerned where known (``date_from``,
    ``extra_css[1]``, ``options.theme``) and ``detail`` says what is wrong with it without
    naming it, so that the CLI can name the flag as the user typed it instead (``--from``).
    """

    def __init__(self, message: str, *, path: Path | str | None = None, line: int | None = None,
                 column: int | None = None, key: str | None = None,
                 detail: str | None = None) -> None:
        super().__init__(message, path=path, line=line, column=column)
        self.key = key
        self.detail = detail if detail is not None else message


class InputError(HanjiError):
    """A post that cannot be read or parsed (missing, binary, malformed front matter, too big)."""


class AssetError(HanjiError):
    """An asset that cannot be used (outside the allowed roots, unreadable)."""


class ThemeError(HanjiError):
    """An unknown or broken theme."""


class OutputError(HanjiError):
    """The output cannot be written (unwritable directory, rendering failure)."""
