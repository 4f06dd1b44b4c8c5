"""Typography: presentational inline styles from blogs must not fight the theme.

Font sizes, families and line heights set inline (``<span style="font-size:11pt">``) are
removed: readers and the theme control size. Colour, weight, style and decoration are kept:
they carry the author's emphasis. Korean line breaking itself is the writers' job (the PDF writer
joins the syllables of a word; the EPUB uses ``word-break: keep-all``).
"""

from __future__ import annotations

import re

from lxml import html

from . import TransformContext, transform

_DROPPED_PROPERTIES = {"font-size", "font-family", "line-height", "font", "letter-spacing",
                       "word-spacing", "white-space", "position", "float", "height"}
_DECLARATION = re.compile(r"\s*([-a-zA-Z]+)\s*:\s*([^;]*)")


def clean_style(style: str) -> str:
    """Keep only declarations that carry meaning (colour, emphasis, alignment, widths)."""
    kept = []
    for match in _DECLARATION.finditer(style):
        name, value = match.group(1).lower(), match.group(2).strip()
        if not value or name in _DROPPED_PROPERTIES or "url(" in value.lower() \
                or "expression(" in value.lower():
            continue
        kept.append(f"{name}: {value}")
    return "; ".join(kept)


@transform("typography", priority=50)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Normalise inline styles; unwrap spans left without any attribute."""
    for element in list(root.iter()):
        style = element.get("style")
        if style is None:
            continue
        cleaned = clean_style(style)
        if cleaned:
            element.set("style", cleaned)
        else:
            del element.attrib["style"]
    for span in list(root.iter("span")):
        if not span.attrib and span.getparent() is not None:
            span.drop_tag()
