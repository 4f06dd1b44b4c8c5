"""Presentational and obsolete HTML from blogs, made valid and theme-friendly.

``<center>`` → ``<div class="align-center">``; ``<font>`` → ``<span>`` (colour kept, size and
face dropped); GFM task-list checkboxes → ☐/☑; over-deep nesting flattened; empty paragraphs
removed. Runs first so later transforms see clean markup.
"""

from __future__ import annotations

from lxml import html

from . import TransformContext, transform

_BLOCK_CHILDREN = {"p", "div", "figure", "table", "ul", "ol", "blockquote", "pre", "h1", "h2",
                   "h3", "h4", "h5", "h6", "dl", "hr"}


# What a flattened subtree becomes inside parents that only hold certain children.
_FLAT_CHILD = {"ul": "li", "ol": "li", "dl": "dd", "tr": "td", "table": "caption",
               "thead": "tr", "tbody": "tr", "tfoot": "tr"}


def _depth_limit(root: html.HtmlElement, ctx: TransformContext) -> None:
    limit = ctx.options.max_html_depth
    stack = [(root, 0)]
    flattened = False
    while stack:
        element, depth = stack.pop()
        for child in list(element):
            if not isinstance(child.tag, str):
                continue
            if depth + 1 >= limit:
                # Replace the over-deep subtree by its text, in an element its parent may hold.
                text = child.text_content()
                flat = html.Element(_FLAT_CHILD.get(element.tag, "span"))
                flat.text = text
                flat.tail = child.tail
                element.replace(child, flat)
                flattened = True
            else:
                stack.append((child, depth + 1))
    if flattened:
        ctx.warn(f"HTML nested deeper than {limit} levels was flattened to text")


@transform("html_quirks", priority=100)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Normalise obsolete and presentational HTML."""
    _depth_limit(root, ctx)
    for center in list(root.iter("center")):
        center.tag = "div"
        center.set("class", ((center.get("class") or "") + " align-center").strip())
        # An inline <center> inside a paragraph cannot hold blocks; keep it a centred span.
        parent = center.getparent()
        if parent is not None and parent.tag == "p" and not any(
                c.tag in _BLOCK_CHILDREN for c in center):
            center.tag = "span"
    for font in list(root.iter("font")):
        font.tag = "span"
        color = font.get("color")
        for attr in ("size", "face", "color"):
            font.attrib.pop(attr, None)
        if color:
            style = font.get("style", "")
            font.set("style", f"{style};color:{color}".strip(";"))
    for box in list(root.iter("input")):
        if (box.get("type") or "").lower() == "checkbox":
            mark = "☑ " if box.get("checked") is not None else "☐ "
            parent = box.getparent()
            prev = box.getprevious()
            text = mark + (box.tail or "").lstrip()
            if prev is not None:
                prev.tail = (prev.tail or "") + text
            else:
                parent.text = (parent.text or "") + text
            parent.remove(box)
        else:
            box.drop_tree()
    for tag in ("tt", "strike", "big", "acronym"):
        for element in list(root.iter(tag)):
            element.tag = {"tt": "code", "strike": "s", "big": "span", "acronym": "abbr"}[tag]
    for element in root.iter():
        if element.get("align") is not None and element.tag not in {"td", "th"}:
            align = element.attrib.pop("align").strip().lower()
            if align in {"center", "left", "right"}:
                element.set("class", ((element.get("class") or "") + f" align-{align}").strip())
        elif element.get("align") is not None:
            align = element.attrib.pop("align").strip().lower()
            if align in {"center", "left", "right", "justify"}:
                element.set("style", f"text-align:{align};" + (element.get("style") or ""))
    for p in list(root.iter("p")):
        if len(p) == 0 and not (p.text or "").strip() and p.getparent() is not None:
            p.drop_tree()
