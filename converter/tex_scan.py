"""Reading TeX source character by character, skipping backslash escapes.

Both the dialect stage (where a ``$…$`` span ends, as MathJax finds it) and the math
transforms (where a macro's ``{…}`` argument ends) walk TeX the same way: a backslash and the
character after it are one escape (``\\$``, ``\\{``, ``\\\\``) and never end or open anything.
Knows nothing about Markdown, HTML or the writers.
"""

from __future__ import annotations

from collections.abc import Iterator


def unescaped(text: str, start: int = 0) -> Iterator[tuple[int, str]]:
    """Each character of ``text`` from ``start`` with its index, escapes left out."""
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        yield index, char
        index += 1


__all__ = ["unescaped"]
