"""Bound the Markdown work of one post before Python-Markdown sees it.

``markdown_size`` (99.9)
    Liquid may make a small post huge (a loop within ``liquid_loop_limit`` writing a long
    line each time): text longer than ``Options.max_post_bytes`` once Liquid has run fails
    with an :class:`~converter.errors.InputError`, as a file that big does.

Each other rule runs on the text Liquid produced, outside code blocks, and warns once, naming the
first line it changed. The limits are for hostile input: none of the 393 corpus posts reaches
one (``scripts/corpus_limits.py`` measures them). The costs they bound were measured through
``hanji convert`` on a 2-core machine (``bench/bench_hostile.py --classes``).

``markdown_quotes`` (99)
    Python-Markdown handles each level of block quote by re-parsing the level's text, so
    thousands of ``>`` markers take minutes (a 3,000-deep quote took 88 s). Lines keep at
    most ``Options.max_nesting`` markers.

``markdown_table_cells`` (98.5)
    WeasyPrint spends about 3 ms of CPU per table cell (its widths, then its lines on the
    page), more when narrow columns wrap every cell: a 5,000-cell table took 30 s; 2,500 cells
    of a 20-column table take 7-8 s of CPU for PDF and EPUB. The cells of all tables of a post are counted
    together, pipe tables and raw HTML ``<table>``s alike (``<td>`` and ``<th>``); past
    ``Options.max_table_cells`` a table's later rows are dropped and one row holding ``⋯``
    says so.

``markdown_footnotes`` (98)
    Footnote definitions past ``Options.max_footnotes`` are dropped (their references then
    stay as the text ``[^name]``). The PDF places each footnote at the foot of its page, and
    WeasyPrint lays a page's footnote area out again for each note added to it (500 notes
    took 14 s); past ``Options.max_page_footnotes`` the PDF prints the later ones as endnotes
    (:func:`converter.writers.pdf.footnotes.page_footnotes`), and this rule warns, naming the
    first such definition.

``markdown_list_depth`` (87, after ``kramdown_lists`` re-indented lists to Python-Markdown's
four columns a level)
    Each list level indents the text; at 40 levels an A5 page has no width left and WeasyPrint
    breaks each word letter by letter. List items deeper than ``Options.max_nesting`` levels
    become items of the deepest allowed level, and deeper text joins that level.

:func:`measure` gives a text's values of the same measures (for ``scripts/corpus_limits.py``).
This module knows nothing about HTML output or formats.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ..errors import InputError
from . import DialectContext, rule
from .segments import split_code

# A line's block-quote markers: ">", "> >", ">>>" (spaces between them allowed).
_QUOTES = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<marks>(?:>[ \t]?)+)", re.M)
# A list item line after kramdown_lists: indentation (multiples of four), marker, space.
_ITEM_LINE = re.compile(r"^(?P<indent>[ ]*)(?:[*+-]|\d{1,9}[.)])(?:[ ]|$)", re.M)
# A list marker (where the indentation ends).
_ITEM_START = re.compile(r"(?:[*+-]|\d{1,9}[.)])(?:[ ]|$)", re.M)
# A line's block-quote markers, then its indentation (tabs count four columns, as in
# Markdown), then text: a list inside a quote is as deep as its indentation says.
_INDENT = re.compile(r"^(?P<quotes>(?:[ ]{0,3}>[ ]?)*)(?P<indent>[ \t]+)(?=\S)", re.M)
# Block-quote markers before a table line.
_QUOTE_PREFIX = re.compile(r"^[ \t]*(?:>[ \t]?)+")

#: Columns of indentation per list level (Python-Markdown's tab length).
_COLUMNS_PER_LEVEL = 4


def _line_of(text: str, position: int) -> int:
    return text.count("\n", 0, position) + 1


def _prose(text: str) -> Iterator[tuple[int, bool, str]]:
    """``(offset, is_code, part)`` of ``text``, code blocks apart."""
    offset = 0
    for is_code, part in split_code(text, inline=False):
        yield offset, is_code, part
        offset += len(part)


def _rewrite(text: str, edit: Callable[[str, int], str]) -> str:
    """``text`` with each prose part replaced by ``edit(part, offset)``."""
    return "".join(part if is_code else edit(part, offset)
                   for offset, is_code, part in _prose(text))


@rule("markdown_size", priority=99.9)
def markdown_size(text: str, ctx: DialectContext) -> str:
    """Refuse text longer than ``ctx.options.max_post_bytes`` (what Liquid made of the post)."""
    limit = ctx.options.max_post_bytes
    if len(text) * 4 > limit and len(text.encode("utf-8")) > limit:  # cheap test first
        size = len(text.encode("utf-8"))
        raise InputError(f"{size:,} bytes once Liquid has run, over the {limit:,}-byte limit "
                         "(option max_post_bytes)", path=ctx.post_path)
    return text


# --- nesting -------------------------------------------------------------------------------


@rule("markdown_quotes", priority=99)
def markdown_quotes(text: str, ctx: DialectContext) -> str:
    """Cut block quotes deeper than ``ctx.options.max_nesting`` levels."""
    limit = ctx.options.max_nesting
    if text.count(">") <= limit:  # cheap test first
        return text
    first: list[int] = []

    def cut(part: str, offset: int) -> str:
        def quotes(match: re.Match[str]) -> str:
            if match.group("marks").count(">") <= limit:
                return match.group()
            if not first:
                first.append(_line_of(text, offset + match.start()))
            return match.group("indent") + "> " * limit

        return _QUOTES.sub(quotes, part) if part.count(">") > limit else part

    out = _rewrite(text, cut)
    if first:
        ctx.warn(f"block quotes nested deeper than {limit} levels (option max_nesting); "
                 "the deeper levels were flattened", line=first[0])
    return out


@rule("markdown_list_depth", priority=87)
def markdown_list_depth(text: str, ctx: DialectContext) -> str:
    """Lists deeper than ``ctx.options.max_nesting`` levels flattened into the deepest one."""
    limit = ctx.options.max_nesting
    deepest_item = (limit - 1) * _COLUMNS_PER_LEVEL  # where a level-``limit`` marker sits
    deepest_text = limit * _COLUMNS_PER_LEVEL  # where its text sits
    if not re.search(rf"[ \t]{{{deepest_text + 1},}}", text):  # cheap test first
        return text
    first: list[int] = []

    def cut(part: str, offset: int) -> str:
        def indent(match: re.Match[str]) -> str:
            spaces = match.group("indent").expandtabs(_COLUMNS_PER_LEVEL)
            is_item = _ITEM_START.match(part, match.end()) is not None
            allowed = deepest_item if is_item else deepest_text
            if len(spaces) <= allowed:
                return match.group()
            if is_item and not first:
                first.append(_line_of(text, offset + match.start()))
            return match.group("quotes") + " " * allowed

        return _INDENT.sub(indent, part)

    out = _rewrite(text, cut)
    if first:
        ctx.warn(f"lists nested deeper than {limit} levels (option max_nesting); the deeper "
                 "items were moved up to that level", line=first[0])
    return out


# --- tables --------------------------------------------------------------------------------

# A table's delimiter row: | --- | :---: | (leading and trailing pipes optional).
_DELIMITER_ROW = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
# Raw HTML table tags, and cells and rows inside them.
_TABLE_TAG = re.compile(r"<(/?)table\b[^>]*>", re.I)
_HTML_CELL = re.compile(r"<t[dh]\b", re.I)
_HTML_ROW = re.compile(r"<tr\b", re.I)
#: What replaces the dropped rows: one cell saying that something was left out.
_ELLIPSIS = "⋯"


def _cells(line: str) -> int:
    return max(1, _QUOTE_PREFIX.sub("", line).strip().strip("|").count("|") + 1)


def _is_pipe_table(lines: list[str], index: int) -> bool:
    """Whether a pipe table starts at ``lines[index]`` (in a block quote too)."""
    return ("|" in lines[index] and index + 1 < len(lines) and "|" in lines[index + 1]
            and _DELIMITER_ROW.match(_QUOTE_PREFIX.sub("", lines[index + 1])) is not None)


def _is_row(line: str) -> bool:
    return "|" in line and bool(_QUOTE_PREFIX.sub("", line).strip())


def _html_tables(part: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each outermost raw HTML ``<table>`` in ``part`` (an unclosed one
    runs to the end)."""
    depth = start = 0
    for match in _TABLE_TAG.finditer(part):
        if not match.group(1):
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                yield start, match.end()
    if depth:
        yield start, len(part)


class _CellBudget:
    """The cells left for the post's tables, and what was cut (for the one warning)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit
        self.tables_cut = 0
        self.rows_dropped = 0
        self.first_line: int | None = None

    def cut(self, line: int, rows: int) -> None:
        self.tables_cut += 1
        self.rows_dropped += rows
        if self.first_line is None:
            self.first_line = line


def _cut_pipe_tables(part: str, offset: int, text: str, budget: _CellBudget) -> str:
    lines = part.split("\n")
    keep: list[str] = []
    index = 0
    position = 0
    while index < len(lines):
        if not _is_pipe_table(lines, index):
            keep.append(lines[index])
            position += len(lines[index]) + 1
            index += 1
            continue
        start = position
        dropped = 0
        row = 0
        while index < len(lines) and _is_row(lines[index]):
            line = lines[index]
            if row != 1:  # the delimiter row has no cells
                cells = _cells(line)
                if row and (dropped or cells > budget.left):  # the header row always stays
                    dropped += 1
                else:
                    budget.left = max(0, budget.left - cells)
            if not dropped or row == 1:
                keep.append(line)
            position += len(line) + 1
            index += 1
            row += 1
        if dropped:
            prefix = _QUOTE_PREFIX.match(lines[index - 1])
            keep.append((prefix.group() if prefix else "") + "| " + _ELLIPSIS + " |")
            budget.cut(_line_of(text, offset + start), dropped)
    return "\n".join(keep)


def _cut_html_tables(part: str, offset: int, text: str, budget: _CellBudget) -> str:
    out: list[str] = []
    pos = 0
    for start, end in _html_tables(part):
        table = part[start:end]
        cells = list(_HTML_CELL.finditer(table))
        if len(cells) <= budget.left:
            budget.left -= len(cells)
            continue
        over = cells[budget.left].start()
        budget.left = 0
        rows = [m.start() for m in _HTML_ROW.finditer(table)]
        cut_at = max((r for r in rows if r <= over), default=over)
        close = table.lower().rfind("</table")
        tail = table[close:] if close >= cut_at else "</table>"
        out.append(part[pos:start] + table[:cut_at]
                   + f"<tr><td>{_ELLIPSIS}</td></tr>" + tail)
        pos = end
        budget.cut(_line_of(text, offset + start), sum(1 for r in rows if r >= cut_at))
    out.append(part[pos:])
    return "".join(out)


@rule("markdown_table_cells", priority=98.5)
def markdown_table_cells(text: str, ctx: DialectContext) -> str:
    """Drop table rows once the post's tables hold ``ctx.options.max_table_cells`` cells."""
    limit = ctx.options.max_table_cells
    # Cheap test first: every cell needs a "|" or a "<td"/"<th".
    if text.count("|") + text.count("<t") <= limit:
        return text
    budget = _CellBudget(limit)

    def cut(part: str, offset: int) -> str:
        # Document order matters little: pipe tables first, then the HTML ones.
        part = _cut_pipe_tables(part, offset, text, budget) if "|" in part else part
        return _cut_html_tables(part, offset, text, budget) if "<" in part else part

    out = _rewrite(text, cut)
    if budget.first_line is not None:
        ctx.warn(f"more than {limit:,} table cells in the post (option max_table_cells): "
                 f"{budget.rows_dropped:,} rows of {budget.tables_cut:,} "
                 f"table{'s' if budget.tables_cut != 1 else ''} dropped, marked {_ELLIPSIS}",
                 line=budget.first_line)
    return out


# --- footnotes -----------------------------------------------------------------------------

# A footnote definition: [^name]: text
_FOOTNOTE_DEFINITION = re.compile(r"^[ ]{0,3}\[\^[^\]\n]+\]:.*(?:\n|\Z)", re.M)


@rule("markdown_footnotes", priority=98)
def markdown_footnotes(text: str, ctx: DialectContext) -> str:
    """Drop footnote definitions past ``ctx.options.max_footnotes``; name the first one past
    ``ctx.options.max_page_footnotes`` (the PDF prints it and the later ones as endnotes)."""
    limit = ctx.options.max_footnotes
    on_pages = ctx.options.max_page_footnotes
    if text.count("[^") <= min(limit, on_pages):
        return text
    seen = 0
    first_dropped: list[int] = []
    first_endnote: list[int] = []

    def cut(part: str, offset: int) -> str:
        def definition(match: re.Match[str]) -> str:
            nonlocal seen
            seen += 1
            if seen == on_pages + 1 and seen <= limit:
                first_endnote.append(_line_of(text, offset + match.start()))
            if seen <= limit:
                return match.group()
            if not first_dropped:
                first_dropped.append(_line_of(text, offset + match.start()))
            return ""

        return _FOOTNOTE_DEFINITION.sub(definition, part)

    out = _rewrite(text, cut)
    if first_endnote:
        ctx.warn(f"more than {on_pages:,} footnotes (option max_page_footnotes): the PDF "
                 f"prints the later {min(seen, limit) - on_pages:,} as endnotes",
                 line=first_endnote[0])
    if first_dropped:
        ctx.warn(f"more than {limit:,} footnotes (option max_footnotes): {seen - limit:,} "
                 "dropped", line=first_dropped[0])
    return out


# --- measures ------------------------------------------------------------------------------


def measure(text: str) -> dict[str, int]:
    """The measures the rules bound, of Markdown ``text`` as Liquid left it: cells of the
    largest table and of all tables (pipe and raw HTML), footnote definitions, and the
    deepest nesting (block-quote markers, or list levels as ``kramdown_lists`` makes them)."""
    from .kramdown import kramdown_lists

    largest = total = footnotes = nesting = 0
    listed = kramdown_lists(text, DialectContext(site={}, page={}))
    for _, is_code, part in _prose(text):
        if is_code:
            continue
        lines = part.split("\n")
        index = 0
        while index < len(lines):
            if _is_pipe_table(lines, index):
                cells = _cells(lines[index])
                index += 2
                while index < len(lines) and _is_row(lines[index]):
                    cells += _cells(lines[index])
                    index += 1
                largest, total = max(largest, cells), total + cells
            index += 1
        for start, end in _html_tables(part):
            cells = len(_HTML_CELL.findall(part, start, end))
            largest, total = max(largest, cells), total + cells
        footnotes += len(_FOOTNOTE_DEFINITION.findall(part))
        for match in _QUOTES.finditer(part):
            nesting = max(nesting, match.group("marks").count(">"))
    for _, is_code, part in _prose(listed):
        if not is_code:
            for match in _ITEM_LINE.finditer(part):
                nesting = max(nesting, len(match.group("indent")) // _COLUMNS_PER_LEVEL + 1)
    return {"table_cells": largest, "post_table_cells": total, "footnotes": footnotes,
            "nesting": nesting}
