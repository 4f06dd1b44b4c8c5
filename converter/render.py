"""The one wrapper around Python-Markdown: normalized Markdown → sanitized HTML → lxml tree.

This module knows the Markdown extensions hanji enables and nothing about output formats.
"""

from __future__ import annotations

import unicodedata

import markdown
from lxml import etree, html

from .markdown_kramdown import (
    GfmAutolinkExtension,
    KramdownAbbrExtension,
    KramdownEscapesExtension,
    KramdownIdsExtension,
    RawHtmlMarkExtension,
    gfm_header_id,
)
from .transforms.sanitize import sanitize_html

# pymdownx.superfences (not fenced_code): fences inside list items and block quotes, as in
# kramdown's GFM input; pymdownx.highlight runs Pygments on them.
# Abbreviations and heading ids as kramdown makes them: converter/markdown_kramdown.py.
_EXTENSIONS: list[str | markdown.Extension] = [
    "attr_list", "def_list", "pymdownx.superfences", "pymdownx.highlight", "footnotes",
    "md_in_html", "tables", "toc", "sane_lists", "pymdownx.tilde", "pymdownx.tasklist",
    "pymdownx.magiclink",
]


def _slugify(value: str, separator: str) -> str:
    """Heading ids as kramdown's GFM parser makes them (Hangul kept)."""
    return gfm_header_id(unicodedata.normalize("NFC", value).strip(), separator) or "section"


def _markdown() -> markdown.Markdown:
    return markdown.Markdown(
        extensions=[*_EXTENSIONS, KramdownAbbrExtension(), KramdownIdsExtension(),
                    RawHtmlMarkExtension(), KramdownEscapesExtension(),
                    GfmAutolinkExtension()],
        extension_configs={
            "pymdownx.highlight": {"css_class": "highlight", "guess_lang": False,
                                   "pygments_lang_class": True, "use_pygments": True},
            "footnotes": {"SEPARATOR": "-", "BACKLINK_TEXT": "↩"},
            "toc": {"slugify": _slugify, "permalink": False},
            "pymdownx.tilde": {"subscript": False},
            "pymdownx.magiclink": {"hide_protocol": False},
        },
        output_format="html",
    )


def markdown_to_html(text: str) -> str:
    """Render normalized Markdown to an HTML fragment string (not yet sanitized)."""
    return _markdown().convert(text)


def parse_fragment(fragment: str) -> html.HtmlElement:
    """Parse an HTML fragment into a ``<div>`` root element (a real HTML parser, libxml2)."""
    parser = html.HTMLParser(remove_comments=True, remove_pis=True, no_network=True,
                             huge_tree=True, default_doctype=False)
    root = html.fragment_fromstring(fragment or "", create_parent="div", parser=parser)
    return root


def render_html(text: str) -> str:
    """Markdown body → sanitized HTML fragment string (a function of ``text`` alone:
    :mod:`converter.render_cache` keeps it between runs)."""
    return sanitize_html(parse_fragment(markdown_to_html(text)))


def render_body(text: str) -> html.HtmlElement:
    """Markdown body → sanitized HTML tree rooted at a ``<div>``."""
    return parse_fragment(render_html(text))


def tree_to_string(root: etree._Element) -> str:
    return html.tostring(root, encoding="unicode")
