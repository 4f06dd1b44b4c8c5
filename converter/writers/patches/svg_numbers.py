"""Faster number reading in WeasyPrint's SVG renderer, for math.

Formulas reach the PDF as SVG glyph outlines (:mod:`converter.writers.math_svg`): a math blog's
book draws hundreds of thousands of path coordinates. WeasyPrint 70 reads each one through
``svg.utils.size`` (a ``contextlib.suppress`` block around ``float()``) and each pair through a
regular expression in ``svg.utils.point``: about a third of the time spent drawing the formulas.
:func:`patch_weasyprint` puts a plain ``float()`` in front of both and leaves everything else
(units, percentages, malformed data) to WeasyPrint's own code, so the PDF is byte for byte the
same.
"""

from __future__ import annotations

from typing import Any

from .hook import replace


def patch_weasyprint() -> None:
    """Give WeasyPrint's SVG ``size`` and ``point`` a fast path for plain numbers (once)."""
    from weasyprint import svg
    from weasyprint.svg import bounding_box, path, shapes, utils

    def make_size(original_size: Any) -> Any:
        def size(string: Any, font_size: Any = None, percentage_reference: Any = None) -> Any:
            if string:
                try:
                    return float(string)
                except (TypeError, ValueError):
                    pass
            return original_size(string, font_size, percentage_reference)

        return size

    def make_point(original_point: Any) -> Any:
        def point(svg_image: Any, string: str, font_size: Any) -> Any:
            parts = string.split(" ", 2)
            if len(parts) > 1:
                try:
                    x, y = float(parts[0]), float(parts[1])
                except ValueError:
                    pass
                else:
                    return x, y, parts[2] if len(parts) > 2 else ""
            return original_point(svg_image, string, font_size)

        return point

    # ``svg.size`` is the name the Svg class calls; the path, shape and bounding-box modules
    # imported ``point`` by name.
    replace([utils, svg], "size", make_size)
    replace([utils, path, shapes, bounding_box], "point", make_point)
