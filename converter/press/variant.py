"""Which PDF standard a build writes, and what WeasyPrint is told about it.

One small function each, shared ground of the print profile (PDF/X-4, PDF/A-2b/3b) and of
tagged PDF (PDF/UA, not written here): extend :func:`pdf_variant` and :func:`weasyprint_options`
rather than choosing a variant somewhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .trim import PrintPlan

#: The standards the print profile writes, by their WeasyPrint variant name.
PDF_X = ("pdf/x-4",)
PDF_A = ("pdf/a-2b", "pdf/a-3b")


def pdf_variant(plan: PrintPlan | None) -> str | None:
    """The WeasyPrint ``pdf_variant`` of a build (``None``: a plain PDF)."""
    if plan is None or plan.standard == "none":
        return None
    return plan.standard


def weasyprint_options(plan: PrintPlan | None) -> dict[str, Any]:
    """Keyword arguments for WeasyPrint's ``write_pdf`` (the variant sets the PDF version,
    the file identifier and the XMP metadata; the finishing step completes them)."""
    variant = pdf_variant(plan)
    return {"pdf_variant": variant} if variant else {}


def pdfa_flavour(variant: str | None) -> str | None:
    """``'2b'``/``'3b'`` for a PDF/A variant (pikepdf.pdfa's flavour names), else None."""
    if variant in PDF_A:
        return variant.removeprefix("pdf/a-")
    return None
