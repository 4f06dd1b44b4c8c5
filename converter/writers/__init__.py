"""Writers: turn a :class:`~converter.book.Book` into one output format.

Each writer declares what it supports as class attributes (image profile, MathML, font
subsetting) instead of format checks scattered through the pipeline.
"""

from __future__ import annotations

from .base import Writer, WriteResult, WriterHelpers
from .epub import EpubWriter
from .pdf import PdfWriter

WRITERS: dict[str, type[Writer]] = {"pdf": PdfWriter, "epub": EpubWriter}

__all__ = ["WRITERS", "EpubWriter", "PdfWriter", "WriteResult", "Writer", "WriterHelpers"]
