"""Korean word-unit line breaking for WeasyPrint, which ignores ``word-break: keep-all``.

Korean breaks lines between words (eojeol), never inside one. WeasyPrint (Pango, UAX #14) may
break between any two Hangul syllables, and between a Latin or numeric stem and its Hangul
particle ("GPU" | "를", "2022" | "년"), so the PDF writer puts U+2060 WORD JOINER at those
points: it forbids a break, has no width, and Pango draws no glyph for it, so the PDF's text
(copy, search, extraction) never contains it.

What is joined (see :func:`join_words`), to match what browsers do with ``keep-all``:

- a Hangul letter and the next non-space character, unless that opens a bracket or quote
  ("연구" | "(https://…)" may break, as ``keep-all`` allows: the bracket starts the line);
- any non-space character and the next Hangul letter, unless the first is a slash, a hyphen
  or a dash (breaks browsers keep in URLs and compounds: ".../wiki/" | "한국어");
- in Korean text, Han ideographs (Hanja) with neighbouring letters and digits, since
  ``keep-all`` keeps CJK words whole too;
- a digit and a following squared CJK unit ("10㎏");
- a space and a following ellipsis or closing quotation mark (UAX #14 allows a break after
  the space, and klreq forbids a line to start with them).

Joiners also go on both sides of an inline object (math drawn as SVG, an inline image) that
touches a word, and across inline element boundaries ("<code>GPU</code>를"); text in code is
joined like the rest (Korean comments wrap between words). The joiners trigger a WeasyPrint 70
line-breaking bug, fixed where the layout runs (:mod:`converter.writers.patches.linebreak`).

Pango already keeps the rest of klreq: no line starts with ``. , ! ? ) 」`` (even after a
space), none ends with an opening bracket, no break inside "…", "......", "——" or "--", nor
between a number and a Latin unit ("56MW"). Spaces stay break points, and long unbreakable
runs are still broken by the theme's ``overflow-wrap: anywhere`` rather than overflowing the
margin (Pango's emergency breaks ignore the joiners).

Only the PDF writer uses this: EPUB readers get ``word-break: keep-all`` from CSS, and nothing
invisible is put into text that readers search or copy.
"""

from __future__ import annotations

import re

from lxml import html

WORD_JOINER = "\u2060"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_SQUARED_UNITS = "\u3371-\u33df"
#: Opening brackets and quotes (UAX #14 OP and opening QU): a line may start with them.
_OPENING = re.escape("([{«‹‘“„〈《「『【〔〖〘〚（［｛｟")
#: Characters after which a line may break before Hangul (URLs, hyphenated compounds).
_BREAK_AFTER = re.escape("/-\u2010\u2012\u2013\u2014\u2015")
#: Characters UAX #14 lets start a line after a space but klreq does not.
_NO_START = re.escape("…‥’”»›")
_SPACE = rf"\s{WORD_JOINER}"

_JOIN_ANY = (
    rf"(?<=[{_HANGUL}])(?=[^{_SPACE}{_OPENING}])"
    rf"|(?<=[^{_SPACE}{_BREAK_AFTER}])(?=[{_HANGUL}])"
    rf"|(?<=\d)(?=[{_SQUARED_UNITS}])"
    rf"|(?<=\s)(?=[{_NO_START}])"
)
_JOIN_KOREAN = _JOIN_ANY + (
    rf"|(?<=[{_HAN}])(?=[^\W_])"
    rf"|(?<=[^\W_])(?=[{_HAN}])"
)
_JOIN_POINT = {False: re.compile(_JOIN_ANY), True: re.compile(_JOIN_KOREAN)}
_NEEDS_WORK = {False: re.compile(rf"[{_HANGUL}{_NO_START}{_SQUARED_UNITS}]"),
               True: re.compile(rf"[{_HANGUL}{_HAN}{_NO_START}{_SQUARED_UNITS}]")}

_SKIP = {"script", "style", "head", "title"}
#: Inline objects (math drawn as SVG, inline images): WeasyPrint breaks around them as around
#: an ideograph, so a joiner goes on each side that touches a word.
_ATOMS = {"svg", "math", "img"}
#: What an atom counts as when deciding whether to join it to its neighbours: a letter.
_ATOM_CHAR = "x"
_BLOCKS = {"p", "div", "li", "td", "th", "dd", "dt", "blockquote", "figcaption", "caption",
           "h1", "h2", "h3", "h4", "h5", "h6", "section", "header", "footer", "nav", "figure",
           "table", "tr", "ul", "ol", "dl", "body", "br", "hr", "pre", "address", "article",
           "aside", "main", "tbody", "thead", "tfoot"}


def join_words(text: str, *, korean: bool = True) -> str:
    """Insert word joiners where ``text`` must not break (see the module docstring).

    ``korean``: the text is Korean, so Hanja words are kept whole too.
    """
    if not _NEEDS_WORK[korean].search(text):
        return text
    return _JOIN_POINT[korean].sub(WORD_JOINER, text)


def _joinable(left: str, right: str, korean: bool) -> bool:
    """Whether a joiner belongs between the last char of ``left`` and the first of ``right``."""
    if not left or not right:
        return False
    pair = left[-1] + right[0]
    return any(m.start() == 1 for m in _JOIN_POINT[korean].finditer(pair))


def _is_korean(lang: str | None) -> bool:
    return (lang or "").split("-")[0].lower() == "ko"


def apply(root: html.HtmlElement) -> None:
    """Join Korean words throughout ``root``, also across inline element boundaries.

    Code is joined too (Korean comments and UI labels in ``<code>`` wrap between words): Pango
    draws no glyph for U+2060, so nothing of it reaches the PDF's text, and code copied from the
    page is unchanged. The joiners need :mod:`converter.writers.patches.linebreak` where the
    layout runs (:func:`converter.writers.pdf.engine.render_document` installs it).
    """
    # Text slots in document order: (element, "text"|"tail", korean); (element, None, korean)
    # for an inline object; None for a block boundary.
    slots: list[tuple[html.HtmlElement, str | None, bool] | None] = []
    inherited = next((el.get("lang") for el in root.iterancestors() if el.get("lang")), None)

    def walk(element: html.HtmlElement, korean: bool) -> None:
        if not isinstance(element.tag, str) or element.tag in _SKIP:
            return
        if element.get("lang"):
            korean = _is_korean(element.get("lang"))
        if element.tag in _ATOMS:
            slots.append((element, None, korean))
            return
        if element.tag in _BLOCKS:
            slots.append(None)
        if element.text:
            slots.append((element, "text", korean))
        for child in element:
            walk(child, korean)
            if child.tail:
                slots.append((child, "tail", korean))
        if element.tag in _BLOCKS:
            slots.append(None)

    walk(root, _is_korean(root.get("lang") or inherited or "ko"))
    previous: tuple[html.HtmlElement, str | None, bool] | None = None
    for slot in slots:
        if slot is None:
            previous = None
            continue
        element, attr, korean = slot
        value = _ATOM_CHAR if attr is None else join_words(getattr(element, attr) or "",
                                                            korean=korean)
        if previous is not None and value:
            prev_el, prev_attr, _ = previous
            prev_value = _ATOM_CHAR if prev_attr is None else getattr(prev_el, prev_attr) or ""
            if prev_value and _joinable(prev_value, value, korean):
                if prev_attr is not None:
                    setattr(prev_el, prev_attr, prev_value + WORD_JOINER)
                elif attr is not None:
                    # After an inline object the joiner starts the following text.
                    value = WORD_JOINER + value
        if attr is not None:
            setattr(element, attr, value)
        previous = slot if value else previous
