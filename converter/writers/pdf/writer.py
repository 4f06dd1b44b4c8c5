"""The PDF writer: the book as one HTML document with print CSS, for WeasyPrint.

Adapts the book tree for paged media: cover, title page, TOC with page numbers (CSS
``target-counter``), footnotes at the foot of the page (``float: footnote``), math as SVG,
Korean word joiners (see :mod:`converter.writers.linebreak`), then has it laid out: a post as
one document (:mod:`.document`), a book chapter by chapter (:mod:`.book`), in the helper
processes it was given. Reads only prepared images and bundled fonts and themes
(:class:`~converter.writers.fetcher.RestrictedFetcher`).
"""

from __future__ import annotations

import contextlib
import logging
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cached_property, partial
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree, html

from ...book import Asset, Book
from ...errors import OutputError
from ...fonts import needed_families
from ...images import ImageProfile, ImageRequest, PreparedImage
from ...options import PAGE_SIZES, page_size_css
from ...press import finish as press_finish
from ...press import geometry as press_geometry
from ...press import variant as pdf_variants
from ...press.trim import PrintPlan
from ...processes import WarmProcess
from ...resources import fonts_dir, themes_dir
from .. import linebreak
from ..base import Writer, WriteResult, WriterHelpers, place_images
from ..layout import (
    chapter_section,
    label,
    label_headings,
    title_page,
    toc_nav,
    wants_toc,
)
from ..stylesheet import build_stylesheet
from . import document
from .book import lay_out_book
from .engine import PdfResult, warm_up_weasyprint
from .footnotes import page_footnotes
from .frame import FRAME_CSS, FrameMismatch

log = logging.getLogger(__name__)

#: Share of the page width the text block takes (the themes' margins), for image sizing.
_TEXT_WIDTH_SHARE = 0.78
_MM_PER_INCH = 25.4


def _page_width_mm(page_size: str, index: int = 0) -> float:
    key = page_size.strip().upper()
    if key in PAGE_SIZES:
        return PAGE_SIZES[key][index]
    value = page_size_css(page_size).split()[index]
    units = {"mm": 1.0, "cm": 10.0, "in": 25.4, "pt": 25.4 / 72, "px": 25.4 / 96}
    for unit, factor in units.items():
        if value.endswith(unit):
            return float(value[: -len(unit)]) * factor
    return 148.0 if index == 0 else 210.0


def _page_height_mm(page_size: str) -> float:
    return _page_width_mm(page_size, 1)


class PdfWriter(Writer):
    """Writes a paginated, print-quality PDF with WeasyPrint."""

    format: ClassVar[str] = "pdf"
    supports_mathml: ClassVar[bool] = False
    subsets_fonts: ClassVar[bool] = True  # WeasyPrint subsets embedded fonts itself

    @property
    def page_size(self) -> str:
        """The print profile's trim size, else the page size option, else the theme's."""
        return (press_geometry.page_size(self.print_plan) or self.options.page_size
                or self.theme.page_size or "A5")

    @cached_property
    def print_plan(self) -> PrintPlan:
        """The print profile (trim, bleed, standard…; inactive for a screen PDF)."""
        return press_geometry.print_plan(self.options, self.theme)

    #: WeasyPrint's imports take 1–2 s: with a helper process the PDF is laid out there.
    helper_warm_up: ClassVar[Callable[[], None] | None] = warm_up_weasyprint

    def image_request(self, asset: Asset) -> ImageRequest:
        """300 dpi (by default) of the width the image occupies on the page."""
        text_width_in = _page_width_mm(self.page_size) * _TEXT_WIDTH_SHARE / _MM_PER_INCH
        target = round(text_width_in * asset.width_fraction * self.options.pdf_image_dpi)
        # WeasyPrint expands palette PNGs to RGB (two re-encodes); true-colour PNGs it embeds
        # as they are (see converter.writers.patches.pdf_images).
        profile = ImageProfile(max_long_edge=None, max_pixels=None,
                               jpeg_quality=self.options.jpeg_quality, palette=False)
        return ImageRequest(source=asset.source, profile=profile, target_width_px=max(target, 64))

    def build_document(self, book: Book, images: dict[str, PreparedImage],
                       formulas: WarmProcess | None = None) -> html.HtmlElement:
        """The whole book as one HTML document for WeasyPrint; ``formulas``, a helper drawing
        the book's formulas (:func:`~converter.writers.math_svg.draw_formulas`), if any."""
        lang = book.meta.lang
        doc = html.Element("html", {"lang": lang})
        head = etree.SubElement(doc, "head")
        etree.SubElement(head, "meta", {"charset": "utf-8"})
        title = etree.SubElement(head, "title")
        title.text = book.meta.title
        if book.meta.author:
            etree.SubElement(head, "meta", {"name": "author", "content": book.meta.author})
        keywords = sorted({t for c in book.chapters for t in c.tags})
        if keywords:
            etree.SubElement(head, "meta", {"name": "keywords", "content": ", ".join(keywords)})
        if book.meta.date:
            etree.SubElement(head, "meta", {"name": "dcterms.created",
                                           "content": book.meta.date.isoformat()})
        etree.SubElement(head, "meta", {"name": "generator", "content": "hanji"})
        style = etree.SubElement(head, "style")
        style.text = self.stylesheet(book.text() + label(lang, "toc"))
        body = etree.SubElement(doc, "body", {"class": " ".join(
            [f"book kind-{book.kind}",
             *press_geometry.body_classes(self.print_plan, book.kind)])})
        if self.options.cover_page:
            body.append(self.cover(book, images))
        if book.kind == "book":
            body.append(title_page(book))
        if wants_toc(book):
            body.append(toc_nav(book))
        for chapter, chapter_body in zip(book.chapters, self.copy_book_bodies(book)):
            self.place_images(chapter_body, images)
            page_footnotes(chapter_body, self.options.max_page_footnotes)
            body.append(chapter_section(chapter, chapter_body))
        if book.has_math:
            from ..math_svg import (  # only books with math pay for it
                FormulaCache,
                mathml_to_svg,
            )

            drawn = FormulaCache(self.formula_directory)
            if formulas is not None:
                try:
                    drawn.seed(formulas.result())
                except OutputError as exc:  # the formulas are drawn here instead
                    log.debug("formula helper failed: %s", exc)
            mathml_to_svg(body, drawn, warn=self.diagnostics.warn)
        label_headings(body)  # outline and running heads from the text before the joiners
        linebreak.apply(body)
        return doc

    def stylesheet(self, text: str | None = None) -> str:
        """@font-face rules, the theme's print CSS, the page size, the user's extra CSS.

        With ``text``, only the font families it needs are declared: WeasyPrint loads every
        declared font file (the bundle is over 30 MB), so unused fallbacks cost real time.
        """
        families = (needed_families(text, self.theme.fonts.values()) if text is not None
                    else self.theme.font_families())
        rules = [f"@page {{ size: {page_size_css(self.page_size)}; }}"]
        press = press_geometry.stylesheet(self.print_plan, self.theme, self._page_mm())
        if press:  # the print profile's geometry, press.css and gray.css
            rules.append(press)
        return build_stylesheet(families, lambda font: font.path.resolve().as_uri(),
                                self.theme.print_css, self.options.extra_css, rules=rules)

    def _page_mm(self) -> tuple[float, float]:
        """The page (the trim, for a print-ready PDF) in millimetres."""
        return _page_width_mm(self.page_size), _page_height_mm(self.page_size)

    def cover(self, book: Book, images: dict[str, PreparedImage]) -> html.HtmlElement:
        """The cover: the teaser image, or a generated cover with the title."""
        section = html.Element("section", {"class": "cover", "lang": book.meta.lang})
        prepared = images.get(book.cover.id) if book.cover is not None else None
        if prepared is not None:
            section.set("class", "cover cover-image")
            etree.SubElement(section, "img", {"src": prepared.path.resolve().as_uri(), "alt": ""})
        else:
            section.set("class", "cover cover-generated")
        title = etree.SubElement(section, "p", {"class": "cover-title"})
        title.text = book.meta.title
        if book.meta.author:
            author = etree.SubElement(section, "p", {"class": "cover-author"})
            author.text = book.meta.author
        return section

    @staticmethod
    def place_images(root: html.HtmlElement, images: dict[str, PreparedImage]) -> None:
        """Point images at their prepared files; unprepared ones become placeholders."""
        place_images(root, lambda asset_id: images[asset_id].path.resolve().as_uri()
                     if asset_id in images else None)

    def write(self, book: Book, target: Path, images: dict[str, PreparedImage]) -> WriteResult:
        """Render ``book`` and write the PDF atomically."""
        return self.begin(book, target, images)()

    def begin(self, book: Book, target: Path, images: dict[str, PreparedImage],
              helpers: WriterHelpers | None = None) -> Callable[[], WriteResult]:
        """Build the document here; lay it out in the ``helpers``' processes if there are any
        (the returned function waits for them), else here and now.

        A book of several chapters is laid out chapter by chapter, in parallel and cached
        (:mod:`.book`); a single post as one document.
        """
        helpers = helpers or WriterHelpers()
        document_tree = self.build_document(book, images, helpers.formulas)
        image_dirs = {p.path.resolve().parent for p in images.values()}
        # Custom themes (folders outside the package) may reference their own files.
        roots = [fonts_dir(), themes_dir(), *self.theme.chain, *image_dirs]
        error_path = (book.chapters[0].source if book.chapters else None) or target
        processes = helpers.processes
        if book.kind == "book" and len(book.chapters) > 1:
            work = partial(self._write_by_chapter, document_tree, roots, target, error_path,
                           processes)
        else:
            # The stylesheet goes beside the HTML, so that a process laying out post after post
            # (a batch's helper, hanji serve) parses it and loads its fonts once.
            style = document_tree.find("head/style")
            style.getparent().remove(style)
            source = html.tostring(document_tree, encoding="unicode", doctype="<!DOCTYPE html>")
            job = (source, str(themes_dir()) + "/", roots, target, error_path,
                   self._write_options(), style.text or "")
            work = partial(document.render_whole, job, processes, error_path)
        finish = None
        if self.print_plan.active:  # print-ready: page boxes, standard, cover, preflight
            layout = press_finish.Layout(
                stylesheet=self.stylesheet,
                render=partial(document.render_file,
                               [fonts_dir(), themes_dir(), *self.theme.chain]),
                page_size=self._page_mm())
            finish = partial(press_finish.finish_pdf, self.print_plan, book, images,
                             layout=layout)
        if not processes:
            rendered = work()
            return lambda: self._result(target, rendered, finish)
        # The layout processes are driven from a thread: this one goes on (the EPUB writer).
        conductor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hanji-pdf")
        pending = conductor.submit(work)
        conductor.shutdown(wait=False)
        return lambda: self._result(target, pending.result(), finish)

    def _write_options(self) -> dict[str, Any]:
        """WeasyPrint's ``write_pdf`` options: tagging and the print standard, chosen together
        (:func:`converter.press.variant.weasyprint_options`)."""
        return pdf_variants.weasyprint_options(self.print_plan, self.options.tagged_pdf)

    def _write_by_chapter(self, document_tree: html.HtmlElement, roots: list[Path],
                          target: Path, error_path: Path, processes: Sequence[WarmProcess]
                          ) -> PdfResult:
        """Lay the book out chapter by chapter (:mod:`.book`), layouts cached beside the
        images; as one document if the theme's pages do not allow it."""
        base_url = str(themes_dir()) + "/"
        stylesheet = document_tree.find("head/style").text or ""
        with contextlib.ExitStack() as stack:
            if self.cache is not None:
                directory = self.cache.directory / "pdf"
            else:
                directory = Path(stack.enter_context(
                    tempfile.TemporaryDirectory(prefix="hanji-pdf-")))
            try:
                return lay_out_book(document_tree, stylesheet,
                                    FRAME_CSS.read_text(encoding="utf-8"), base_url, roots,
                                    target, directory, processes, error_path,
                                    tagged=self.options.tagged_pdf)
            except FrameMismatch as exc:
                log.info("%s: laying the book out as one document", exc.message)
                source = html.tostring(document_tree, encoding="unicode",
                                       doctype="<!DOCTYPE html>")
                job = (source, base_url, roots, target, error_path, self._write_options())
                return document.render_whole(job, processes, error_path)

    def _result(self, target: Path, rendered: PdfResult,
                finish: Callable[[Path], dict[str, Any]] | None = None) -> WriteResult:
        for message in rendered.warnings:
            self.diagnostics.warn(message)
        if finish is None:
            return WriteResult(path=target, format=self.format, pages=rendered.pages,
                               size=rendered.size, page_starts=rendered.page_starts)
        report = finish(target)  # the print profile's preflight report
        return WriteResult(path=target, format=self.format, pages=report["pages"],
                           size=target.stat().st_size, report=report,
                           page_starts=rendered.page_starts)
