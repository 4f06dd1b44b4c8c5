"""The reading view's HTML: a built chapter as the EPUB shows it, with URLs the server answers.

The chapter goes through the same steps as in the EPUB (:func:`chapter_section`, images put
in place, links across chapters), but images point at the site's own files (``/site/…``) and
links to other chapters at their reading views.
"""

from __future__ import annotations

import copy
import functools
import io
from pathlib import Path
from typing import Any
from urllib.parse import quote

from lxml import html

from ..book import Chapter
from ..builder import Builder, Document
from ..fonts import font_face_css
from ..resources import fonts_dir
from ..writers.base import place_images
from ..writers.layout import chapter_section
from .files import site_url

#: Reading-column widths the toolbar offers: (name, label, CSS width).
WIDTHS = (("phone", "Phone", "360px"), ("tablet", "Tablet", "600px"), ("wide", "Wide", "820px"))


def chapter_html(builder: Builder, doc: Document, chapter: Chapter,
                 chapter_files: dict[str, int]) -> str:
    """The ``<section class="chapter">`` of ``chapter`` as HTML for the reading view.

    ``chapter_files`` maps element ids of the document to their chapter numbers (1-based), so
    that links to other chapters go to those chapters' views.
    """
    body = copy.deepcopy(chapter.body)

    def src(asset_id: str) -> str | None:
        asset = builder.asset(asset_id)
        if asset is None:
            return None
        return site_url(builder.root, asset.source) or f"/_asset/{quote(asset_id)}"

    place_images(body, src)
    own = chapter_files.get(chapter.id)
    for link in body.iter("a"):
        href = link.get("href") or ""
        if href.startswith("#"):
            number = chapter_files.get(href[1:])
            if number is not None and number != own:
                link.set("href", f"/{doc.key}/epub/{number}{href}")
    section = chapter_section(chapter, body)
    return html.tostring(section, encoding="unicode", method="html")


def chapter_ids(chapter: Chapter) -> list[str]:
    """The ids of a chapter: its own, its title's, then its elements' in document order."""
    return [chapter.id, f"{chapter.id}-title",
            *(ident for element in chapter.body.iter() if (ident := element.get("id")))]


def chapter_files(chapters: list[Chapter], ids: list[list[str]] | None = None
                  ) -> dict[str, int]:
    """Element id → chapter number (1-based) for every id of the chapters (``ids``: each
    chapter's :func:`chapter_ids`, if known already)."""
    found: dict[str, int] = {}
    for number, chapter in enumerate(chapters, start=1):
        own = ids[number - 1] if ids is not None else chapter_ids(chapter)
        found[own[0]] = number
        found[own[1]] = number
        for ident in own[2:]:
            found.setdefault(ident, number)
    return found


def theme_css(builder: Builder) -> str:
    """The reading view's stylesheet: the bundled fonts, the theme's EPUB CSS, extra CSS."""
    theme = builder.theme
    root = fonts_dir().resolve()

    def url(face: Any) -> str:
        path = face.path
        try:
            return "/_fonts/" + quote(path.resolve().relative_to(root).as_posix())
        except ValueError:
            return ""

    parts = [font_face_css(theme.font_families(), url), theme.epub_css]
    for extra in builder.options.extra_css:
        try:
            parts.append(Path(extra).read_text(encoding="utf-8"))
        except OSError:
            continue
    return "\n".join(parts)


#: Tables browsers' font sanitiser (OTS) rejects and readers never use: VTT hinting sources
#: (an empty ``TSI3`` makes Chromium refuse NanumGothic outright).
_DROPPED_TABLES = ("TSI0", "TSI1", "TSI2", "TSI3", "TSI5", "TSIB", "TSIC", "TSID", "TSIJ",
                   "TSIP", "TSIS", "TSIV")


@functools.lru_cache(maxsize=16)
def web_font(path: Path) -> bytes:
    """A bundled font as the reading view sends it: every glyph kept (the author may type any
    character), the tables browsers reject dropped (the EPUB writer's subsets drop them too)."""
    from fontTools.ttLib import TTFont

    font = TTFont(path, lazy=False)
    dropped = [tag for tag in _DROPPED_TABLES if tag in font]
    if not dropped:
        return path.read_bytes()
    for tag in dropped:
        del font[tag]
    buffer = io.BytesIO()
    font.save(buffer)
    return buffer.getvalue()


__all__ = ["WIDTHS", "chapter_files", "chapter_html", "chapter_ids", "theme_css",
           "web_font"]
