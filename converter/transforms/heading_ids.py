"""Heading ids and TOC membership as the site's kramdown settings say (``auto_ids``,
``auto_id_prefix``, ``toc_levels``, the ``no_toc`` class).

Python-Markdown's toc extension gives every heading an id (kramdown-GFM's spelling, see
``converter/markdown_kramdown.py``). kramdown gives one only with ``auto_ids: true`` (Jekyll's
default) and puts ``auto_id_prefix`` before it, so in-post links written for the blog
(``(#sec-첫-번째-절)``) resolve exactly when they resolve on the blog. An id the author wrote
(``## 제목 {#own}``, or an IAL, applied later by ``attributes``) is kept either way.

kramdown's table of contents lists headings whose level is in ``toc_levels`` and that have no
``no_toc`` class; the book's table of contents and PDF outline replace that TOC, so they take
the same headings: other headings get ``data-toc="no"``, which
:func:`converter.assemble.collect_headings` reads (and removes).
"""

from __future__ import annotations

import re
import unicodedata

from lxml import html

from ..markdown_kramdown import gfm_header_id
from . import TransformContext, transform

_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
#: The attribute marking a heading the book's TOC leaves out.
NO_TOC = "data-toc"


def _is_automatic(ident: str, text: str) -> bool:
    slug = gfm_header_id(unicodedata.normalize("NFC", text).strip()) or "section"
    return ident == slug or re.fullmatch(re.escape(slug) + r"[-_]\d+", ident) is not None


@transform("heading_ids", priority=98)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Drop or prefix automatic heading ids; mark headings outside ``toc_levels``."""
    options = ctx.kramdown
    for heading in root.iter(*_HEADINGS):
        ident = heading.get("id")
        if ident and _is_automatic(ident, heading.text_content()):
            if not options.auto_ids:
                del heading.attrib["id"]
            elif options.auto_id_prefix:
                heading.set("id", options.auto_id_prefix + ident)
        level = int(heading.tag[1])
        if level not in options.toc_levels:
            heading.set(NO_TOC, "no")
