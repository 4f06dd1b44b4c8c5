"""The one way hanji drives WeasyPrint: lay out an HTML document and write its PDF.

Every PDF hanji makes (a post, a book laid out as one document, each chapter and frame of a
book laid out chapter by chapter) goes through :func:`render_document` and
:func:`write_document`. Both run in the process that lays out, often a
:class:`~converter.processes.WarmProcess`, so they take and return plain values. This module
knows nothing of books, chapters or themes.
"""

from __future__ import annotations

import atexit
import hashlib
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...diagnostics import Diagnostics
from ...errors import OutputError
from ..base import atomic_output


def warm_up_weasyprint() -> None:
    """Import WeasyPrint (1-2 s) and install hanji's patches (:func:`~..patches.install`: the
    one version gate)."""
    from .. import patches

    patches.install()


def weasyprint_version() -> str:
    """The version of the WeasyPrint that lays out (part of every layout cache key): the
    installed distribution's, read without importing it (the process that computes the keys,
    a book's main one, otherwise imports WeasyPrint just for this, ~0.5 CPU-s)."""
    from .. import patches

    return patches.weasyprint_version()


@dataclass
class PdfResult:
    """What laying out and writing a PDF reports back: page count, file size, warnings, and
    where each page starts (for the EPUB's page list)."""

    pages: int
    size: int
    warnings: list[str] = field(default_factory=list)
    #: Where each page starts (:func:`~converter.writers.page_list.page_starts`).
    page_starts: list[Any] = field(default_factory=list)


#: Parsed stylesheets, per thread (WeasyPrint's objects are not shared between threads), by a
#: hash of their text and where they may read: a book's documents share one (parsing it and
#: loading its fonts takes a third of a second).
_stylesheets = threading.local()


@atexit.register
def _drop_stylesheets() -> None:
    """Drop them before the interpreter tears modules down (FontConfiguration.__del__ needs
    them)."""
    getattr(_stylesheets, "by_key", {}).clear()


def render_document(source: str, base_url: str, roots: list[Path], error_path: Path | None, *,
                    stylesheet: str | None = None, extra_css: str = "") -> tuple[Any, Any]:
    """Lay out the HTML ``source`` with (patched) WeasyPrint, reading only files under
    ``roots`` (:class:`RestrictedFetcher`): the document and the fetcher.

    ``stylesheet`` (else the document's own ``<style>``) is parsed once per thread and shared
    by the documents that use it; ``extra_css`` comes after it.
    """
    from weasyprint import CSS, HTML
    from weasyprint.text.fonts import FontConfiguration

    from ..fetcher import RestrictedFetcher

    warm_up_weasyprint()
    fetcher = RestrictedFetcher(roots)
    try:
        if stylesheet is None:
            font_config, sheets = FontConfiguration(), []
        else:
            key = hashlib.sha256("\0".join([stylesheet, base_url, *map(str, roots)]).encode())
            parsed: dict[str, tuple[Any, Any]] = _stylesheets.__dict__.setdefault("by_key", {})
            if key.hexdigest() not in parsed:
                font_config = FontConfiguration()
                css = CSS(string=stylesheet, base_url=base_url, url_fetcher=fetcher,
                          font_config=font_config)
                parsed.clear()  # one book at a time
                parsed[key.hexdigest()] = (font_config, css)
            font_config, css = parsed[key.hexdigest()]
            sheets = [css]
        if extra_css:
            sheets.append(CSS(string=extra_css, base_url=base_url, url_fetcher=fetcher,
                              font_config=font_config))
        document = HTML(string=source, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=sheets, font_config=font_config)
    except Exception as exc:  # WeasyPrint raises many kinds; one message for the user
        raise OutputError(f"PDF layout failed: {type(exc).__name__}: {exc}",
                          path=error_path) from exc
    return document, fetcher


def write_document(document: Any, target: Path, fetcher: Any, diagnostics: Diagnostics,
                   options: dict[str, Any] | None = None) -> None:
    """Write a laid-out document to ``target`` atomically, with WeasyPrint's ``write_pdf``
    ``options`` (:func:`converter.press.variant.weasyprint_options`), tagged documents fixed
    after WeasyPrint (:func:`.tags.fix_structure`); what the fetcher refused to read becomes
    a warning."""
    from ...press.variant import is_tagged
    from .tags import fix_structure, quiet_alt_errors

    tagged = is_tagged(options)
    try:
        with atomic_output(target) as tmp, quiet_alt_errors():
            document.write_pdf(tmp, **(options or {}))
            if tagged:
                fix_structure(tmp)
    except OSError as exc:
        raise OutputError(f"cannot write the PDF: {exc.strerror or exc}", path=target) from None
    for url in fetcher.refused:
        diagnostics.warn(f"refused to read {url}")
