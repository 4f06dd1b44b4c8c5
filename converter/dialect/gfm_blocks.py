"""kramdown's GFM block rules that Python-Markdown reads differently.

``gfm_paragraph_end`` (89)
    Under Jekyll's default ``input: GFM`` (gfm_quirks ``paragraph_end``) a paragraph ends at a
    line that starts a list (``- ``, ``* ``, ``+ ``, ``1. `` after at most three spaces), a
    block quote, an ATX heading or a fence: ``다음과 같다.\\n- dt: 일자`` is a paragraph and a
    list. Python-Markdown needs a blank line there; this rule inserts it (also inside block
    quotes and list items, at the same indentation). Off for ``input: kramdown``.
``gfm_blockquote_lists`` (87)
    Lists inside ``>`` block quotes get kramdown's list model too (items nested by the content
    column, ``- a\\n  - b``): the quoted text is taken out, re-indented as
    :func:`.kramdown.kramdown_lists` does at the top level, and quoted again.
``gfm_hard_wrap`` (86)
    ``hard_wrap: true``: every line break inside a paragraph is a ``<br>``.
``gfm_pipe_tables`` (61)
    a table whose rows do not start with ``|`` (``a | b\n-- | --| ``) gets its outer pipes on
    every row, so Python-Markdown counts the same columns in each (before ``kramdown_tables``).

``nbsp_before_closing_emphasis`` (22)
    ``**굵게\u00a0**``: a no-break space before a closing ``**``/``__`` moves after it
    (kramdown closes the span there, Python-Markdown would not).
``html_line_trailing_space`` (21)
    spaces after the closing ``>`` of an HTML block line are dropped (Python-Markdown reads 4+
    of them as an empty code block).

Code (fences, indented code) is left alone; see :mod:`.segments`.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ..kramdown_config import kramdown_options
from . import DialectContext, rule
from .segments import map_outside_code, split_code

_LIST_START = re.compile(r"^ {0,3}(?:[+*-]|\d+\.)[ \t]")
_INTERRUPTS = re.compile(r"^ {0,3}(?:(?:[+*-]|\d+\.)[ \t]|>|#{1,6}[ \t]|```|~~~)")
#: Lines that start a block which is no paragraph (what follows is not "after a paragraph").
_NOT_PARAGRAPH = re.compile(r"^ {0,3}(?:[<|]|#{1,6}[ \t]|\{:|```|~~~|\$\$|\*\s*\*\s*\*|-\s*-\s*-"
                            r"|\[\^?[^\]]*\]:|\*\[[^\]]*\]:)|^ {4}|^\t")
_QUOTE = re.compile(r"^( {0,3}>[ ]?)")
_HR = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _end_paragraphs(text: str) -> str:
    """Insert a blank line where kramdown's GFM parser ends a paragraph and Python-Markdown
    would not."""
    lines = text.split("\n")
    out: list[str] = []
    # Whether the current run of non-blank lines is a paragraph (at what indentation).
    paragraph_indent: int | None = None
    in_list = False
    for line in lines:
        if not line.strip():
            out.append(line)
            paragraph_indent = None
            in_list = False
            continue
        if paragraph_indent is None and not in_list:
            # First line of a block.
            if _LIST_START.match(line) or _LIST_START.match(line.lstrip(" ")):
                in_list = True
            elif not _NOT_PARAGRAPH.match(line) and not _QUOTE.match(line):
                paragraph_indent = _indent(line)
            out.append(line)
            continue
        if paragraph_indent is not None:
            stripped = line[min(paragraph_indent, _indent(line)):]
            if _INTERRUPTS.match(stripped) and not _HR.match(stripped) and not (
                    # A setext underline (``text\n---``) is no list.
                    re.match(r"^ {0,3}(?:-+|=+)\s*$", stripped)):
                out.append("")
                out.append(line)
                paragraph_indent = None
                in_list = bool(_LIST_START.match(stripped))
                continue
        elif in_list:
            # kramdown: ``* text\n---`` makes the underline a lazy line of the item, so the
            # item's text is a setext heading (``<li><h2>``); Python-Markdown draws a rule.
            underline = re.match(r"^ {0,3}(-+|=+)[ \t]*$", line)
            item = re.match(r"^( *(?:[+*-]|\d+\.)[ \t]+)(\S.*)$", out[-1]) if out else None
            if underline and item and not item.group(2).startswith("#"):
                level = "##" if underline.group(1)[0] == "-" else "#"
                out[-1] = f"{item.group(1)}{level} {item.group(2)}"
                continue
        out.append(line)
    return "\n".join(out)


def _quoted_blocks(text: str, fn: Callable[[str], str]) -> str:
    """Apply ``fn`` to the text inside each run of ``>`` lines, and quote it again."""
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _QUOTE.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        j = i
        inner: list[str] = []
        while j < len(lines):
            quote = _QUOTE.match(lines[j])
            if not quote:
                break
            inner.append(lines[j][quote.end():])
            j += 1
        prefix = match.group(1).rstrip() + " "
        new_inner = fn("\n".join(inner)).split("\n")
        out.extend((prefix + line).rstrip() if line.strip() else prefix.rstrip()
                   for line in new_inner)
        i = j
    return "\n".join(out)


@rule("gfm_paragraph_end", priority=89)
def gfm_paragraph_end(text: str, ctx: DialectContext) -> str:
    """A list, quote, heading or fence line ends the paragraph before it (GFM input)."""
    if not kramdown_options(ctx.site).gfm or not re.search(_INTERRUPTS.pattern, text, re.MULTILINE):
        return text

    def fix(part: str) -> str:
        return _quoted_blocks(_end_paragraphs(part), _end_paragraphs)

    out: list[str] = []
    after_fence = False
    for is_code, part in split_code(text):
        if is_code:
            out.append(part)
            after_fence = bool(re.match(r"\s*(?:```|~~~)", part))
            continue
        if after_fence and _LIST_START.match(part.lstrip("\n").lstrip(" ")) and (
                out and out[-1].endswith("\n")):
            # A list item right after a closing fence (``  ```\n- 다음``) starts a new item.
            part = "\n" + part
        out.append(fix(part))
        after_fence = False
    return "".join(out)


@rule("gfm_blockquote_lists", priority=87)
def gfm_blockquote_lists(text: str, ctx: DialectContext) -> str:
    """Lists in block quotes nested and continued as kramdown reads them."""
    if not re.search(r"^ {0,3}>.*\n {0,3}>\s*(?:[*+-]|\d+\.)[ \t]", text, re.MULTILINE):
        return text
    from .kramdown import _reindent_lists

    return map_outside_code(text, lambda part: _quoted_blocks(part, _reindent_lists))


@rule("gfm_hard_wrap", priority=86)
def gfm_hard_wrap(text: str, ctx: DialectContext) -> str:
    """``hard_wrap: true``: line breaks inside paragraphs become ``<br>``."""
    if not kramdown_options(ctx.site).hard_wrap:
        return text
    return map_outside_code(text, lambda part: re.sub(r"(?<=\S)[ \t]*\n(?=[ \t]*\S)", "  \n",
                                                      part))


_PIPE = re.compile(r"(?<!\\)\|")
_SEPARATOR = re.compile(r"^ {0,3}\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*\|?\s*$")


def _pipe_tables(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        starts_block = i == 0 or not lines[i - 1].strip()
        if (starts_block and _PIPE.search(line) and not line.lstrip().startswith("|")
                and i + 1 < len(lines) and _SEPARATOR.match(lines[i + 1])
                and _PIPE.search(lines[i + 1])):
            j = i
            while j < len(lines) and lines[j].strip() and _PIPE.search(lines[j]):
                j += 1
            for row in lines[i:j]:
                cells = row.strip()
                if not cells.startswith("|"):
                    cells = "| " + cells
                if not cells.endswith("|") or cells.endswith("\\|"):
                    cells += " |"
                out.append(cells)
            i = j
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


@rule("gfm_pipe_tables", priority=61)
def gfm_pipe_tables(text: str, ctx: DialectContext) -> str:
    """Tables whose rows do not start with ``|`` (``a | b\\n-- | --| ``), as kramdown reads
    them: every row gets its outer pipes, so each row has the header's column count."""
    if "|" not in text:
        return text
    return map_outside_code(text, _pipe_tables)


_HTML_LINE_TRAILING = re.compile(r"^( {0,3}<[A-Za-z/!].*>)[ \t]+$", re.MULTILINE)


@rule("html_line_trailing_space", priority=21)
def html_line_trailing_space(text: str, ctx: DialectContext) -> str:
    """Spaces after the closing ``>`` of an HTML block line are dropped: Python-Markdown would
    read 4+ of them as an (empty) indented code block; kramdown ignores them."""
    if "<" not in text:
        return text
    return map_outside_code(text, lambda part: _HTML_LINE_TRAILING.sub(r"\1", part))


_NBSP_CLOSER = re.compile(r"(?<=\S)\u00a0+(\*\*|__)")


def _move_nbsp(line: str) -> str:
    def swap(match: re.Match[str]) -> str:
        before = line[:match.start()]
        if before.count(match.group(1)) % 2 == 1:  # an opener is waiting: this one closes
            return match.group(1) + match.group()[:-2]
        return match.group()

    return _NBSP_CLOSER.sub(swap, line)


@rule("nbsp_before_closing_emphasis", priority=22)
def nbsp_before_closing_emphasis(text: str, ctx: DialectContext) -> str:
    """``**데이터 가공\\u00a0**``: kramdown (Ruby's ASCII ``\\s``) closes the strong span after a
    no-break space, Python-Markdown does not; the space moves after the closer."""
    if "\u00a0" not in text:
        return text
    return map_outside_code(text, lambda part: "\n".join(_move_nbsp(line)
                                                         for line in part.split("\n")),
                            inline=True)
