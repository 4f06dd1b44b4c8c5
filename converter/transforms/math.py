"""Math placeholders from the dialect stage, filled with MathML (latex2mathml).

``<span class="math-inline" data-tex="…">`` gets ``<math>…</math>``; ``<div class="math-display"
data-tex="…">`` gets ``<math display="block">…</math>``; both keep ``data-tex`` (the PDF writer
renders SVG from it) and the ``<math>`` carries the TeX as ``alttext``. Sets
``ctx.flags["math"]``.

Before conversion the TeX is adapted to what latex2mathml understands: environments it lacks
(``aligned``, ``gathered``, ``eqnarray``, ``alignedat``, ``multline``, ``equation``) become
``align*``, ``array`` or plain content. TeX that still cannot be converted (a syntax error, an
unknown command) gives a warning and is shown as its source in ``<code>`` (``<pre><code>`` for
display math) — never as raw LaTeX in the text.

A character of a formula that no bundled font (and not the PDF's math font) has is a warning
naming the formula and the character: it would show as an empty box.

MathML from the converter is filtered to MathML elements and presentation attributes (a
``\\href`` must not smuggle a link in after the sanitizer has run).
"""

from __future__ import annotations

import functools
import importlib.util
import re
from pathlib import Path
from xml.etree import ElementTree

from latex2mathml.converter import convert
from lxml import html

from ..fonts import font_codepoints, missing_glyphs
from . import TransformContext, transform

_MATH_CLASSES = {"math-inline": False, "math-display": True}
# \begin{env}{optional argument} / \end{env} for environments latex2mathml lacks.
_BEGIN = re.compile(r"\\begin\{(?P<env>aligned|alignedat|gathered|gather\*?|eqnarray\*?|"
                    r"multline\*?|equation\*?|split)\}(?P<arg>\{[^}]*\})?")
_END = re.compile(r"\\end\{(?P<env>aligned|alignedat|gathered|gather\*?|eqnarray\*?|"
                  r"multline\*?|equation\*?|split)\}")
_REPLACEMENT = {
    "aligned": ("align*", ""), "alignedat": ("align*", ""), "split": ("align*", ""),
    "gathered": ("array", "{c}"), "gather": ("array", "{c}"), "gather*": ("array", "{c}"),
    "multline": ("array", "{c}"), "multline*": ("array", "{c}"),
    "eqnarray": ("array", "{rcl}"), "eqnarray*": ("array", "{rcl}"),
    "equation": (None, ""), "equation*": (None, ""),
}
# \label{…} and \nonumber have no rendering of their own.
_NO_OUTPUT = re.compile(r"\\label\{[^}]*\}|\\nonumber|\\notag")
# A converted token that is still a backslash command: latex2mathml did not know it.
_UNKNOWN_COMMAND = re.compile(r"^\\[A-Za-z]+$")

# Elements with a base and this many script arguments.
_SCRIPT_ARGUMENTS = {"msub": 1, "msup": 1, "munder": 1, "mover": 1, "msubsup": 2,
                     "munderover": 2}
_MATHML_ELEMENTS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
    "munder", "mover", "munderover", "mfrac", "msqrt", "mroot", "mstyle", "mtable", "mtr",
    "mtd", "mpadded", "mphantom", "menclose", "merror", "mmultiscripts", "mprescripts", "none",
    "semantics", "annotation", "mlabeledtr",
}
_MATHML_ATTRIBUTES = {
    "display", "displaystyle", "scriptlevel", "mathvariant", "mathsize", "mathcolor",
    "mathbackground", "stretchy", "fence", "form", "separator", "lspace", "rspace", "minsize",
    "maxsize", "largeop", "movablelimits", "accent", "accentunder", "linethickness",
    "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines", "frame",
    "width", "height", "depth", "voffset", "notation", "linebreak", "symmetric", "columnspan",
    "rowspan", "align", "encoding",
}


class MathConversionError(ValueError):
    """TeX that latex2mathml cannot turn into MathML."""


def adapt_tex(tex: str) -> str:
    """Rewrite environments latex2mathml lacks into ones it has."""

    def begin(match: re.Match[str]) -> str:
        new, argument = _REPLACEMENT[match.group("env")]
        return "" if new is None else f"\\begin{{{new}}}{argument}"

    def end(match: re.Match[str]) -> str:
        new, _ = _REPLACEMENT[match.group("env")]
        return "" if new is None else f"\\end{{{new}}}"

    tex = _NO_OUTPUT.sub("", tex)
    return _END.sub(end, _BEGIN.sub(begin, tex)).strip()


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _to_html(node: ElementTree.Element) -> html.HtmlElement:
    """Copy a (namespaced) MathML tree into plain lxml.html elements, filtered."""
    tag = _local(node.tag)
    if tag not in _MATHML_ELEMENTS:
        raise MathConversionError(f"unexpected MathML element <{tag}>")
    element = html.Element(tag)
    for name, value in node.attrib.items():
        # Empty values (latex2mathml writes columnspacing="" for aligned) are invalid MathML.
        if _local(name) in _MATHML_ATTRIBUTES and value.strip():
            element.set(_local(name), value)
    element.text = node.text
    if tag in {"mi", "mo"} and node.text and _UNKNOWN_COMMAND.match(node.text.strip()):
        raise MathConversionError(f"unknown command {node.text.strip()}")
    for child in node:
        converted = _to_html(child)
        converted.tail = child.tail
        element.append(converted)
    scripts = _SCRIPT_ARGUMENTS.get(tag)
    if scripts is not None and len(element) > scripts + 1:
        # latex2mathml gives \end{bmatrix}^T the whole bracketed matrix as separate children
        # of <msup> (invalid MathML): the leading ones are the base, in an <mrow>.
        base = html.Element("mrow")
        for child in list(element)[:len(element) - scripts]:
            base.append(child)
        element.insert(0, base)
    return element


def tex_to_mathml(tex: str, *, display: bool) -> html.HtmlElement:
    """A ``<math>`` element for ``tex`` (raises :class:`MathConversionError`)."""
    try:
        source = convert(adapt_tex(tex), display="block" if display else "inline")
        tree = ElementTree.fromstring(source)
    except Exception as exc:  # noqa: BLE001 - latex2mathml raises many types
        raise MathConversionError(str(exc) or type(exc).__name__) from None
    math = _to_html(tree)
    if display:
        math.set("display", "block")
    else:
        math.attrib.pop("display", None)
    math.set("alttext", tex)
    return math


@functools.lru_cache(maxsize=1)
def _math_font_cmap() -> frozenset[int]:
    """Code points of the math font the PDF draws formulas with (ziamath's STIX Two Math)."""
    spec = importlib.util.find_spec("ziamath")
    if spec is None or spec.origin is None:
        return frozenset()
    path = Path(spec.origin).parent / "fonts" / "STIXTwoMath-Regular.ttf"
    if not path.is_file():
        return frozenset()
    return font_codepoints(path)


def glyphless(math: html.HtmlElement) -> list[str]:
    """Characters of a formula no bundled font (nor the math font) can draw, in order."""
    text = "".join(math.itertext())
    missing = missing_glyphs(text) - {c for c in text if ord(c) in _math_font_cmap()}
    return sorted(missing, key=text.index)


def _source(tex: str, *, display: bool, tail: str | None) -> html.HtmlElement:
    code = html.Element("code", {"class": "math-source"})
    code.text = tex
    if display:
        pre = html.Element("pre", {"class": "math-source"})
        pre.append(code)
        pre.tail = tail
        return pre
    code.tail = tail
    return code


@transform("math", priority=70)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Fill math placeholders with MathML; unconvertible TeX becomes a code listing."""
    for element in list(root.iter("span", "div")):
        kind = next((c for c in (element.get("class") or "").split() if c in _MATH_CLASSES), None)
        tex = element.get("data-tex")
        if kind is None or tex is None:
            continue
        # kramdown's in-paragraph math that the site's engine shows as display math.
        display = _MATH_CLASSES[kind] or "math-block" in element.get("class", "").split()
        for child in list(element):
            if "math-tags" not in (child.get("class") or ""):  # numbers from math_numbers
                element.remove(child)
        element.text = None
        try:
            element.insert(0, tex_to_mathml(tex, display=display))
        except MathConversionError as exc:
            ctx.warn(f"math {tex[:60]!r} could not be converted ({exc}); shown as TeX source")
            source = _source(tex, display=display, tail=element.tail)
            for numbers in element.find_class("math-tags"):  # keep the numbers links point to
                source.append(numbers)
            element.getparent().replace(element, source)
            continue
        for char in glyphless(element[0]):
            ctx.warn(f"math {tex[:60]!r}: no bundled font has {char!r} (U+{ord(char):04X}); "
                     "it shows as an empty box")
        ctx.flags["math"] = True
