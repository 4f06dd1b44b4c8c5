"""The EPUB 3 writer (EbookLib): reflowable XHTML chapters, subset fonts, resized images.

Each chapter is its own XHTML document; the navigation document and NCX come from the
chapters and their headings. Fonts are embedded subset to the characters the book uses; math
stays MathML (items are marked with the ``mathml`` property).
"""

from __future__ import annotations

import copy
import posixpath
import zipfile
from pathlib import Path
from typing import Any, ClassVar

from ebooklib import epub
from lxml import etree, html

from ..book import Asset, Book, Chapter
from ..errors import OutputError
from ..fonts import needed_families, subset_font
from ..images import EXTENSIONS, ImageProfile, ImageRequest, PreparedImage
from . import accessibility
from .base import Writer, WriteResult, atomic_output, place_images
from .layout import chapter_section, label, title_page
from .stylesheet import build_stylesheet
from .xhtml import xhtml_document

_STYLESHEET = "styles/book.css"


class _XhtmlItem(epub.EpubHtml):
    """A content document whose XHTML hanji serialises itself (EbookLib would re-parse it)."""

    def get_content(self, default: Any = None) -> bytes:
        return self.content


#: Members already compressed in their own format: stored in the EPUB, not deflated again
#: (deflating the 25 MB of photos of a 64-post book cost 0.6 CPU-s and saved 4% of the EPUB).
_STORED_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp")


class _MediaStoringZip(zipfile.ZipFile):
    """A ZIP archive that stores compressed images as they are and deflates the rest."""

    def writestr(self, zinfo_or_arcname: Any, data: Any, compress_type: int | None = None,
                 compresslevel: int | None = None) -> None:
        name = (zinfo_or_arcname if isinstance(zinfo_or_arcname, str)
                else zinfo_or_arcname.filename)
        if compress_type is None and name.lower().endswith(_STORED_SUFFIXES):
            compress_type = zipfile.ZIP_STORED
        super().writestr(zinfo_or_arcname, data, compress_type=compress_type,
                         compresslevel=compresslevel)


class _EpubPacker(epub.EpubWriter):  # type: ignore[misc]
    """EbookLib's EPUB writer, into a :class:`_MediaStoringZip`; errors are raised (EbookLib's
    ``write_epub`` only warns of an ``OSError`` and returns False)."""

    def write(self) -> None:
        with _MediaStoringZip(self.file_name, "w", zipfile.ZIP_DEFLATED) as self.out:
            self.out.writestr("mimetype", "application/epub+zip",
                              compress_type=zipfile.ZIP_STORED)
            self._write_container()
            self._write_opf()
            self._write_items()


def _write_epub(path: Path, eb: epub.EpubBook, options: dict[str, Any]) -> None:
    """Write ``eb`` to ``path`` as :func:`ebooklib.epub.write_epub` does, images stored."""
    packer = _EpubPacker(str(path), eb, options)
    packer.process()
    packer.write()


class EpubWriter(Writer):
    """Writes a valid, compact EPUB 3."""

    format: ClassVar[str] = "epub"
    supports_mathml: ClassVar[bool] = True
    subsets_fonts: ClassVar[bool] = True

    def image_request(self, asset: Asset) -> ImageRequest:
        """At most ``epub_image_max_edge`` px on the long edge and ``epub_image_max_pixels``."""
        profile = ImageProfile(max_long_edge=self.options.epub_image_max_edge,
                               max_pixels=self.options.epub_image_max_pixels,
                               jpeg_quality=self.options.jpeg_quality)
        return ImageRequest(source=asset.source, profile=profile)

    def write(self, book: Book, target: Path, images: dict[str, PreparedImage]) -> WriteResult:
        """Assemble and write the EPUB atomically."""
        meta = book.meta
        eb = epub.EpubBook()
        eb.set_identifier(meta.ensure_identifier(str(target.name) + meta.title))
        eb.set_title(meta.title)
        eb.set_language(meta.lang)
        if meta.author:
            eb.add_author(meta.author)
        if meta.date:
            eb.add_metadata("DC", "date", meta.date.isoformat())
        if meta.description:
            eb.add_metadata("DC", "description", meta.description)
        for tag in sorted({t for c in book.chapters for t in c.tags}):
            eb.add_metadata("DC", "subject", tag)

        body_images = {k: v for k, v in images.items()
                       if book.cover is None or k != book.cover.id}
        image_files = self._add_images(eb, body_images)
        eb.add_item(epub.EpubItem(uid="style", file_name=_STYLESHEET, media_type="text/css",
                                  content=self._stylesheet(eb, book).encode("utf-8")))
        spine: list[Any] = []
        stylesheets = [posixpath.relpath(_STYLESHEET, "text")]
        cover_item = self._add_cover(eb, book, images, stylesheets)
        if cover_item is not None:
            spine.append(cover_item)
        if book.kind == "book":
            doc = xhtml_document(title=meta.title, lang=meta.lang, body_children=[title_page(book)],
                                 stylesheets=stylesheets, body_class="front-matter")
            item = _XhtmlItem(uid="titlepage", file_name="text/titlepage.xhtml", title=meta.title,
                              lang=meta.lang)
            item.content = doc
            eb.add_item(item)
            spine.append(item)

        files = {chapter.id: f"text/{chapter.id}.xhtml" for chapter in book.chapters}
        id_to_file = {}
        for chapter in book.chapters:
            for element in chapter.body.iter():
                if element.get("id"):
                    id_to_file[element.get("id")] = files[chapter.id]
            id_to_file[f"{chapter.id}-title"] = files[chapter.id]
            id_to_file[chapter.id] = files[chapter.id]
        chapter_items = []
        for chapter in book.chapters:
            body = copy.deepcopy(chapter.body)
            accessibility.prepare_body(body)
            self._place_images(body, image_files)
            self._link_across_files(body, files[chapter.id], id_to_file)
            section = chapter_section(chapter, body)
            doc = xhtml_document(title=chapter.title, lang=chapter.lang, body_children=[section],
                                 stylesheets=stylesheets)
            item = _XhtmlItem(uid=chapter.id, file_name=files[chapter.id], title=chapter.title,
                              lang=chapter.lang)
            item.content = doc
            if chapter.has_math or b"<math" in doc:
                item.properties.append("mathml")
            eb.add_item(item)
            chapter_items.append(item)

        eb.toc = self._toc(book, files)
        eb.add_item(epub.EpubNcx())
        nav = epub.EpubNav(title=label(meta.lang, "toc"))
        eb.add_item(nav)
        if book.kind == "book":
            spine.append(nav)
        spine.extend(chapter_items)
        eb.spine = spine
        facts = accessibility.survey(
            (chapter.body for chapter in book.chapters), meta.lang,
            animated=any(accessibility.is_animated(p.path) for p in body_images.values()
                         if p.media_type in {"image/gif", "image/webp", "image/png"}))
        accessibility.add_metadata(eb, facts)
        write_options = {"epub3_pages": False, "epub2_guide": False, **accessibility.landmarks(
            eb, meta.lang, chapter_items[0] if chapter_items else None,
            nav.file_name if nav in spine else None,
            cover_item.file_name if cover_item is not None else None)}
        try:
            with atomic_output(target) as tmp:
                _write_epub(tmp, eb, write_options)
                accessibility.finish_package(tmp, meta.lang)
        except OutputError:
            raise
        except Exception as exc:
            raise OutputError(f"EPUB writing failed: {type(exc).__name__}: {exc}",
                              path=target) from exc
        return WriteResult(path=target, format=self.format, size=target.stat().st_size)

    def _add_images(self, eb: epub.EpubBook, images: dict[str, PreparedImage]) -> dict[str, str]:
        files: dict[str, str] = {}
        for asset_id, prepared in sorted(images.items()):
            file_name = f"images/{asset_id}{EXTENSIONS.get(prepared.media_type, '.bin')}"
            eb.add_item(epub.EpubItem(uid=asset_id, file_name=file_name,
                                      media_type=prepared.media_type,
                                      content=prepared.path.read_bytes()))
            files[asset_id] = file_name
        return files

    def _add_cover(self, eb: epub.EpubBook, book: Book, images: dict[str, PreparedImage],
                   stylesheets: list[str]) -> _XhtmlItem | None:
        if not self.options.cover_page:
            return None
        prepared = images.get(book.cover.id) if book.cover is not None else None
        if prepared is not None:
            file_name = f"images/cover{EXTENSIONS.get(prepared.media_type, '.jpg')}"
            eb.set_cover(file_name, prepared.path.read_bytes(), create_page=False)
        else:  # no cover image or teaser (or unreadable): the generated cover, as in the PDF
            from ..covers import draw_cover

            file_name = "images/cover.png"
            eb.set_cover(file_name, draw_cover(book.meta, self.theme), create_page=False)
        section = html.Element("section", {"class": "cover cover-image"})
        etree.SubElement(section, "img", {"src": posixpath.relpath(file_name, "text"),
                                         "alt": book.meta.title})
        item = _XhtmlItem(uid="cover-page", file_name="text/cover.xhtml", title=book.meta.title,
                          lang=book.meta.lang)
        item.content = xhtml_document(title=book.meta.title, lang=book.meta.lang,
                                      body_children=[section], stylesheets=stylesheets,
                                      body_class="cover-page")
        eb.add_item(item)
        return item

    def _stylesheet(self, eb: epub.EpubBook, book: Book) -> str:
        """Subset fonts (added to ``eb``) + @font-face rules + theme EPUB CSS + extra CSS."""
        text = book.text() + label(book.meta.lang, "toc")
        names: dict[Path, str] = {}
        families = needed_families(text, self.theme.fonts.values())
        for face in (face for family in families for face in family.faces):
            # Always subsets: they are small, and they drop tables some readers reject.
            file_name = f"fonts/{face.path.stem}{face.path.suffix.lower()}"
            eb.add_item(epub.EpubItem(uid=f"font-{face.path.stem}", file_name=file_name,
                                      media_type=face.media_type,
                                      content=subset_font(face.path, text, hinting=False)))
            names[face.path] = posixpath.relpath(file_name, posixpath.dirname(_STYLESHEET))
        return build_stylesheet(families, lambda face: names.get(face.path, ""),
                                self.theme.epub_css, self.options.extra_css)

    @staticmethod
    def _place_images(root: html.HtmlElement, files: dict[str, str]) -> None:
        place_images(root, lambda asset_id: posixpath.relpath(files[asset_id], "text")
                     if asset_id in files else None)

    @staticmethod
    def _link_across_files(root: html.HtmlElement, own_file: str, id_to_file: dict[str, str]) -> None:
        for link in root.iter("a"):
            href = link.get("href") or ""
            if not href.startswith("#"):
                continue
            target_file = id_to_file.get(href[1:])
            if target_file is None:
                link.attrib.pop("href")
            elif target_file != own_file:
                link.set("href", posixpath.relpath(target_file, posixpath.dirname(own_file)) + href)

    @staticmethod
    def _toc(book: Book, files: dict[str, str]) -> list[Any]:
        def heading_links(chapter: Chapter) -> list[Any]:
            out: list[Any] = []
            stack: list[tuple[int, list[Any]]] = [(1, out)]
            for heading in chapter.headings:
                if heading.level > 3:
                    continue
                link = epub.Link(f"{files[chapter.id]}#{heading.id}", heading.title, heading.id)
                while len(stack) > 1 and heading.level <= stack[-1][0]:
                    stack.pop()
                children: list[Any] = []
                stack[-1][1].append((link, children))
                stack.append((heading.level, children))

            def flatten(entries: list[Any]) -> list[Any]:
                return [(link, flatten(kids)) if kids else link for link, kids in entries]

            return flatten(out)

        toc: list[Any] = []
        for chapter in book.chapters:
            href = files[chapter.id]
            sub = heading_links(chapter)
            if sub:
                toc.append((epub.Section(chapter.title, href=href), sub))
            else:
                toc.append(epub.Link(href, chapter.title, chapter.id))
        return toc
