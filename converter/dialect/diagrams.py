"""Mermaid fences (```` ```mermaid ````) kept as diagram sources the tree can find.

Python-Markdown's highlighter knows no ``mermaid`` language and files such a fence as plain
``language-text`` code, losing what it was. This rule turns a top-level mermaid fence into a
raw ``<pre class="diagram-mermaid">…</pre>`` block holding the escaped source, which
:mod:`converter.transforms.diagrams` draws (or shows as a captioned listing). Fences inside
list items or block quotes (indented, or after a list marker) stay code: a raw HTML block
cannot sit there. Knows nothing about drawing.
"""

from __future__ import annotations

import html

from . import DialectContext, rule
from .segments import fence_matches

#: The class of a diagram source block.
MERMAID_CLASS = "diagram-mermaid"


@rule("diagrams", priority=97)
def mermaid_fences(text: str, ctx: DialectContext) -> str:
    """Top-level ```` ```mermaid ```` fences → ``<pre class="diagram-mermaid">`` blocks."""
    del ctx
    if "mermaid" not in text:
        return text
    out: list[str] = []
    position = 0
    for match in fence_matches(text):
        indent = match.group("indent")
        if match.group("info").lower() != "mermaid" or indent:
            continue
        body = html.escape(match.group("body"), quote=False)
        out.append(text[position:match.start()])
        out.append(f'\n<pre class="{MERMAID_CLASS}">{body}</pre>\n\n')
        position = match.end()
    out.append(text[position:])
    return "".join(out)
