"""Split Markdown into code and prose so dialect rules leave code alone.

What counts as code follows kramdown with GFM input (Jekyll's default), because that is what
the blog's readers saw:

* **Fenced blocks** (kramdown's ``FENCED_CODEBLOCK_MATCH``): a line of three or more backticks
  or tildes, then at most one info word (``python``, ``{r}``, ``js?linenos``) and nothing else,
  closed by a line of the same character at least as long. A line such as ```` ```한글 설명 ````
  is prose, not a fence, and a fence that is never closed is prose too (kramdown and
  Python-Markdown agree on both). Any indentation is accepted, because fences inside list items
  are indented by the item's content column, and so is a list marker before the fence
  (``- ```r``: the fence is the item's first block).
* **Indented blocks**: lines indented by four spaces or a tab after a blank line, unless they
  continue a list item (Jupyter exports put program output there).
* **Code spans** (only when asked): a run of backticks up to the next run of the same length,
  within one paragraph.

This module knows only text; it never parses Markdown fully.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# A fence opener: indent (or a list item's marker: the fence starts the item's content), 3+
# backticks or tildes, one optional info word, end of line.
# The body runs lazily up to a closing line of the same character, at least as long.
_FENCE = re.compile(
    r"^(?P<indent>[ \t]*(?:(?:[*+-]|\d{1,9}[.)])[ \t]+)?)"
    r"(?P<fence>(?P<ch>[`~])(?P=ch){2,})[ \t]*(?P<info>[^\s]*)[ \t]*\n"
    r"(?P<body>(?:.*?\n)??)"
    r"[ \t]*(?P=fence)(?P=ch)*[ \t]*(?:\n|\Z)",
    re.MULTILINE | re.DOTALL,
)
# A line that starts a list item (bullet or ordinal marker followed by a space).
_LIST_ITEM = re.compile(r"^[ ]{0,3}(?:[*+-]|\d{1,9}[.)])[ \t]+\S")
# A line indented enough to be an indented code line.
_INDENTED = re.compile(r"^(?: {4}|\t)")
# A run of backticks (code span delimiter candidates).
_BACKTICKS = re.compile(r"(?<!`)`+(?!`)")
# A blank line inside a would-be code span ends the paragraph, so the span cannot cross it.
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def is_fence_opener(info: str, fence: str) -> bool:
    """Whether an info word may open a fence (backtick fences forbid backticks in it)."""
    return not (fence.startswith("`") and "`" in info)


def fence_matches(text: str) -> list[re.Match[str]]:
    """Fenced code blocks of ``text`` as kramdown sees them (matches of the fence pattern)."""
    found: list[re.Match[str]] = []
    pos = 0
    while True:
        match = _FENCE.search(text, pos)
        if match is None:
            return found
        if is_fence_opener(match.group("info"), match.group("fence")):
            found.append(match)
            pos = match.end()
        else:
            # Not a fence: the opener line is prose; look again from the next line.
            pos = text.find("\n", match.start()) + 1 or len(text)


class _IndentState:
    """What indented lines mean at a point of the text: list continuation or code."""

    def __init__(self) -> None:
        self.previous_blank = True
        self.in_list = False


def _indented_spans(text: str, offset: int, state: _IndentState) -> list[tuple[int, int]]:
    """Indented code blocks of a fence-free stretch of ``text`` (offsets shifted by ``offset``)."""
    spans: list[tuple[int, int]] = []
    pos = 0
    block_start: int | None = None
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        indented = bool(_INDENTED.match(line))
        if block_start is not None:
            if stripped and not indented:
                spans.append((offset + block_start, offset + pos))
                block_start = None
        elif stripped and indented and state.previous_blank and not state.in_list:
            block_start = pos
        if stripped and not indented:
            # A top-level line decides whether indented lines after it continue a list.
            if _LIST_ITEM.match(line):
                state.in_list = True
            elif state.previous_blank:
                state.in_list = False
        state.previous_blank = not stripped
        pos += len(line)
    if block_start is not None:
        spans.append((offset + block_start, offset + pos))
    return spans


def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of fenced and indented code blocks in ``text``, in order."""
    spans: list[tuple[int, int]] = []
    state = _IndentState()
    pos = 0
    for match in fence_matches(text):
        spans.extend(_indented_spans(text[pos:match.start()], pos, state))
        spans.append((match.start(), match.end()))
        if not match.group("indent"):
            # A fence at the margin ends any list before it.
            state.in_list = False
        state.previous_blank = False
        pos = match.end()
    spans.extend(_indented_spans(text[pos:], pos, state))
    return spans


def inline_code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of backtick code spans in prose ``text``."""
    spans = []
    runs = list(_BACKTICKS.finditer(text))
    i = 0
    while i < len(runs):
        opener = runs[i]
        for j in range(i + 1, len(runs)):
            closer = runs[j]
            if _BLANK_LINE.search(text, opener.end(), closer.start()):
                break
            if len(closer.group()) == len(opener.group()):
                spans.append((opener.start(), closer.end()))
                i = j
                break
        i += 1
    return spans


def split_code(text: str, *, inline: bool = False) -> list[tuple[bool, str]]:
    """``text`` as ``(is_code, part)`` pieces; code spans are included when ``inline``."""
    pieces: list[tuple[bool, str]] = []
    pos = 0
    for start, end in code_spans(text):
        _split_prose(text[pos:start], inline, pieces)
        pieces.append((True, text[start:end]))
        pos = end
    _split_prose(text[pos:], inline, pieces)
    return pieces


def _split_prose(part: str, inline: bool, pieces: list[tuple[bool, str]]) -> None:
    if not inline:
        pieces.append((False, part))
        return
    pos = 0
    for start, end in inline_code_spans(part):
        pieces.append((False, part[pos:start]))
        pieces.append((True, part[start:end]))
        pos = end
    pieces.append((False, part[pos:]))


def map_outside_code(text: str, fn: Callable[[str], str], *, inline: bool = False) -> str:
    """Apply ``fn`` to the parts of ``text`` outside code blocks (and code spans if ``inline``)."""
    return "".join(part if is_code else fn(part) for is_code, part in split_code(text, inline=inline))
