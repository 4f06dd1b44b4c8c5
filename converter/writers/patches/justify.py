"""Justified lines never stretch a word gap beyond :data:`MAX_GAP` normal spaces.

WeasyPrint 70 justifies a line by sharing all its free width among its spaces
(``weasyprint.layout.inline.justify_line``). Korean text breaks only between words (see
:mod:`converter.writers.linebreak`), and a line holding a long word, a URL or an inline formula
may have only a few spaces to absorb a whole word's width: its gaps open to four or five
spaces ("이   되어   우물   바깥쪽의"), which reads as holes in the paragraph.

:func:`patch_weasyprint` caps the widening: each space grows to at most ``MAX_GAP`` times the
width of a space of its line's font; what the spaces cannot take is left at the end of the
line, which then ends a little short of the margin, as a ragged line would (CSS Text 3 lets a
user agent limit the expansion of word separators this way). Lines that need less stretching
are justified exactly as before. ``scripts/loose_lines.py`` measures the result.

A space beside an inline formula borders more blank than the space itself: the formula
image's margin and any TeX space at its edge (``$np\\;$``), which
:mod:`converter.writers.math_svg` gives as the image's ``data-blank`` (em, left and right). On
a line where such a blank touches a space, the cap is lowered by the widest one, so that the
gap a reader sees between the text and the formula's ink stays within ``MAX_GAP`` spaces too.

Checked against WeasyPrint 70.0 (``justify_line``, ``count_expandable_spaces``,
``add_word_spacing`` and ``text.line_break.split_first_line`` in the forms of that release);
installed by :func:`converter.writers.patches.install`, the one version gate. Tested by
``tests/test_justify.py`` (a paragraph with a long unbreakable word, measured with pdfplumber).
"""

from __future__ import annotations

from typing import Any

from .hook import replace

#: Widest a justified word gap may be, in spaces of the line's font (a little under the 2.5
#: that ``scripts/loose_lines.py`` counts as loose, for the rounding of glyph positions).
MAX_GAP = 2.4


def patch_weasyprint() -> None:
    """Replace WeasyPrint's ``justify_line`` by a capped one (once per process)."""
    from weasyprint.layout import inline

    def make(original: Any) -> Any:
        def justify_line(context: Any, line: Any, extra_width: float) -> None:
            spaces = inline.count_expandable_spaces(line)
            if not spaces:
                return
            per_space = extra_width / spaces
            space = _space_width(context, line)
            if space:
                blank = _widest_blank_beside_space(line)
                per_space = max(0.0, min(per_space, (MAX_GAP - 1) * space - blank))
            inline.add_word_spacing(context, line, per_space, 0)

        return justify_line

    replace(inline, "justify_line", make)


def _space_width(context: Any, line: Any) -> float:
    """The width of a space in the font of the line's first text with a space (0: none)."""
    box = _first_spaced_text(line)
    if box is None:
        return 0.0
    style = box.style
    key = (tuple(style["font_family"]), float(style["font_size"]), style["font_weight"],
           style["font_style"], style["font_stretch"], str(style["word_spacing"]),
           str(style["letter_spacing"]))
    return _measure(key, style, context)


def _measure(key: tuple[Any, ...], style: Any, context: Any) -> float:
    cached = _WIDTHS.get(key)
    if cached is None:
        from weasyprint.text.line_break import split_first_line

        # Two letters with a space between them, less the two letters alone: the advance of
        # the space as it is set between words (word and letter spacing included).
        with_space = split_first_line("n n", style, context, None, 0)[3]
        without = split_first_line("nn", style, context, None, 0)[3]
        cached = _WIDTHS[key] = max(0.0, float(with_space) - float(without))
    return cached


#: Space widths by font and spacing (a document uses a handful).
_WIDTHS: dict[tuple[Any, ...], float] = {}


def _widest_blank_beside_space(line: Any) -> float:
    """The widest blank side (px) of an inline formula image on ``line`` that a space of the
    line touches (0: none)."""
    leaves = list(_leaves(line))
    widest = 0.0
    for index, box in enumerate(leaves):
        blank = box.element.get("data-blank") if box.element is not None else None
        if not blank or box.element_tag != "img":
            continue
        try:
            left, right = (float(side) * float(box.style["font_size"])
                           for side in blank.split())
        except ValueError:
            continue
        before = leaves[index - 1] if index else None
        after = leaves[index + 1] if index + 1 < len(leaves) else None
        if _text_edge(before, end=True):
            widest = max(widest, left)
        if _text_edge(after, end=False):
            widest = max(widest, right)
    return widest


def _leaves(box: Any) -> Any:
    """The text and atomic inline boxes of a line, in order."""
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.LineBox | boxes.InlineBox):
        for child in box.children:
            yield from _leaves(child)
    else:
        yield box


def _text_edge(box: Any, *, end: bool) -> bool:
    """Whether ``box`` is text ending (``end``) or starting with a space."""
    from weasyprint.formatting_structure import boxes

    if not isinstance(box, boxes.TextBox) or not box.text:
        return False
    return (box.text[-1] if end else box.text[0]) in " \u00a0"


def _first_spaced_text(box: Any) -> Any:
    from weasyprint.formatting_structure import boxes

    if isinstance(box, boxes.TextBox):
        return box if (" " in box.text or "\u00a0" in box.text) else None
    for child in getattr(box, "children", ()):
        found = _first_spaced_text(child)
        if found is not None:
            return found
    return None


__all__ = ["MAX_GAP", "patch_weasyprint"]
