"""A PDF laid out as one document: every single post, and books whose theme does not allow
laying them out chapter by chapter (:mod:`.book`)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...diagnostics import Diagnostics, collect_library_warnings
from ...processes import WarmProcess, run_spread
from ...resources import themes_dir
from ..page_list import page_starts
from .engine import PdfResult, render_document, write_document


def render_pdf(source: str, base_url: str, roots: list[Path], target: Path,
               error_path: Path | None, write_options: dict[str, Any] | None = None,
               stylesheet: str | None = None) -> PdfResult:
    """Lay out the HTML ``source`` and write the PDF atomically to ``target``
    (:func:`~.engine.render_document`, :func:`~.engine.write_document` with WeasyPrint's
    ``write_options``: tagging and the print profile's PDF variant,
    :func:`converter.press.variant.weasyprint_options`). ``stylesheet`` (else the document's
    own ``<style>``) is parsed once per process and kept for the next document with the same
    one. A module-level function of plain values, so that it can run in a
    :class:`~converter.processes.WarmProcess`.
    """
    diagnostics = Diagnostics()
    with collect_library_warnings("weasyprint", diagnostics, "PDF: "):
        document, fetcher = render_document(source, base_url, roots, error_path,
                                            stylesheet=stylesheet)
        write_document(document, target, fetcher, diagnostics, write_options)
    return PdfResult(pages=len(document.pages), size=target.stat().st_size,
                     warnings=[warning.message for warning in diagnostics.warnings],
                     page_starts=page_starts(document))


def render_whole(job: tuple[Any, ...], processes: Sequence[WarmProcess],
                 error_path: Path) -> PdfResult:
    """:func:`render_pdf` in the first helper process, or here if there is none (or it died)."""
    result: PdfResult = run_spread(processes[:1], [(render_pdf, job, error_path)])[0]
    return result


def render_file(roots: list[Path], source: str, extra_roots: list[Path], target: Path) -> None:
    """Lay out ``source`` here and write it to ``target``, reading only under ``roots`` and
    ``extra_roots`` (the print profile's wraparound cover, :mod:`converter.press.cover`)."""
    document, fetcher = render_document(source, str(themes_dir()) + "/", [*roots, *extra_roots],
                                        target)
    write_document(document, target, fetcher, Diagnostics())
