"""Tables: drop empty header rows left by kramdown-style tables without a header."""

from __future__ import annotations

from lxml import html

from . import TransformContext, transform


@transform("tables", priority=30)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Remove header rows whose cells are all empty; wrap tables for horizontal overflow."""
    for thead in list(root.iter("thead")):
        rows = thead.findall("tr")
        for tr in rows:
            if not tr.text_content().strip() and not list(tr.iter("img")):
                thead.remove(tr)
        if not thead.findall("tr"):
            thead.drop_tree()
