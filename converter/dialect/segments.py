"""Split Markdown into code and non-code segments so dialect rules leave code alone."""

from __future__ import annotations

import re
from collections.abc import Callable

# A fenced code block: ``` or ~~~ (3+), optional info string, up to the matching close or EOF.
_FENCE = re.compile(
    r"^(?P<indent>[ \t]{0,3})(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)\n(?P<body>.*?)(?:^[ \t]{0,3}(?P=fence)[`~]*[ \t]*$|\Z)",
    re.M | re.S,
)


def is_fence_opener(info: str, fence: str) -> bool:
    """Whether an info string opens a code fence (backtick fences forbid backticks in it)."""
    return not (fence.startswith("`") and "`" in info)


def code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of fenced code blocks in ``text``."""
    spans = []
    for match in _FENCE.finditer(text):
        if is_fence_opener(match.group("info"), match.group("fence")):
            spans.append((match.start(), match.end()))
    return spans


def map_outside_code(text: str, fn: Callable[[str], str]) -> str:
    """Apply ``fn`` to the parts of ``text`` outside fenced code blocks."""
    out: list[str] = []
    pos = 0
    for start, end in code_spans(text):
        out.append(fn(text[pos:start]))
        out.append(text[start:end])
        pos = end
    out.append(fn(text[pos:]))
    return "".join(out)
