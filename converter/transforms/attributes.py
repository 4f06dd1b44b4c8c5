"""kramdown block attribute lists, applied to the element kramdown would give them to.

The dialect stage turns a standalone ``{: .notice--info}`` line into a marker
``<div class="hanji-ial hanji-ial-prev|next" title="…">``: ``prev`` gives the attributes to
the block before it, ``next`` to the block after it (kramdown's rule for an IAL after a blank
line). IAL text Python-Markdown left in a paragraph is handled the same way: a paragraph that
is only IALs gives them to the block before it, and one that starts with an IAL line takes it
itself. What survives anywhere else is removed with a warning.

Attributes set here bypass the sanitizer (it ran before the transforms), so only ``class``,
``id``, ``title``, ``lang``, ``dir`` and, on images and table cells, ``width``/``height`` are
applied.
"""

from __future__ import annotations

import re

from lxml import html

from ..dialect.kramdown import IAL_MARKER_CLASS
from . import TransformContext, transform

# One attribute of an attribute list: key="value", key='value', .class, #id, or a bare name.
_ATTRIBUTE = re.compile(r"""(?P<key>[\w-]+)=(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)')"""
                        r"""|\.(?P<cls>[\w-]+)|#(?P<id>[\w-]+)|(?P<ref>[\w-]+)""")
# IAL text: {: … } (not an extension {:: or a closing {:/).
_IAL_TEXT = re.compile(r"\{:(?![:/])(?P<attrs>(?:\\\}|[^}\n])*)\}")
# A paragraph that is nothing but IALs (and whitespace).
_ONLY_IALS = re.compile(r"^\s*(?:\{:(?![:/])(?:\\\}|[^}\n])*\}\s*)+$")
# An IAL at the very start of a paragraph, on its own line.
_LEADING_IAL = re.compile(r"^\s*\{:(?![:/])(?P<attrs>(?:\\\}|[^}\n])*)\}[ \t]*\n")

_SAFE_ATTRIBUTES = {"title", "lang", "dir"}
_CODE_TAGS = {"pre", "code", "kbd", "samp"}
_SIZE_TAGS = {"img", "td", "th", "table", "col"}


def parse_attributes(text: str) -> tuple[list[str], dict[str, str]]:
    """(classes, other attributes) of an attribute list's content."""
    classes: list[str] = []
    attrs: dict[str, str] = {}
    for match in _ATTRIBUTE.finditer(text):
        if match.group("cls"):
            classes.append(match.group("cls"))
        elif match.group("id"):
            attrs["id"] = match.group("id")
        elif match.group("key"):
            value = match.group("dq") if match.group("dq") is not None else match.group("sq")
            attrs[match.group("key").lower()] = value or ""
    return classes, attrs


def apply_attributes(element: html.HtmlElement, text: str) -> None:
    """Give ``element`` the safe attributes of an attribute list."""
    classes, attrs = parse_attributes(text)
    if classes:
        existing = (element.get("class") or "").split()
        element.set("class", " ".join(dict.fromkeys(existing + classes)))
    for key, value in attrs.items():
        sized = key in {"width", "height"}
        if key == "id" or key in _SAFE_ATTRIBUTES or (sized and element.tag in _SIZE_TAGS):
            element.set(key, value)
        elif sized:
            # A block holding one image (kramdown puts span IALs of a lone image there too).
            images = list(element.iter("img"))
            if len(images) == 1:
                images[0].set(key, value)


def _neighbour(element: html.HtmlElement, direction: str) -> html.HtmlElement | None:
    sibling = element.getprevious() if direction == "prev" else element.getnext()
    while sibling is not None and (not isinstance(sibling.tag, str)
                                   or IAL_MARKER_CLASS in (sibling.get("class") or "")):
        sibling = sibling.getprevious() if direction == "prev" else sibling.getnext()
    return sibling


def _remove(element: html.HtmlElement) -> None:
    parent = element.getparent()
    if parent is None:
        return
    # Keep the text that followed the element (drop_tree does).
    element.drop_tree()


def _apply_markers(root: html.HtmlElement, ctx: TransformContext) -> None:
    for marker in list(root.iter("div")):
        classes = (marker.get("class") or "").split()
        if IAL_MARKER_CLASS not in classes:
            continue
        direction = "next" if f"{IAL_MARKER_CLASS}-next" in classes else "prev"
        target = _neighbour(marker, direction)
        if target is None:
            target = _neighbour(marker, "prev" if direction == "next" else "next")
        if target is None:
            target = marker.getparent()
        if target is not None and target is not root:
            apply_attributes(target, marker.get("title") or "")
        _remove(marker)


def _apply_paragraph_ials(root: html.HtmlElement, ctx: TransformContext) -> None:
    for p in list(root.iter("p")):
        if p.getparent() is None or len(p):
            continue
        text = p.text or ""
        if _ONLY_IALS.match(text):
            target = _neighbour(p, "prev")
            if target is not None:
                for match in _IAL_TEXT.finditer(text):
                    apply_attributes(target, match.group("attrs"))
            _remove(p)
            continue
        leading = _LEADING_IAL.match(text)
        if leading:
            apply_attributes(p, leading.group("attrs"))
            p.text = text[leading.end():]


def _strip_leftovers(root: html.HtmlElement, ctx: TransformContext) -> None:
    def clean(owner: html.HtmlElement, attr: str) -> None:
        value = getattr(owner, attr)
        if value and "{:" in value:
            found = _IAL_TEXT.search(value)
            if found:
                ctx.warn(f"kramdown attribute list {found.group()!r} has no element to apply "
                         "to; dropped")
                setattr(owner, attr, _IAL_TEXT.sub("", value))

    def walk(element: html.HtmlElement) -> None:
        if element.tag in _CODE_TAGS:
            return
        clean(element, "text")
        for child in element:
            if isinstance(child.tag, str):
                walk(child)
            clean(child, "tail")

    walk(root)


@transform("attributes", priority=96)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Apply block IALs (markers and leftover text) to their elements."""
    _apply_markers(root, ctx)
    _apply_paragraph_ials(root, ctx)
    _strip_leftovers(root, ctx)
