"""Which PDF standard a build writes, and what WeasyPrint is told about it.

One small function each, shared ground of the print profile (PDF/X-4, PDF/A-2b/3b) and of
tagged PDF (PDF/UA-1, :mod:`converter.writers.pdf.tags`): extend :func:`pdf_variant` and
:func:`weasyprint_options` rather than choosing a variant somewhere else.

How tagging (the ``tagged_pdf`` option) and the print standard combine, in
:func:`weasyprint_options` (WeasyPrint writes one ``pdf_variant`` per file; ``pdf_tags`` adds
the structure tree to any of them):

========================  ==========================================================
print standard            what WeasyPrint is asked for
========================  ==========================================================
none, untagged            nothing: a plain PDF
none, tagged              ``pdf/ua-1``: structure tree, plus the XMP (``pdfuaid:part``,
                          ``dc:title``) PDF/UA requires
PDF/X-4, tagged           ``pdf/x-4`` + ``pdf_tags``: PDF/X-4 allows a structure tree, so a
                          print file stays tagged; it identifies as PDF/X-4 only (no
                          ``pdfuaid`` in its XMP)
PDF/A-2b or 3b, tagged    ``pdf/a-2b``/``pdf/a-3b`` + ``pdf_tags``: level b asks only for the
                          look of the pages and allows tags; it claims PDF/A-2b/3b, not the
                          accessible level (2a/3a) nor PDF/UA
any standard, untagged    the standard alone
========================  ==========================================================

A tagged file gets :func:`~converter.writers.pdf.tags.fix_structure` after WeasyPrint wrote
it, before the print profile's finishing step (:mod:`.finish`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .trim import PrintPlan

#: The standards the print profile writes, by their WeasyPrint variant name.
PDF_X = ("pdf/x-4",)
PDF_A = ("pdf/a-2b", "pdf/a-3b")
#: The variant of a tagged PDF with no print standard.
PDF_UA = "pdf/ua-1"


def pdf_variant(plan: PrintPlan | None) -> str | None:
    """The WeasyPrint ``pdf_variant`` of a build (``None``: a plain PDF)."""
    if plan is None or plan.standard == "none":
        return None
    return plan.standard


def weasyprint_options(plan: PrintPlan | None, tagged: bool = False) -> dict[str, Any]:
    """Keyword arguments for WeasyPrint's ``write_pdf`` (the variant sets the PDF version,
    the file identifier and the XMP metadata; the finishing step completes them), ``tagged``
    or not (see the module doc for how the two combine)."""
    variant = pdf_variant(plan)
    if variant:
        return {"pdf_variant": variant, "pdf_tags": True} if tagged else {"pdf_variant": variant}
    return {"pdf_variant": PDF_UA} if tagged else {}


def is_tagged(options: dict[str, Any] | None) -> bool:
    """Whether :func:`weasyprint_options` asked for a structure tree."""
    if not options:
        return False
    return options.get("pdf_variant") == PDF_UA or bool(options.get("pdf_tags"))


def pdfa_flavour(variant: str | None) -> str | None:
    """``'2b'``/``'3b'`` for a PDF/A variant (pikepdf.pdfa's flavour names), else None."""
    if variant in PDF_A:
        return variant.removeprefix("pdf/a-")
    return None
