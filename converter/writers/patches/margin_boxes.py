"""Pages laid out without margin boxes, for the chapters of a book laid out by chapter.

A chapter's pages get their page numbers, running heads and backgrounds from the book's frame
(:mod:`converter.writers.pdf.book`), so making its margin boxes is wasted work (about 10 ms a
page). :func:`patch_weasyprint` wraps ``weasyprint.layout.make_margin_boxes`` so that it makes
none while :func:`without_margin_boxes` is active in the thread. Checked against WeasyPrint 70;
tested by ``tests/test_pdf_book.py`` (page numbers drawn once, by the frame).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from .hook import replace

_margins = threading.local()


def patch_weasyprint() -> None:
    """Wrap ``weasyprint.layout.make_margin_boxes`` (once per process)."""
    from weasyprint import layout

    def make(original: Any) -> Any:
        def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
            if getattr(_margins, "off", False):
                return iter(())
            return original(context, page, state)

        return make_margin_boxes

    replace(layout, "make_margin_boxes", make)


@contextlib.contextmanager
def without_margin_boxes() -> Iterator[None]:
    """Layouts in this thread make no margin boxes while the block runs (the patch must be
    installed: :func:`converter.writers.patches.install`)."""
    _margins.off = True
    try:
        yield
    finally:
        _margins.off = False
