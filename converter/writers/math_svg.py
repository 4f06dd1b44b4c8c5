"""Math for writers without MathML (WeasyPrint): each formula as an inline SVG image.

:func:`mathml_to_svg` replaces the ``<math>`` child of every ``.math-display`` /
``.math-inline`` element with ``<img class="math-svg" src="data:image/svg+xml;base64,…">``
rendered by ziamath from the wrapper's ``data-tex``. Glyphs are drawn as paths (ziamath's
bundled STIX Two Math outlines, SVG 1.1 without ``<symbol>``/``<use>``), so no font is
embedded and WeasyPrint needs no MathML support.

Sizes are in ``em`` so formulas follow the surrounding text size; inline formulas are lowered
by their depth below the baseline (ziamath's bounding box ``ymin``) with ``vertical-align``, so
the formula's baseline sits on the line's. A formula ziamath cannot render keeps its TeX
source as ``<code>`` (logged; the transform stage has already warned about TeX it rejected).
Works on the writer's own copy of the tree.
"""

from __future__ import annotations

import base64
import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from lxml import html

log = logging.getLogger("converter")

#: Size ziamath lays formulas out at (px); only the ratio to it matters, since CSS uses em.
RENDER_SIZE = 20.0
_WRAPPERS = {"math-inline": False, "math-display": True}


def _svg_image(tex: str, *, display: bool) -> dict[str, str]:
    """Attributes of the ``<img>`` showing ``tex``."""
    import ziamath  # only books with math pay for loading it

    previous = ziamath.config.svg2
    ziamath.config.svg2 = False  # plain paths: no <symbol>/<use> for the PDF renderer
    try:
        formula = ziamath.Latex(tex, size=RENDER_SIZE, inline=not display)
        svg = formula.svg()
    finally:
        ziamath.config.svg2 = previous
    width, height = formula.getsize()
    margin = formula.margin
    style = (f"width:{(width + 2 * margin) / RENDER_SIZE:.3f}em;"
             f"height:{(height + 2 * margin) / RENDER_SIZE:.3f}em")
    if not display:
        # Lower the image by the formula's depth so its baseline meets the text's.
        depth = formula.getyofst() - margin
        style += f";vertical-align:{depth / RENDER_SIZE:.3f}em"
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return {"src": f"data:image/svg+xml;base64,{data}", "class": "math-svg", "alt": tex,
            "style": style}


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def mathml_to_svg(root: html.HtmlElement) -> None:
    """Replace MathML under ``root`` by SVG images rendered from each wrapper's ``data-tex``.

    Works on plain and XHTML-namespaced trees (new elements take the wrapper's namespace).
    """
    for wrapper in list(root.iter()):
        if _local(wrapper.tag) not in {"span", "div"}:
            continue
        classes = (wrapper.get("class") or "").split()
        kind = next((c for c in classes if c in _WRAPPERS), None)
        tex = wrapper.get("data-tex")
        if kind is None or tex is None:
            continue
        math = next((child for child in wrapper if _local(child.tag) == "math"), None)
        if math is None:
            continue
        namespace = wrapper.tag[: -len(_local(wrapper.tag))]
        display = _WRAPPERS[kind]
        try:
            attributes = _svg_image(tex, display=display)
        except Exception as exc:  # noqa: BLE001 - ziamath raises many types
            log.warning("math %r could not be drawn as SVG (%s); shown as TeX source", tex[:60], exc)
            replacement = wrapper.makeelement(namespace + "code", {"class": "math-source"})
            replacement.text = tex
        else:
            replacement = wrapper.makeelement(namespace + "img", attributes)
        replacement.tail = math.tail
        wrapper.replace(math, replacement)
