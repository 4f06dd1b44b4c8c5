"""Bound the Markdown work of one post before Python-Markdown sees it.

Each rule runs right after Liquid (which may have produced the text), outside code blocks,
and warns once, naming the first line it changed.

``markdown_nesting`` (99)
    Python-Markdown handles each level of block quote and list by re-parsing the level's
    text, so thousands of ``>`` markers or list levels take minutes (a 3,000-deep quote took
    88 s) before the HTML depth limit flattens them anyway. Lines are cut to
    ``Options.max_nesting`` levels here: extra ``>`` markers are dropped and indentation past
    that many list levels (four columns each) is reduced, with one warning naming the first
    line.

``markdown_table_cells`` (98.5)
    Python-Markdown spends about 0.3 ms per table cell and WeasyPrint more: a table's rows
    past ``Options.max_table_cells`` cells are dropped.

``markdown_footnotes`` (98)
    Footnote definitions past ``Options.max_footnotes`` are dropped (their references then
    stay as the text ``[^name]``).

This module knows nothing about HTML or output formats.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable

from . import DialectContext, rule
from .segments import split_code

# A line's block-quote markers: ">", "> >", ">>>" (spaces between them allowed).
_QUOTES = re.compile(r"^(?P<indent>[ \t]{0,3})(?P<marks>(?:>[ \t]?)+)", re.M)
# A line's leading indentation (tabs count four columns, as in Markdown).
_INDENT = re.compile(r"^[ \t]+", re.M)

#: Columns of indentation per list level.
_COLUMNS_PER_LEVEL = 4


@rule("markdown_nesting", priority=99)
def markdown_nesting(text: str, ctx: DialectContext) -> str:
    """Cut block quotes and list indentation deeper than ``ctx.options.max_nesting``."""
    limit = ctx.options.max_nesting
    # Cheap test first: no line can be too deep with few ">" and no long indentation.
    if text.count(">") <= limit and not re.search(rf"^[ \t]{{{limit + 1},}}", text, re.M):
        return text
    first_line: list[int] = []
    offset = 0
    parts: list[str] = []
    for is_code, part in split_code(text, inline=False):
        if not is_code:
            part = _cut(part, limit, text, offset, first_line)
        parts.append(part)
        offset += len(part)
    if first_line:
        ctx.warn(f"Markdown nested deeper than {limit} levels (option max_nesting); "
                 "the deeper levels were flattened", line=first_line[0])
    return "".join(parts)


def _cut(part: str, limit: int, whole: str, offset: int, first_line: list[int]) -> str:
    """``part`` with each line's quote markers and indentation cut to ``limit`` levels."""
    columns = limit * _COLUMNS_PER_LEVEL

    def note(position: int) -> None:
        if not first_line:
            first_line.append(whole.count("\n", 0, offset + position) + 1)

    def quotes(match: re.Match[str]) -> str:
        marks = match.group("marks")
        if marks.count(">") <= limit:
            return match.group()
        note(match.start())
        return match.group("indent") + "> " * limit

    def indent(match: re.Match[str]) -> str:
        spaces = match.group().expandtabs(_COLUMNS_PER_LEVEL)
        if len(spaces) <= columns:
            return match.group()
        note(match.start())
        return " " * columns

    if part.count(">") > limit:
        part = _QUOTES.sub(quotes, part)
    return _INDENT.sub(indent, part)


# A table's delimiter row: | --- | :---: | (leading and trailing pipes optional).
_DELIMITER_ROW = re.compile(r"^[ \t]*\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?[ \t]*$")
# A footnote definition: [^name]: text
_FOOTNOTE_DEFINITION = re.compile(r"^[ ]{0,3}\[\^[^\]\n]+\]:.*(?:\n|\Z)", re.M)


def _cells(line: str) -> int:
    return max(1, line.strip().strip("|").count("|") + 1)


@rule("markdown_table_cells", priority=98.5)
def markdown_table_cells(text: str, ctx: DialectContext) -> str:
    """Drop the rows of a pipe table past ``ctx.options.max_table_cells`` cells."""
    limit = ctx.options.max_table_cells
    if text.count("|") <= limit:
        return text
    out: list[str] = []
    base = 0  # where ``part`` begins in ``text``
    for is_code, part in split_code(text, inline=False):
        start, base = base, base + len(part)
        if not is_code:
            part = _cut_tables(part, limit, functools.partial(_line_at, text, start), ctx)
        out.append(part)
    return "".join(out)


def _line_at(text: str, start: int, position: int) -> int:
    """The 1-based line of ``text`` at ``position`` in the part beginning at ``start``."""
    return text.count("\n", 0, start + position) + 1


def _cut_tables(part: str, limit: int, line_at: Callable[[int], int],
                ctx: DialectContext) -> str:
    lines = part.split("\n")
    keep: list[str] = []
    index = 0
    position = 0
    while index < len(lines):
        line = lines[index]
        if ("|" in line and index + 1 < len(lines) and _DELIMITER_ROW.match(lines[index + 1])
                and "|" in lines[index + 1]):
            start = position
            cells = 0
            dropped = 0
            row = 0
            while index < len(lines) and "|" in lines[index] and lines[index].strip():
                cells += _cells(lines[index])
                row += 1
                if cells <= limit or row <= 3:  # header, delimiter and one row stay
                    keep.append(lines[index])
                else:
                    dropped += 1
                position += len(lines[index]) + 1
                index += 1
            if dropped:
                ctx.warn(f"table of more than {limit:,} cells (option max_table_cells): its "
                         f"last {dropped:,} rows were dropped", line=line_at(start))
            continue
        keep.append(line)
        position += len(line) + 1
        index += 1
    return "\n".join(keep)


@rule("markdown_footnotes", priority=98)
def markdown_footnotes(text: str, ctx: DialectContext) -> str:
    """Drop footnote definitions past ``ctx.options.max_footnotes``."""
    limit = ctx.options.max_footnotes
    if text.count("[^") <= limit:
        return text
    seen = 0
    first: list[int] = []

    def definition(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        if seen <= limit:
            return match.group()
        if not first:
            first.append(match.string.count("\n", 0, match.start()) + 1)
        return ""

    parts = [part if is_code else _FOOTNOTE_DEFINITION.sub(definition, part)
             for is_code, part in split_code(text, inline=False)]
    if first:
        ctx.warn(f"more than {limit:,} footnotes (option max_footnotes): {seen - limit:,} "
                 "dropped", line=first[0])
    return "".join(parts)
