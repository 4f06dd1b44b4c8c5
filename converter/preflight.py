"""Checks made before anything is converted: the theme, page size, print profile, CSS files
and folders.

:class:`~converter.options.Options` validates each value on its own (types, ranges, spellings);
this module checks what the values point at — the theme resolves, the memory limit leaves
room to start, the extra CSS files can be read, the output and cache folders exist or can be
created and are writable — so that a
mistake stops a build at once with one :class:`ConfigError` naming the option (``key``),
instead of failing every post of a batch in turn after the work has started.

Nothing here creates, writes or converts anything.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConfigError, HanjiError
from .options import Options, page_size_css

#: The least address space (MB) a worker needs to start converting at all (Python, WeasyPrint
#: and their libraries mapped): a smaller ``max_memory_mb`` would fail every post.
MIN_MEMORY_MB = 512

if TYPE_CHECKING:
    from .themes import Theme


def check_build(options: Options, output_dir: Path | None = None) -> None:
    """Raise :class:`ConfigError` (with ``key``) if ``options`` cannot build into ``output_dir``."""
    from .themes import load_theme

    try:
        theme = load_theme(options.theme)
    except HanjiError as exc:
        raise _error("theme", str(exc)) from None
    try:
        page_size_css(options.page_size or theme.page_size)
    except ConfigError as exc:
        key = "page_size" if options.page_size else "theme"
        raise _error(key, exc.detail) from None
    _check_print(options, theme)
    for index, css in enumerate(options.extra_css):
        _check_readable_text(css, f"extra_css[{index}]")
    if 0 < options.max_memory_mb < MIN_MEMORY_MB:
        raise _error("max_memory_mb", f"at least {MIN_MEMORY_MB} MB is needed to convert "
                     f"anything (0: no limit), got {options.max_memory_mb}")
    if options.site is not None and not options.site.is_dir():
        raise _error("site", f"no such folder: {options.site}")
    if output_dir is not None:
        check_writable_folder(output_dir, "output")
    if options.cache and options.cache_dir is not None:
        check_writable_folder(options.cache_dir, "cache_dir")


def _check_print(options: Options, theme: Theme) -> None:
    """The print profile (``--print``, ``--trim``, ``--bleed``…) resolves against the theme's
    ``print:`` defaults: each value alone was checked by the options; this adds the theme's."""
    if "pdf" not in options.formats:
        return
    from .press.geometry import print_plan

    try:
        print_plan(options, theme)
    except ConfigError as exc:
        key = exc.key or ""
        if key.startswith("print."):  # a flag's value (already checked alone: rare)
            raise _error(key, exc.detail) from None
        where = key.removeprefix("theme ")  # the theme's print: defaults
        raise _error("theme", f"{where}: {exc.detail}" if where else exc.detail) from None


def check_writable_folder(folder: Path, key: str) -> None:
    """Raise :class:`ConfigError` unless ``folder`` is a writable folder or could be created as
    one (its nearest existing ancestor is a writable folder). Creates nothing."""
    path = Path(os.path.abspath(folder))
    probe = path
    while True:
        try:
            exists = probe.exists()
        except (OSError, ValueError) as exc:  # a NUL byte, a name too long
            raise _error(key, f"unusable folder {str(folder)!r}: {exc}") from None
        if exists or probe.parent == probe:
            break
        probe = probe.parent
    if not probe.is_dir():
        what = "" if probe == path else f": {probe}"
        raise _error(key, f"{folder}{what} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        where = "" if probe == path else f" (cannot create it in {probe})"
        raise _error(key, f"{folder}: not writable{where}")


def _check_readable_text(path: Path, key: str) -> None:
    try:
        path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _error(key, f"no such file: {path}") from None
    except IsADirectoryError:
        raise _error(key, f"{path} is a folder, not a CSS file") from None
    except UnicodeDecodeError:
        raise _error(key, f"{path} is not UTF-8 text") from None
    except (OSError, ValueError) as exc:
        raise _error(key, f"cannot read {path}: {getattr(exc, 'strerror', None) or exc}") from None


def _error(key: str, detail: str) -> ConfigError:
    return ConfigError(f"option {key!r}: {detail}", key=key, detail=detail)


__all__ = ["check_build", "check_writable_folder"]
