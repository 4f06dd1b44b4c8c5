"""HTML blocks whose content must be rendered as Markdown.

Real posts put Markdown inside ``<center>`` and ``<figure>`` (``<center>![img](…)</center>``).
Python-Markdown renders block HTML content only when the element carries ``markdown="1"``, and
treats indented lines inside it as code, so these rules add the attribute and dedent the block.
"""

from __future__ import annotations

import re

from . import DialectContext, rule
from .segments import map_outside_code

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
