"""HTML blocks whose content must be rendered as Markdown.

Real posts put Markdown inside ``<center>`` and ``<figure>`` (``<center>![img](…)</center>``).
Python-Markdown renders block HTML content only when the element carries ``markdown="1"``, and
treats indented lines inside it as code, so these rules add the attribute and dedent the block.

With the site's ``kramdown: parse_block_html: true`` kramdown parses the content of every HTML
block by the element's content model; ``parse_block_html`` gives those blocks ``markdown="1"``.
"""

from __future__ import annotations

import html
import re

from ..kramdown_config import kramdown_options
from . import DialectContext, rule
from .segments import inline_code_spans, map_outside_code

# An opening <center> or <figure> at the start of a line (any case), through its closing tag.
_MARKDOWN_BLOCK = re.compile(
    r"^(?P<indent>[ \t]*)<(?P<tag>center|figure)(?P<attrs>(?:\s[^>]*)?)>(?P<body>.*?)</(?P=tag)\s*>",
    re.IGNORECASE | re.MULTILINE | re.DOTALL,
)
_HAS_MARKDOWN_ATTR = re.compile(r"\bmarkdown\s*=", re.IGNORECASE)


def _open_block(match: re.Match[str]) -> str:
    tag = match.group("tag").lower()
    attrs = match.group("attrs") or ""
    if not _HAS_MARKDOWN_ATTR.search(attrs):
        attrs += ' markdown="1"'
    # Indented lines inside would otherwise become code blocks.
    lines = [line.strip() for line in match.group("body").split("\n")]
    body = "\n".join(lines)
    if "\n" in body.strip():
        body = "\n" + body.strip() + "\n"
    else:
        body = body.strip()
    # Blank lines around the block let Python-Markdown see it as a block.
    return f"\n<{tag}{attrs}>{body}</{tag}>\n"


@rule("markdown_in_html_blocks", priority=20)
def markdown_in_html_blocks(text: str, ctx: DialectContext) -> str:
    """Mark ``<center>``/``<figure>`` blocks ``markdown="1"`` and dedent their content."""
    return map_outside_code(text, lambda part: _MARKDOWN_BLOCK.sub(_open_block, part))


#: kramdown's content models (``Kramdown::Parser::Html::Constants``): with ``parse_block_html``
#: the content of these is parsed as Markdown (blocks or spans); every other element is raw.
CONTENT_MODEL_BLOCK = frozenset("""
address applet article aside blockquote body dd details div dl fieldset figure figcaption footer
form header hgroup iframe li main map menu nav noscript object section summary td
""".split())  # noqa: SIM905 - a word list reads best as words
CONTENT_MODEL_SPAN = frozenset("""
a abbr acronym b bdo big button cite caption del dfn dt em h1 h2 h3 h4 h5 h6 i ins label legend
optgroup p q rb rbc rp rt rtc ruby select small span strong sub sup th tt
""".split())  # noqa: SIM905
#: kramdown's ``HTML_SPAN_ELEMENTS``: a line starting with one is a paragraph, not an HTML block.
_SPAN_ELEMENTS = frozenset("""
a abbr acronym b big bdo br button cite code del dfn em i img input ins kbd label mark option q
rb rbc rp rt rtc ruby samp select small span strong sub sup tt u var
""".split())  # noqa: SIM905
_VOID = frozenset(["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"])
# An opening tag at the start of a line (kramdown's block HTML start), or a closing tag.
_LINE_TAG = re.compile(r"^(?P<indent>[ \t]*)<(?P<name>[A-Za-z][A-Za-z0-9-]*)(?P<attrs>(?:\s[^<>]*?)?)"
                       r"(?P<self>/?)>")
_ANY_TAG = re.compile(r"<(?P<close>/?)(?P<name>[A-Za-z][A-Za-z0-9-]*)(?:\s[^<>]*?)?(?P<self>/?)>")


# A bare ``<p>`` on its own line: kramdown span-parses everything up to the first ``</p>``.
_BARE_P = re.compile(r"^[ \t]*<p>[ \t]*\n(?P<body>.*?)</p>[ \t]*$", re.IGNORECASE | re.MULTILINE | re.DOTALL)


_HARD_BREAK = re.compile(r"(?<=\S)[ ]{2,}\n")


def _span_paragraph(match: re.Match[str]) -> str:
    # One line of span text, so no block rule splits it and tags inside a code span stay text,
    # as in kramdown (whose span parser reads code spans first; Python-Markdown's HTML parser
    # would take them as nested blocks inside ``<p markdown="1">``). A browser shows the line
    # breaks of span text as spaces anyway; a hard break (two spaces) stays a ``<br>``.
    body = _HARD_BREAK.sub("<br>\n", match.group("body").strip("\n"))
    body = " ".join(line.strip() for line in body.splitlines() if line.strip())
    # A code span holding tags becomes a <code> element with the tags as text: inside an
    # enclosing ``markdown="1"`` block Python-Markdown's HTML parser would read them as tags.
    pieces = []
    pos = 0
    for start, end in inline_code_spans(body):
        span = body[start:end]
        ticks = len(span) - len(span.lstrip("`"))
        inner = span[ticks:-ticks]
        if "<" in inner:
            escaped = html.escape(inner.strip(), quote=False).replace("\\", "&#92;")
            pieces.append(body[pos:start] + "<code>" + escaped + "</code>")
            pos = end
    body = "".join(pieces) + body[pos:]
    return "\n" + body + "\n" if body else ""


@rule("parse_block_html_paragraphs", priority=96)
def parse_block_html_paragraphs(text: str, ctx: DialectContext) -> str:
    """``parse_block_html: true``: a bare ``<p>`` line and what follows up to ``</p>`` become one
    paragraph of span text (before the block rules, which must not see lists or headings in
    it)."""
    if "<p>" not in text.lower() or not kramdown_options(ctx.site).parse_block_html:
        return text
    return map_outside_code(text, lambda part: _BARE_P.sub(_span_paragraph, part))


def _mark_blocks(part: str) -> str:
    out: list[str] = []
    raw: list[str] = []  # open raw elements (their content is never parsed)
    for line in part.splitlines(keepends=True):
        match = _LINE_TAG.match(line)
        if not raw and match is not None:
            name = match.group("name").lower()
            attrs = match.group("attrs") or ""
            parsed = name in CONTENT_MODEL_BLOCK or name in CONTENT_MODEL_SPAN
            if parsed and name not in _SPAN_ELEMENTS and not _HAS_MARKDOWN_ATTR.search(attrs) \
                    and not match.group("self"):
                line = (line[:match.start("attrs")] + attrs + ' markdown="1"'
                        + line[match.end("attrs"):])
        for tag in _ANY_TAG.finditer(line):
            name = tag.group("name").lower()
            if name in _VOID or tag.group("self"):
                continue
            is_raw = not (name in CONTENT_MODEL_BLOCK or name in CONTENT_MODEL_SPAN
                          or name in _SPAN_ELEMENTS)
            if tag.group("close"):
                if raw and raw[-1] == name:
                    raw.pop()
            elif is_raw or raw:
                raw.append(name)
        out.append(line)
    return "".join(out)


@rule("parse_block_html", priority=19)
def parse_block_html(text: str, ctx: DialectContext) -> str:
    """``parse_block_html: true``: HTML blocks whose kramdown content model is block or span get
    ``markdown="1"``, so their Markdown is rendered (raw ones — ``pre``, ``table``, ``ul``,
    ``script`` … — and everything inside them stay as written)."""
    if "<" not in text or not kramdown_options(ctx.site).parse_block_html:
        return text
    return map_outside_code(text, _mark_blocks)
