"""Print-ready PDFs: trim sizes, bleed, PDF/X-4 and PDF/A, gray interiors, the wraparound
cover, the preflight report.

The PDF writer lays a book out as usual with a print stylesheet (:mod:`.geometry`); everything
that depends on the finished file (page boxes, gutter, padding, output intent, grays) is done
afterwards on the PDF with pikepdf (:mod:`.finish`), so that a single post and a book merged
chapter by chapter get the same treatment. Nothing here knows about Markdown or EPUB.
"""
