"""Korean word-unit line breaking for WeasyPrint, which ignores ``word-break: keep-all``.

Korean breaks lines between words (eojeol), never inside one. WeasyPrint (Pango, UAX #14) may
break between any two Hangul syllables, so the PDF writer joins the characters of each word with
U+2060 WORD JOINER: it forbids a break, has no width and no glyph, and text extraction drops it.
Joiners go between two adjacent non-space characters when either is Hangul, so particles stay
on their Latin or numeric stems ("GPU를", "2022년"). Spaces, and breaks the Latin rules allow
(after a hyphen or slash in a URL), stay available; long unbreakable runs are still broken by the
theme's ``overflow-wrap: anywhere`` rather than overflowing the margin.

Only the PDF writer uses this: EPUB readers get ``word-break: keep-all`` from CSS, and nothing
invisible is put into text that readers search or copy.
"""

from __future__ import annotations

import re

from lxml import html

WORD_JOINER = "\u2060"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"
# Between two characters where neither is a space (nor a joiner) and one is Hangul.
_JOIN_POINT = re.compile(
    rf"(?<=[{_HANGUL}])(?=[^\s{WORD_JOINER}])|(?<=[^\s{WORD_JOINER}])(?=[{_HANGUL}])"
)
_HANGUL_CHAR = re.compile(f"[{_HANGUL}]")
_SKIP = {"pre", "code", "kbd", "samp", "script", "style", "math", "svg"}
_BLOCKS = {"p", "div", "li", "td", "th", "dd", "dt", "blockquote", "figcaption", "caption",
           "h1", "h2", "h3", "h4", "h5", "h6", "section", "header", "footer", "nav", "figure",
           "table", "tr", "ul", "ol", "dl", "body", "br", "hr", "img"}


def join_words(text: str) -> str:
    """Insert word joiners inside the Korean words of ``text``."""
    if not _HANGUL_CHAR.search(text):
        return text
    return _JOIN_POINT.sub(WORD_JOINER, text)


def _joinable(left: str, right: str) -> bool:
    if not left or not right or left.isspace() or right.isspace():
        return False
    if WORD_JOINER in (left, right):
        return False
    return bool(_HANGUL_CHAR.match(left) or _HANGUL_CHAR.match(right))


def apply(root: html.HtmlElement) -> None:
    """Join Korean words throughout ``root``, also across inline element boundaries."""
    # Text slots in document order: (element, "text"|"tail"); None marks a block boundary.
    slots: list[tuple[html.HtmlElement, str] | None] = []

    def walk(element: html.HtmlElement) -> None:
        if not isinstance(element.tag, str):
            return
        if element.tag in _SKIP:
            slots.append(None)
            return
        if element.tag in _BLOCKS:
            slots.append(None)
        if element.text:
            slots.append((element, "text"))
        for child in element:
            walk(child)
            if child.tail:
                slots.append((child, "tail"))
        if element.tag in _BLOCKS:
            slots.append(None)

    walk(root)
    previous: tuple[html.HtmlElement, str] | None = None
    for slot in slots:
        if slot is None:
            previous = None
            continue
        element, attr = slot
        value = join_words(getattr(element, attr) or "")
        if previous is not None:
            prev_el, prev_attr = previous
            prev_value = getattr(prev_el, prev_attr) or ""
            if prev_value and value and _joinable(prev_value[-1], value[0]):
                setattr(prev_el, prev_attr, prev_value + WORD_JOINER)
        setattr(element, attr, value)
        previous = slot if value else previous
