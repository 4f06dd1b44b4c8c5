"""The PDF writer package: the book as HTML for paged media, laid out by WeasyPrint.

:mod:`.writer` (:class:`PdfWriter`) builds the document; :mod:`.engine` is the one place that
lays out and writes with WeasyPrint; :mod:`.document` lays out a post (or a book) as one
document; a book of several chapters is laid out chapter by chapter and merged: :mod:`.book`
(orchestration), :mod:`.frame` (front matter and page frames), :mod:`.jobs` (one layout each),
:mod:`.layout_cache` (layouts on disk) and :mod:`.merge` (pikepdf).
"""

from __future__ import annotations

from .engine import PdfResult, warm_up_weasyprint
from .writer import PdfWriter

__all__ = ["PdfResult", "PdfWriter", "warm_up_weasyprint"]
