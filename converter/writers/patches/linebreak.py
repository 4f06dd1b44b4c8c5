"""A fix for a WeasyPrint 70 line-breaking bug that Korean word joiners make frequent.

When a text box fits on the rest of the line only if its trailing space hangs (Pango lets it,
and wraps nothing), WeasyPrint measures the line with the space, finds it too wide, and keeps
only the first word of the box: "Hello" ⏎ "world this is a sentence ". In Latin text the first
break is at a space as often as not; in Korean text with joiners
(:mod:`converter.writers.linebreak`), always. The wrapper keeps WeasyPrint's answer unless
that happened, and then returns the whole text as the line (as WeasyPrint does when a box
fits); the inline layout already ignores a trailing space when it checks for overflow. For
line layout only (not min/max-content sizing). Checked against WeasyPrint 70; tested by
``tests/test_linebreak.py::test_trailing_space_does_not_strand_the_first_word``.
"""

from __future__ import annotations

from typing import Any

from . import long_text
from .hook import replace


def patch_weasyprint() -> None:
    """Wrap ``weasyprint.layout.inline.split_first_line`` (once per process)."""
    from weasyprint.layout import inline
    from weasyprint.text import line_break

    def make(original: Any) -> Any:
        original = long_text.windowed(original)  # long text boxes: see long_text

        def split_first_line(text, style, context, max_width, justification_spacing,  # type: ignore[no-untyped-def]
                             is_line_start=True, minimum=False):
            result = original(text, style, context, max_width, justification_spacing,
                              is_line_start, minimum)
            if (result[2] is None or max_width is None or minimum or not text.endswith(" ")
                    or len(text) > long_text.WINDOW  # never one line, and the probe would
                    # lay all of it out at each line
                    or style["white_space"] not in ("normal", "nowrap", "pre-line")):
                return result
            stripped = text.rstrip(" ")
            probe = line_break.create_layout(stripped, style, context, None,
                                             justification_spacing)
            line, _ = probe.get_first_line()
            width, _ = line_break.line_size(line, style)
            probe.deactivate()
            if width > max_width:
                return result
            layout = line_break.create_layout(text, style, context, max_width,
                                              justification_spacing)
            first_line, resume_index = layout.get_first_line()
            if resume_index is not None:
                layout.deactivate()
                return result
            return line_break.first_line_metrics(first_line, text, layout, None, True, style)

        return split_first_line

    replace(inline, "split_first_line", make)
