"""kramdown block syntax that Python-Markdown reads differently.

Rules here rewrite kramdown-only forms into their Python-Markdown equivalents.
"""

from __future__ import annotations

import re

from . import DialectContext, rule
from .segments import map_outside_code

_TABLE_LINE = re.compile(r"^[ ]{0,3}\|.*$")
_SEPARATOR_LINE = re.compile(r"^[ ]{0,3}\|?(?:\s*:?-+:?\s*\|)*\s*:?-+:?\s*\|?\s*$")


def _cells(line: str) -> int:
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    return len(re.split(r"(?<!\\)\|", body))


def _fix_table(lines: list[str]) -> list[str]:
    """Give a kramdown table exactly one header row followed by its separator."""
    separators = [i for i, line in enumerate(lines) if _SEPARATOR_LINE.match(line)]
    if separators == [1]:
        return lines
    columns = max(_cells(line) for line in lines)
    if separators:
        first = separators[0]
        separator = lines[first]
        rows = [line for i, line in enumerate(lines) if i not in separators]
        if first == 0:
            # No header row: kramdown makes a body-only table.
            header = "|" + " |" * columns
        else:
            header, rows = rows[0], rows[1:]
    else:
        separator = "|" + "---|" * columns
        header = "|" + " |" * columns
        rows = lines
    return [header, separator, *rows]


def _fix_tables(text: str) -> str:
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not _TABLE_LINE.match(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        j = i
        while j < len(lines) and _TABLE_LINE.match(lines[j]):
            j += 1
        block = lines[i:j]
        is_table = len(block) >= 2 or block[0].rstrip().endswith("|")
        if is_table:
            if out and out[-1].strip():
                out.append("")
            out.extend(_fix_table(block))
            if j < len(lines) and lines[j].strip():
                out.append("")
        else:
            out.extend(block)
        i = j
    return "\n".join(out)


@rule("kramdown_tables", priority=60)
def kramdown_tables(text: str, ctx: DialectContext) -> str:
    """Tables whose separator row is not the second line (or is missing), as kramdown allows."""
    return map_outside_code(text, _fix_tables)
