"""Python-Markdown pieces that make its output match kramdown's (Jekyll's default Markdown).

- :func:`gfm_header_id`: heading ids as kramdown's GFM parser makes them (``auto_ids``): lower
  case, every character that is no letter, digit, ``_``, ``-``, space or tab removed, each
  space or tab a ``-`` (not collapsed), Hangul kept. The toc extension calls it as its
  ``slugify``.
- :class:`KramdownIdsExtension`: a repeated heading gets ``-1``, ``-2`` … (kramdown), not
  Python-Markdown's ``_1``.
- :class:`RawHtmlMarkExtension`: elements of a raw HTML block get ``data-raw``; kramdown does
  not parse such a block (``parse_block_html: false``), so its text gets no smart quotes or
  typographic symbols (``transforms/smart_typography.py`` reads and removes the mark).
- :class:`KramdownEscapesExtension`: the backslash escapes kramdown's GFM parser knows beyond
  Python-Markdown's (``\\<``, ``\\>``, ``\\|``, ``\\"``, ``\\'``, ``\\=``, ``\\~``, ``\\:``), so
  ``\\<h1>`` shows ``<h1>``, not the backslash (``\\$`` is the math rules' business).
- :class:`KramdownAbbrExtension`: ``*[HTML]: …`` abbreviations match where kramdown matches
  them: Ruby's ``\\w`` is ASCII, so ``HTML과`` is ``<abbr>HTML</abbr>과`` (Python-Markdown's
  Unicode ``\\b`` finds nothing there).
- :class:`GfmAutolinkExtension`: bare URLs end where GFM's extended autolinks end them
  (trailing punctuation, an unbalanced ``)``, a quote or a non-ASCII letter stay outside).

This module knows nothing about Jekyll sites or output formats.
"""

from __future__ import annotations

import re
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.extensions.abbr import AbbrExtension, AbbrTreeprocessor
from markdown.extensions.md_in_html import MarkdownInHTMLPostprocessor
from markdown.treeprocessors import Treeprocessor
from pymdownx.magiclink import MagiclinkPattern

_NON_WORD = re.compile(r"[^\w\- \t]")


def gfm_header_id(value: str, separator: str = "-") -> str:
    """kramdown-parser-gfm's ``generate_gfm_header_id`` without the counter."""
    result = _NON_WORD.sub("", value.lower())
    return result.replace(" ", "-").replace("\t", "-")


class _KramdownAbbrTreeprocessor(AbbrTreeprocessor):
    def run(self, root: Any) -> Any:
        if not self.abbrs:
            return None
        keys = sorted(self.abbrs, key=len, reverse=True)
        alternatives = "|".join(re.escape(key) for key in keys)
        # kramdown: (?:\W|^)ABBR(?!\w), with Ruby's ASCII \w.
        self.RE = re.compile(f"(?:(?<=[^A-Za-z0-9_])|^)(?:{alternatives})(?![A-Za-z0-9_])",
                             re.MULTILINE)
        self.iter_element(root)
        return None


class KramdownAbbrExtension(AbbrExtension):
    """Python-Markdown's abbr extension with kramdown's (ASCII) word boundaries."""

    def extendMarkdown(self, md: Markdown) -> None:
        super().extendMarkdown(md)
        md.treeprocessors.register(_KramdownAbbrTreeprocessor(md, self.abbrs), "abbr", 7)


_SUFFIX = re.compile(r"^(.*)_(\d+)$")


class _HeadingIdsTreeprocessor(Treeprocessor):
    """``x_1`` (the toc extension's second ``x``) → ``x-1`` (kramdown's)."""

    def run(self, root: Any) -> Any:
        headings = [el for el in root.iter() if el.tag in ("h1", "h2", "h3", "h4", "h5", "h6")]
        ids = {el.get("id") for el in headings if el.get("id")}
        for el in headings:
            ident = el.get("id") or ""
            match = _SUFFIX.match(ident)
            if match and match.group(1) in ids:
                el.set("id", f"{match.group(1)}-{match.group(2)}")
        return None


class KramdownIdsExtension(Extension):
    """Repeated heading ids numbered as kramdown numbers them (runs after the toc extension)."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.treeprocessors.register(_HeadingIdsTreeprocessor(md), "kramdown_ids", 4)


#: The attribute marking elements that came from a raw HTML block.
RAW_MARK = "data-raw"
_OPENING_TAG = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)(?=[\s/>])")


class _MarkRawPostprocessor(MarkdownInHTMLPostprocessor):
    def stash_to_string(self, text: Any) -> str:
        result = super().stash_to_string(text)
        if isinstance(text, str) and self.isblocklevel(text.lstrip()):
            return _OPENING_TAG.sub(rf'<\1 {RAW_MARK}=""', result)
        return result


class RawHtmlMarkExtension(Extension):
    """Mark the elements of raw HTML blocks (load after ``md_in_html``)."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.postprocessors.register(_MarkRawPostprocessor(md), "raw_html", 30)


#: kramdown-parser-gfm's ESCAPED_CHARS_GFM minus what Python-Markdown already escapes and ``$``.
_KRAMDOWN_ESCAPES = ("<", ">", "|", '"', "'", "=", "~", ":")


class KramdownEscapesExtension(Extension):
    """Backslash escapes as kramdown's GFM parser reads them."""

    def extendMarkdown(self, md: Markdown) -> None:
        md.ESCAPED_CHARS.extend(c for c in _KRAMDOWN_ESCAPES if c not in md.ESCAPED_CHARS)


# A bare URL as GFM's extended autolinks read it, limited to ASCII: scheme or www., an ASCII
# domain, then URL characters (no quote, no angle bracket, no space, no non-ASCII letter).
_BARE_URL = r"""(?xi)
(?P<link>
    (?:(?<=\b)|(?<=_))(?:
        (?:ht|f)tps?://[a-z0-9][-a-z0-9]*(?:\.[-a-z0-9]+)*\.?|
        (?P<www>www\.)[a-z0-9][-a-z0-9]*(?:\.[-a-z0-9]+)*
    )
    (?::[0-9]+)?
    (?:[/?\#][-a-z0-9._~:/?\#\[\]@!$&'()*+,;=%{}|^]*)?
)
"""
_TRAILING = "?!.,:*_~'"
_ENTITY_END = re.compile(r"&[A-Za-z0-9]+;$")


def gfm_autolink_end(url: str) -> str:
    """``url`` without GFM's trailing punctuation: ``?!.,:*_~'``, a ``)`` without its ``(``,
    an entity reference (``&amp;``) at the end."""
    while url:
        if url[-1] in _TRAILING or url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1]
        elif url.endswith(";"):
            entity = _ENTITY_END.search(url)
            url = url[:entity.start()] if entity else url[:-1]
        else:
            break
    return url


class _GfmLinkPattern(MagiclinkPattern):  # type: ignore[misc]
    def handleMatch(self, m: re.Match[str], data: str) -> Any:
        link = gfm_autolink_end(m.group("link"))
        if "://" in link and not re.search(r"://[^/?#]+\.[^/?#]*[a-z0-9]", link, re.IGNORECASE) \
                and "://localhost" not in link.lower():
            return None, None, None
        match = re.match(_BARE_URL, link)
        if match is None or match.end() != len(link):
            return None, None, None
        element, start, _ = super().handleMatch(match, data)
        return element, m.start(0), m.start(0) + len(link)


class GfmAutolinkExtension(Extension):
    """Bare URLs end where GFM's extended autolinks end them (load after ``pymdownx.magiclink``):
    trailing punctuation and an unbalanced ``)`` stay outside, and a quote, an angle bracket or
    a non-ASCII letter ends the URL (``“https://a.kr/”이다`` links ``https://a.kr/``)."""

    def extendMarkdown(self, md: Markdown) -> None:
        magic = md.inlinePatterns["magic-link"]
        pattern = _GfmLinkPattern(_BARE_URL, md)
        pattern.config = magic.config
        md.inlinePatterns.register(pattern, "magic-link", 85)
