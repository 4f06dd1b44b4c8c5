"""Lines of a very long text box are found in a window of its text, not in the whole text.

To find where the first line of a text box ends, WeasyPrint 70 (``split_first_line``) lays a
prefix of the box's text out with Pango, but only if that prefix holds a break opportunity
after the first line; otherwise it lays out the whole rest of the box, once per line. A run
with no break opportunity (a 60,000-letter word, a Korean paragraph without spaces whose
syllables the word joiners hold together, a long base64 string) is broken only by the theme's
``overflow-wrap: anywhere``, so each of its lines costs the whole rest: a 60 KB word took
75 s. The wrapper hands WeasyPrint the first :data:`WINDOW` characters when the box is longer:
a line ends long before that, so the first line (and its break) is the same; if the window
fits on one line (a very wide box), the whole text is laid out as before. Used for line layout
(through :mod:`.linebreak`, which wraps that reference) and for min-content widths alike.
Checked against WeasyPrint 70; tested by
``tests/test_limits.py::test_long_text_window_lays_out_as_before``.
"""

from __future__ import annotations

from typing import Any

from .hook import replace

#: Characters of a text box handed to the line breaker at once (a line is two hundred at
#: most, even at 6 pt across A4 landscape).
WINDOW = 500


def windowed(original: Any) -> Any:
    """``original`` (WeasyPrint's ``split_first_line`` or a wrapper of it) handed at most
    :data:`WINDOW` characters when a window's first line ends inside it."""
    def split_first_line(text, style, context, max_width, justification_spacing,  # type: ignore[no-untyped-def]
                         is_line_start=True, minimum=False):
        if len(text) > WINDOW and max_width is not None and (
                style["white_space"] in ("normal", "pre-wrap", "pre-line")):
            result = original(text[:WINDOW], style, context, max_width,
                              justification_spacing, is_line_start, minimum)
            if result[2] is not None:  # the first line ended inside the window
                return result
        return original(text, style, context, max_width, justification_spacing,
                        is_line_start, minimum)

    return split_first_line


def patch_weasyprint() -> None:
    """Window ``split_first_line`` where min/max-content sizing (and SVG text) call it, once
    per process. The line layout's own reference (``weasyprint.layout.inline``) is wrapped by
    :mod:`.linebreak`, which windows it with :func:`windowed` (one patch per function)."""
    from weasyprint.layout import preferred
    from weasyprint.text import line_break

    replace([line_break, preferred], "split_first_line", windowed)
