"""Front-matter titles as the theme shows them: inline HTML and Markdown rendered once.

Real titles carry markup (``title: <font size="5">…</font>``, ``*강조*``, ``&amp;``). Themes
print them raw (minimal-mistakes through ``markdownify``), so the reader sees formatted text.
:func:`title_html` renders such a title into sanitised inline HTML for the chapter heading
(emphasis, code, sub/superscript kept; ``<font>``, sizes, colours, links and everything
block-level dropped, their text kept) with the site's smart quotes and typographic symbols;
:func:`title_text` gives the same title as plain text, for everything that is no HTML: the
table of contents, PDF outline and metadata, running heads, EPUB nav and ``dc:title``.
This module knows nothing about output formats.
"""

from __future__ import annotations

import re

import markdown
import nh3
from lxml import html

from .kramdown_config import KramdownOptions
from .transforms.smart_typography import smarten

#: Inline elements a chapter title may keep (no attributes but ``abbr``'s ``title``).
_TITLE_TAGS = {"b", "strong", "i", "em", "u", "s", "del", "ins", "mark", "sub", "sup", "code",
               "small", "abbr", "q", "cite", "span", "br"}
#: A title starting like a block (``1. 제목``, ``- 제목``, ``# 제목``) is no list or heading.
_BLOCK_START = re.compile(r"^(\s*)(\d+)([.)]\s)|^(\s*)([-*+#>])(\s)")
_MARKUP = re.compile(r"[<>&*_`~\\\[\]\"'.-]")


def title_html(raw: str, options: KramdownOptions | None = None) -> str:
    """``raw`` (a front-matter value) as sanitised inline HTML."""
    text = " ".join(str(raw or "").split())
    if not text:
        return ""
    if not _MARKUP.search(text):
        return html_escape(text)
    escaped = _BLOCK_START.sub(lambda m: (m.group(1) or m.group(4) or "")
                               + (m.group(2) + "\\" + m.group(3) if m.group(2)
                                  else "\\" + m.group(5) + m.group(6)), text, count=1)
    rendered = markdown.markdown(escaped, extensions=["pymdownx.tilde"],
                                 extension_configs={"pymdownx.tilde": {"subscript": False}})
    cleaned = nh3.clean(rendered, tags=_TITLE_TAGS, attributes={"abbr": {"title"}},
                        clean_content_tags={"script", "style"}, strip_comments=True,
                        link_rel=None)
    root = html.fragment_fromstring(cleaned or "", create_parent="div")
    if options is not None:
        smarten(root, options.smart_quotes, options.typographic_symbols)
    return ((root.text and html_escape(root.text) or "") + "".join(
        html.tostring(child, encoding="unicode") for child in root)).strip()


def title_text(raw: str, options: KramdownOptions | None = None) -> str:
    """``raw`` as plain text: what :func:`title_html` shows, without the markup."""
    rendered = title_html(raw, options)
    if not rendered:
        return ""
    root = html.fragment_fromstring(rendered, create_parent="div")
    return " ".join(root.text_content().split())


def html_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
