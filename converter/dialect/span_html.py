"""HTML tags inside Markdown text, read as kramdown's span parser reads them.

``kramdown_span_html`` (9)
    kramdown parses the HTML tags of a paragraph, list item, heading or table cell with its span
    parser (``Kramdown::Parser::Kramdown#parse_span_html``), which differs from a browser's:

    * a closing tag is honoured only when it closes the innermost open element; any other
      closing tag is text (``<b><i>O</b></i>`` shows ``O</b>`` in italics, bold to the end of
      the paragraph). One deliberate deviation: a stray closing tag of any other element
      than a span element
      (``…</span></Blockquote>`` after a paragraph) whose opening tag is not shown as text
      in the same paragraph is dropped, not shown: it is markup
      left over from editing, never words the author meant (harness: ``stray_block_closing``);
    * the content of ``<var>``, ``<code>``, ``<kbd>``, ``<samp>`` is raw: backticks and
      asterisks in it are characters;
    * an opening tag of a block element (``HTML_BLOCK_ELEMENTS``: ``<table>``, ``<p>``,
      ``<div>``, ``<li>`` …) is text: an HTML table written inside a table cell is shown as
      its source.

    An element still open at the end of its paragraph, item, heading or cell is closed there
    (``- <var> 값`` followed by a nested list: the list is not inside ``<var>``, which XHTML
    forbids). The rule escapes exactly those tags (``&lt;/b&gt;``), so Python-Markdown and the HTML
    parser cannot repair them into something the blog never showed. Tags at the start of a
    line that opens an HTML block (a tag that is no span element, a comment) and everything up
    to the end of that block are kramdown's block parser's business and are left alone, as are
    code blocks, code spans and backslash-escaped tags. Each paragraph, list item, heading and
    table cell is parsed on its own, as kramdown does.

This module knows only text.
"""

from __future__ import annotations

import re

from . import DialectContext, rule
from .html_quirks import HTML_ELEMENTS
from .segments import inline_code_spans, split_code

#: kramdown's ``HTML_SPAN_ELEMENTS``: a line starting with one of these is a paragraph.
SPAN_ELEMENTS = frozenset("""
a abbr acronym b big bdo br button cite code del dfn em i img input ins kbd label mark option q
rb rbc rp rt rtc ruby samp select small span strong sub sup tt u var
""".split())  # noqa: SIM905 - a word list reads best as words
#: kramdown's ``HTML_BLOCK_ELEMENTS``: shown as text when opened inside span text.
BLOCK_ELEMENTS = frozenset("""
address article aside applet body blockquote caption col colgroup dd div dl dt fieldset
figcaption footer form h1 h2 h3 h4 h5 h6 header hgroup hr html head iframe legend menu li main
map nav ol optgroup p pre section summary table tbody td th thead tfoot tr ul
""".split())  # noqa: SIM905
#: kramdown's ``HTML_ELEMENTS_WITHOUT_BODY``.
VOID_ELEMENTS = frozenset("""
area base br col command embed hr img input keygen link meta param source track wbr
""".split())  # noqa: SIM905

#: Span elements whose content kramdown does not parse (``HTML_CONTENT_MODEL_RAW``).
RAW_CONTENT = frozenset({"code", "kbd", "samp", "var"})
#: Closing tags dropped when they close nothing: every HTML element but the span ones.
DROPPED_CLOSINGS = (HTML_ELEMENTS | BLOCK_ELEMENTS) - SPAN_ELEMENTS
_MARKDOWN_CHARS = re.compile(r"(?<!\\)[`*]")
_NAME = r"[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?"
# kramdown's HTML_TAG_RE / HTML_TAG_CLOSE_RE (attributes well-formed or no tag at all), and
# comments, which are skipped whole.
_TAG = re.compile(
    rf"<!--.*?-->"
    rf"|<(?P<name>{_NAME})(?P<attrs>(?:\s+{_NAME}(?:\s*=\s*(?:[\w]+|\"[^\"]*\"|'[^']*'))?)*)"
    rf"\s*(?P<self>/)?>"
    rf"|</(?P<close>{_NAME})\s*>",
    re.DOTALL,
)
# A line that starts an HTML block: any tag, closing tag or comment at the margin (≤3 spaces;
# any indentation after a blank line: list items' blocks are indented by the list rules).
_BLOCK_START = re.compile(rf"^(?P<indent>[ \t]*)<(?:(?P<name>{_NAME})(?=[\s/>])|/(?P<close>{_NAME})|!--)")
# A line that starts a new span context: a list item, a heading, a definition.
_NEW_CONTEXT = re.compile(r"^[ \t]*(?:[*+-]|\d{1,9}[.)])(?:[ \t]+|$)|^[ \t]*#{1,6}[ \t]|^[ \t]*:[ \t]")
_TABLE_ROW = re.compile(r"^[ \t]*\|")
_BLANK = re.compile(r"^[ \t]*$")
_CONTEXT_END = re.compile(r"[ \t]*\|?[ \t]*\n?$")


def _is_html(name: str) -> bool:
    return name.lower() in SPAN_ELEMENTS or name.lower() in BLOCK_ELEMENTS \
        or name.lower() in VOID_ELEMENTS


class _Spans:
    """The open span elements of one kramdown span context."""

    def __init__(self) -> None:
        self.stack: list[str] = []
        #: Block elements whose opening tag was shown as text (their closings are text too).
        self.shown: dict[str, int] = {}

    def reset(self, out: list[str] | None = None) -> None:
        """End the context: elements still open are closed where it ends (kramdown
        auto-closes them), before the line break or the cell's ``|``."""
        if self.stack and out:
            for index in range(len(out) - 1, -1, -1):
                if out[index].strip():
                    last = out[index]
                    end = _CONTEXT_END.search(last)
                    cut = end.start() if end else len(last)
                    closing = "".join(f"</{name}>" for name in reversed(self.stack))
                    out[index] = last[:cut] + closing + last[cut:]
                    break
        self.stack.clear()
        self.shown.clear()

    def fix(self, text: str, start: int, end: int, code: list[tuple[int, int]],
            out: list[str]) -> None:
        """Append ``text[start:end]`` to ``out`` with kramdown's stray tags escaped."""
        pos = start
        for match in _TAG.finditer(text, start, end):
            if match.start() > 0 and text[match.start() - 1] == "\\":
                continue
            if any(a <= match.start() < b for a, b in code):
                continue
            out.append(self._literal(text[pos:match.start()]))
            pos = match.end()
            out.append(self._tag(match))
        out.append(self._literal(text[pos:end]))

    def _tag(self, match: re.Match[str]) -> str:
        """The tag as kramdown's span parser leaves it: kept, text (escaped) or dropped."""
        name = match.group("name")
        close = match.group("close")
        if name is not None:
            key = name.lower() if _is_html(name) else name
            if "data-tex" in (match.group("attrs") or ""):
                self.stack.append(key)  # a formula placeholder of kramdown_math
            elif key in BLOCK_ELEMENTS:
                self.shown[key] = self.shown.get(key, 0) + 1
                return "&lt;" + match.group()[1:-1] + "&gt;"
            elif not match.group("self") and key not in VOID_ELEMENTS:
                self.stack.append(key)
            return match.group()
        if close is None:  # a comment
            return match.group()
        key = close.lower() if _is_html(close) else close
        if self.stack and self.stack[-1] == key:
            self.stack.pop()
            return match.group()
        if key in DROPPED_CLOSINGS and not self.shown.get(key):
            return ""  # kramdown shows it as text; the book drops it (a deliberate deviation)
        if self.shown.get(key):
            self.shown[key] -= 1
        return "&lt;" + match.group()[1:-1] + "&gt;"

    def _literal(self, segment: str) -> str:
        """Inside an element kramdown reads raw (``<var>``, ``<code>``, ``<kbd>``, ``<samp>``)
        backticks and asterisks are characters, not Markdown."""
        if not any(name in RAW_CONTENT for name in self.stack):
            return segment
        return _MARKDOWN_CHARS.sub(r"\\\g<0>", segment)


def _cells(line: str, offset: int, code: list[tuple[int, int]]) -> list[int]:
    """Offsets of the unescaped ``|`` of a table row outside code spans."""
    bars = []
    for i, char in enumerate(line):
        if char == "|" and (i == 0 or line[i - 1] != "\\") and not any(
                a <= offset + i < b for a, b in code):
            bars.append(offset + i)
    return bars


def _fix_prose(text: str) -> str:
    if "<" not in text:
        return text
    code = inline_code_spans(text)
    out: list[str] = []
    spans = _Spans()
    raw_tag: str | None = None  # the element of the HTML block being skipped
    raw_depth = 0
    in_raw = False
    after_blank = True  # the previous line was blank (or there was none)
    pos = 0
    for line in text.splitlines(keepends=True):
        start, end = pos, pos + len(line)
        pos = end
        previous_blank, after_blank = after_blank, bool(_BLANK.match(line))
        if after_blank:
            spans.reset(out)
            if in_raw and raw_depth <= 0:
                in_raw = False
            out.append(line)
            continue
        if not in_raw:
            block = _BLOCK_START.match(line)
            name = block and (block.group("name") or block.group("close"))
            if block and (len(block.group("indent").expandtabs(4)) > 3 and not previous_blank):
                block = None
            if block and not (name and name.lower() in SPAN_ELEMENTS):
                spans.reset(out)
                in_raw, raw_tag, raw_depth = True, (name or "").lower(), 0
        if in_raw:
            if raw_tag and block_tag_balance(line, raw_tag) is not None:
                raw_depth += block_tag_balance(line, raw_tag) or 0
            out.append(line)
            continue
        if _NEW_CONTEXT.match(line):
            spans.reset(out)
        if _TABLE_ROW.match(line):
            bars = _cells(line, start, code)
            edges = [start, *[b + 1 for b in bars], end]
            previous = start
            spans.reset(out)
            for edge in edges[1:]:
                spans.fix(text, previous, edge, code, out)
                spans.reset(out)
                previous = edge
            continue
        spans.fix(text, start, end, code, out)
    spans.reset(out)
    return "".join(out)


def block_tag_balance(line: str, tag: str) -> int | None:
    """Openings minus closings of ``tag`` on ``line`` (None when neither occurs)."""
    opens = len(re.findall(rf"<{re.escape(tag)}(?=[\s/>])", line, re.IGNORECASE))
    closes = len(re.findall(rf"</{re.escape(tag)}\s*>", line, re.IGNORECASE))
    if not opens and not closes:
        return None
    return opens - closes


@rule("kramdown_span_html", priority=9)
def kramdown_span_html(text: str, ctx: DialectContext) -> str:
    """Escape the tags kramdown's span parser shows as text (stray closings, block openings)."""
    if "<" not in text:
        return text
    return "".join(part if is_code else _fix_prose(part) for is_code, part in split_code(text))
