"""The finishing step of a print-ready PDF, on the file the layout wrote (pikepdf).

In order: page boxes (TrimBox = the trim, BleedBox = trim + bleed, MediaBox as laid out:
trim + bleed, plus room for crop marks when asked), blank pages to pad the count to a
multiple, the gutter (the text block moves away from the spine as the book gets thicker:
text width and so the layout are unchanged), grays (:mod:`.gray`), the PDF standard
(:mod:`.standard`; a tagged file keeps its structure tree but claims only that standard).
Then, for a book, the wraparound cover (:mod:`.cover`), and the preflight report of both
files (:mod:`.preflight`), written as ``<stem>-preflight.json``.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import OutputError
from ..files import atomic_path
from .cover import Layout, write_cover
from .trim import PrintPlan, gutter_extra
from .variant import pdf_variant, pdfa_flavour

if TYPE_CHECKING:
    from ..book import Book
    from ..images import PreparedImage

log = logging.getLogger(__name__)

PT_PER_MM = 72 / 25.4


@contextlib.contextmanager
def replacing(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` (:func:`converter.files.atomic_path`), renamed onto
    it when the block succeeds; an :class:`OSError` becomes an OutputError naming ``target``."""
    try:
        with atomic_path(target) as tmp:
            yield tmp
    except OSError as exc:
        raise OutputError(f"cannot write output: {exc.strerror or exc}", path=target) from None


def finish_pdf(plan: PrintPlan, book: Book, images: dict[str, PreparedImage], target: Path,
               *, layout: Layout) -> dict[str, Any]:
    """Finish the PDF ``target`` laid out for ``book`` (see the module doc) and return the
    preflight report (also written next to it as JSON)."""
    from .preflight import image_sources, preflight

    title, author = book.meta.title, book.meta.author
    actions = finish_file(target, plan, title=title, author=author)
    report: dict[str, Any] = {}
    cover_path = None
    if plan.enabled and book.kind == "book":
        cover_path = target.with_name(f"{target.stem}-cover.pdf")
        cover = write_cover(plan, layout, book, images, cover_path, pages=actions["pages"])
        finish_file(cover_path, plan, title=title, author=author, cover=True)
        report["cover"] = cover
    report.update(preflight(target, plan, sources=image_sources(book, images)))
    report["finishing"] = actions
    if cover_path is not None:
        report["cover"]["preflight"] = preflight(cover_path, plan, sources={},
                                                 cover=True)
    json_path = target.with_name(f"{target.stem}-preflight.json")
    with replacing(json_path) as tmp:
        tmp.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    report["path"] = str(json_path)
    return report


def finish_file(target: Path, plan: PrintPlan, *, title: str, author: str,
                cover: bool = False) -> dict[str, Any]:
    """Apply the plan to the PDF at ``target`` in place; what was done."""
    import pikepdf

    from . import standard

    try:
        pdf = pikepdf.open(target)
    except (OSError, pikepdf.PdfError) as exc:
        raise OutputError(f"cannot reopen the PDF to finish it: {exc}", path=target) from None
    actions: dict[str, Any] = {}
    with pdf:
        bleed = plan.bleed * PT_PER_MM
        css_bleed = plan.css_bleed * PT_PER_MM
        if not cover:
            added = pad_pages(pdf, plan.pad_to)
            actions["blank_pages_added"] = added
        actions["pages"] = len(pdf.pages)
        set_boxes(pdf, bleed, css_bleed)
        if not cover:
            extra = gutter_extra(len(pdf.pages))
            if extra:
                shift_for_gutter(pdf, extra * PT_PER_MM)
            actions["gutter_extra_mm"] = extra
        if plan.gray and not cover:
            from .gray import to_gray

            actions["gray"] = to_gray(pdf)
        drop_empty_resources(pdf)
        variant = pdf_variant(plan)
        actions["standard"] = variant or "none"
        if variant:
            drop_ua_claim(pdf)
        flavour = pdfa_flavour(variant)
        profile = Path(plan.output_profile) if plan.output_profile else None
        if variant == "pdf/x-4":
            standard.make_pdfx4(pdf, title=title, author=author, profile=profile)
        elif flavour:
            standard.make_pdfa(pdf)
        if flavour:
            with replacing(target) as tmp:
                actions["pdfa_findings"] = standard.save_pdfa(pdf, tmp, flavour)
        else:
            version = "1.6" if variant == "pdf/x-4" else None
            with replacing(target) as tmp:
                pdf.save(tmp, min_version=version or "", force_version=version or "",
                         object_stream_mode=pikepdf.ObjectStreamMode.generate,
                         compress_streams=True)
    return actions


def drop_ua_claim(pdf: Any) -> None:
    """A file with a print standard claims that standard only (:mod:`.variant`): a book whose
    chapters were laid out tagged (``pdf/ua-1``) loses their ``pdfuaid:part``; its structure
    tree stays."""
    if "/Metadata" not in pdf.Root:
        return
    with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
        if "pdfuaid:part" in meta:
            del meta["pdfuaid:part"]


def drop_empty_resources(pdf: Any) -> None:
    """Remove the empty /Pattern, /Shading… dictionaries WeasyPrint gives every page (checkers
    that do not model patterns then have nothing to refuse)."""
    from .gray import streams

    for _, resources in list(streams(pdf)):
        if resources is None:
            continue
        for key in ("/Pattern", "/Shading", "/XObject", "/ExtGState", "/Font"):
            value = resources.get(key)
            if value is not None and isinstance(value, type(resources)) and not len(value):
                del resources[key]


def pad_pages(pdf: Any, multiple: int) -> int:
    """Append blank pages (of the last page's size and boxes) up to a multiple; how many."""
    import pikepdf

    missing = -len(pdf.pages) % multiple
    if not missing or not len(pdf.pages):
        return 0
    last = pdf.pages[-1].obj
    for _ in range(missing):
        page = pikepdf.Dictionary(Type=pikepdf.Name.Page, MediaBox=last.MediaBox,
                                  Resources=pikepdf.Dictionary(),
                                  Contents=pdf.make_stream(b"q Q\n"))  # empty compresses badly
        pdf.pages.append(pikepdf.Page(page))
    return missing


def set_boxes(pdf: Any, bleed: float, css_bleed: float) -> None:
    """TrimBox = MediaBox less the CSS bleed; BleedBox = TrimBox plus the bleed (points)."""
    from pikepdf import Array

    for page in pdf.pages:
        x1, y1, x2, y2 = (float(v) for v in page.obj.MediaBox)
        trim = [x1 + css_bleed, y1 + css_bleed, x2 - css_bleed, y2 - css_bleed]
        page.obj.TrimBox = Array([round(v, 4) for v in trim])
        page.obj.BleedBox = Array([round(v, 4) for v in (trim[0] - bleed, trim[1] - bleed,
                                                          trim[2] + bleed, trim[3] + bleed)])
        if "/CropBox" in page.obj:
            del page.obj["/CropBox"]


def shift_for_gutter(pdf: Any, extra: float) -> None:
    """Move each page's drawing away from the spine by ``extra`` points: right-hand (odd)
    pages to the right, left-hand pages to the left; links move with it."""
    from pikepdf import Array

    for index, page in enumerate(pdf.pages):
        dx = extra if index % 2 == 0 else -extra
        page.contents_add(pdf.make_stream(f"q 1 0 0 1 {dx:.4f} 0 cm\n".encode()), prepend=True)
        page.contents_add(pdf.make_stream(b"\nQ\n"))
        for annotation in page.obj.get("/Annots") or []:
            if "/Rect" in annotation:
                x1, y1, x2, y2 = (float(v) for v in annotation.Rect)
                annotation.Rect = Array([x1 + dx, y1, x2 + dx, y2])
