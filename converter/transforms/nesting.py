"""Lists and block quotes nested deeper than ``max_nesting`` levels become plain blocks.

Each level of ``<ul>``, ``<ol>``, ``<blockquote>``, ``<dl>`` or ``<dd>`` indents its text, so
at some tens of levels an A5 line holds a letter or two and WeasyPrint lays each letter out
as a line (95 nested raw HTML lists or quotes around a paragraph took 25-30 s of CPU for the
PDF). Markdown's own nesting is cut before it is parsed (:mod:`converter.dialect.limits`);
this catches raw HTML: deeper lists and quotes become ``<div>`` (and their items ``<div>``),
which keep the text but indent no further, and one warning quotes the first such block's
text (so the post's line is found).
"""

from __future__ import annotations

from lxml import html

from . import TransformContext, transform

#: Elements whose every level indents the text.
_INDENTING = {"ul", "ol", "menu", "blockquote", "dl", "dd"}
#: Items of a flattened list, which would still draw a marker or indent.
_ITEMS = {"li", "dt", "dd"}


@transform("nesting", priority=99)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Flatten indenting elements deeper than ``ctx.options.max_nesting`` levels."""
    limit = ctx.options.max_nesting
    first: str | None = None
    stack: list[tuple[html.HtmlElement, int, bool]] = [(root, 0, False)]
    while stack:
        element, depth, flat = stack.pop()
        for child in element:
            if not isinstance(child.tag, str):
                continue
            level = depth + (child.tag in _INDENTING)
            child_flat = False
            if child.tag in _INDENTING and level > limit:
                if first is None:
                    first = _first_text(child)
                child.tag = "div"
                child.attrib.pop("start", None)
                level, child_flat = limit, True
            elif flat and child.tag in _ITEMS:
                child.tag = "div"
                child.attrib.pop("value", None)
            stack.append((child, level, child_flat))
    if first is not None:
        quoted = f" from {first!r}" if first else ""
        ctx.warn(f"lists or block quotes nested deeper than {limit} levels (option "
                 f"max_nesting) were flattened{quoted}")


def _first_text(element: html.HtmlElement) -> str:
    """The start of the first run of text in ``element`` long enough to find in the post."""
    for node in element.iter():
        for text in (node.text, node.tail if node is not element else None):
            if text and len(text.strip()) >= 3:
                return text.strip()[:30]
    return ""
