"""Code blocks: Pygments output tidied (highlighting itself happens in render via codehilite)."""

from __future__ import annotations

from lxml import html

from . import TransformContext, transform


@transform("code", priority=60)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Drop Pygments' empty leading span; mark plain ``<pre>`` blocks as code blocks."""
    for pre in root.iter("pre"):
        first = pre[0] if len(pre) else None
        if first is not None and first.tag == "span" and len(first) == 0 and not first.text:
            first.drop_tree()
        parent = pre.getparent()
        if parent is not None and "highlight" not in (parent.get("class") or "").split():
            wrapper = html.Element("div", {"class": "highlight"})
            parent.replace(pre, wrapper)
            wrapper.tail = pre.tail
            pre.tail = None
            wrapper.append(pre)
