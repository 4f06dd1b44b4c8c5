"""Definition lists: a ``: text`` line with no term is a paragraph, as kramdown reads it.

Python-Markdown's def_list turns ``: text`` after a heading (no term line before it) into a
``<dl>`` holding only a ``<dd>``: invalid HTML (EPUBCheck rejects it), and not what kramdown
renders (a paragraph starting with ": "). Such orphan ``<dd>`` elements become paragraphs.
"""

from __future__ import annotations

from lxml import html

from . import TransformContext, transform

_BLOCKS = {"p", "div", "ul", "ol", "dl", "blockquote", "pre", "table", "figure"}


@transform("definition_lists", priority=35)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Turn ``<dd>`` elements that follow no ``<dt>`` into ``<p>`` before their list."""
    for dl in list(root.iter("dl")):
        seen_term = False
        for child in list(dl):
            if child.tag == "dt":
                seen_term = True
            elif child.tag == "dd" and not seen_term:
                has_blocks = any(c.tag in _BLOCKS for c in child)
                child.tag = "div" if has_blocks else "p"
                first = child[0] if has_blocks else child
                first.text = ": " + (first.text or "")
                child.tail = None
                dl.addprevious(child)
        if not len(dl) and dl.getparent() is not None:
            dl.drop_tree()
