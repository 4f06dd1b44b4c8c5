"""Math for writers without MathML (WeasyPrint): each formula as an inline SVG image.

:func:`mathml_to_svg` replaces the ``<math>`` child of every ``.math-display`` /
``.math-inline`` element with ``<img class="math-svg" src="data:image/svg+xml;base64,…">``
rendered by ziamath from the wrapper's ``data-tex``. Glyphs are drawn as paths (ziamath's
bundled STIX Two Math outlines, and for what it lacks — Hangul in ``\\text{…}`` — the bundled
text fonts, see :mod:`.math_fonts`; SVG 1.1 without ``<symbol>``/``<use>``), so no font is
embedded and WeasyPrint needs no MathML support. A character no usable font has is a warning.

Sizes are in ``em`` so formulas follow the surrounding text size; inline formulas are lowered
by their depth below the baseline (ziamath's bounding box ``ymin``) with ``vertical-align``, so
the formula's baseline sits on the line's. A formula ziamath cannot render keeps its TeX
source as ``<code>`` (logged; the transform stage has already warned about TeX it rejected).
Works on the writer's own copy of the tree.

Drawing a formula takes ziamath 10-30 ms, and a mathematics blog has hundreds: each distinct
formula is drawn once per build, and with a :class:`FormulaCache` directory (the image cache's
``math/`` folder) once until ziamath or this module changes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..fonts import covered

if TYPE_CHECKING:
    from lxml import html

log = logging.getLogger("converter")

#: Size ziamath lays formulas out at (px); only the ratio to it matters, since CSS uses em.
RENDER_SIZE = 20.0
_WRAPPERS = {"math-inline": False, "math-display": True}
#: Bump when the attributes :func:`_svg_image` returns change for the same TeX. (Formulas that
#: cannot be drawn are cached as ``{"error": why}``; older caches simply lack them.)
FORMULA_VERSION = 6
# A row break followed by another (an empty row).
_EMPTY_ROW = re.compile(r"\\\\(?=\s*\\\\)")
#: Key (not an attribute) of a drawn formula: the characters drawn as empty boxes.
_GLYPHLESS = "glyphless"
#: A sign TeX sets as unary (no binary-operator space): after a relation, an opening, a
#: punctuation mark, another operator, ``&`` or a row break (TeX's Bin-to-Ord rule, which
#: ziamath lacks: it puts binary space around the minus of ``t=-2.61`` and ``(-b)``). Text
#: arguments are matched first so that their signs are left alone.
_UNARY_SIGN = re.compile(
    r"(\\(?:text\w*|mbox|operatorname)\s*\{[^{}]*\})"
    r"|((?<!\\)[=<>(\[,;&{]|\\\\|\\(?:le|leq|ge|geq|ne|neq|approx|equiv|sim|simeq|cong|propto"
    r"|to|rightarrow|Rightarrow|leftarrow|Leftarrow|leftrightarrow|iff|implies|mapsto|in|notin"
    r"|ni|subset|subseteq|supset|supseteq|ll|gg|mid|times|cdot|pm|mp|div|lbrace|langle)"
    r"(?![A-Za-z])|\\[{])(\s*)([-+])(?![-+=>])")
#: Drawn shapes of ziamath's SVG: paths in absolute coordinates, and rectangles (rules).
_SVG_PATH = re.compile(r'<path\b[^>]*?\sd="([^"]*)"')
_SVG_RECT = re.compile(r'<rect\b[^>]*?\sx="([-\d.e]+)"[^>]*?\swidth="([-\d.e]+)"')
_PATH_TOKEN = re.compile(r"[A-Za-z]|[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


class FormulaCache:
    """Drawn formulas (``<img>`` attributes) by TeX, in memory and, given a ``directory``, on
    disk (one JSON file per formula, written atomically; safe to share between processes)."""

    def __init__(self, directory: Path | None = None) -> None:
        self.directory = directory
        self._memory: dict[tuple[str, bool], dict[str, str]] = {}
        self._salt: str | None = None

    def seed(self, drawn: dict[tuple[str, bool], dict[str, str]]) -> None:
        """Add formulas drawn elsewhere (:func:`draw_formulas` in a helper process)."""
        self._memory.update(drawn)

    def _path(self, tex: str, display: bool) -> Path | None:
        if self.directory is None:
            return None
        if self._salt is None:
            import ziamath

            self._salt = f"{FORMULA_VERSION}|{getattr(ziamath, '__version__', '?')}|{RENDER_SIZE}"
        key = hashlib.sha256(f"{self._salt}|{display}|{tex}".encode()).hexdigest()[:40]
        return self.directory / f"{key}.json"

    def get(self, tex: str, *, display: bool) -> dict[str, str]:
        """The attributes of the ``<img>`` showing ``tex``, drawn now if not cached.

        A formula ziamath cannot draw raises :class:`FormulaError`, and is remembered as such:
        a rebuild does not spend seconds on it again.
        """
        found = self._memory.get((tex, display))
        if found is not None:  # drawn or read by this process (or seeded): no disk, no import
            if "error" in found:
                raise FormulaError(found["error"])
            return found
        path = self._path(tex, display)
        if path is not None:
            try:
                found = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                found = None
            if not _complete(found):
                found = None  # cut short or damaged: drawn again
        if not isinstance(found, dict):
            try:
                found = _svg_image(tex, display=display)
            except (ImportError, MemoryError, OSError):
                raise  # not the formula's fault: not remembered
            except Exception as exc:  # noqa: BLE001 - ziamath raises many kinds of exception
                found = {"error": str(exc) or type(exc).__name__}
            if path is not None:
                from ..files import write_atomic

                try:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    write_atomic(path, json.dumps(found).encode("utf-8"))
                except OSError as exc:  # a read-only cache costs time, not the formula
                    log.debug("math cache not written: %s", exc)
        self._memory[(tex, display)] = found
        if "error" in found:
            raise FormulaError(found["error"])
        return found


def _complete(entry: object) -> bool:
    """Whether a cached formula entry is whole: an error, or an image whose base64 SVG
    decodes and ends as an SVG does."""
    if not isinstance(entry, dict) or not all(isinstance(v, str) for v in entry.values()):
        return False
    if "error" in entry:
        return True
    header, _, payload = entry.get("src", "").partition(",")
    try:
        svg = base64.b64decode(payload, validate=True)
    except ValueError:
        return False
    return header == "data:image/svg+xml;base64" and svg.rstrip().endswith(b"</svg>") \
        and "style" in entry


class FormulaError(ValueError):
    """ziamath could not draw a formula (the message says why)."""


def _svg_image(tex: str, *, display: bool) -> dict[str, str]:
    """Attributes of the ``<img>`` showing ``tex``.

    Raises ``ValueError`` when ziamath lays the formula out in an impossible box (seen with
    multi-line formulas whose ``\\\\`` breaks are not inside an environment: a height of
    minus 500 em); such lines are tried again inside ``aligned`` first.
    """
    from .math_fonts import take_missing

    take_missing()
    formula, svg = _layout(tex, display=display)
    if _implausible(formula) and "\\\\" in tex and "\\begin" not in tex:
        formula, svg = _layout(f"\\begin{{aligned}}{tex}\\end{{aligned}}", display=display)
    if _implausible(formula):
        width, height = formula.getsize()
        raise ValueError(f"ziamath laid it out {width:.0f} x {height:.0f} px")
    width, height = formula.getsize()
    margin = formula.margin
    style = (f"width:{(width + 2 * margin) / RENDER_SIZE:.3f}em;"
             f"height:{(height + 2 * margin) / RENDER_SIZE:.3f}em")
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    drawn = {"src": f"data:image/svg+xml;base64,{data}", "class": "math-svg", "alt": tex,
             "style": style}
    if not display:
        # Lower the image by the formula's depth so its baseline meets the text's.
        depth = formula.getyofst() - margin
        drawn["style"] += f";vertical-align:{depth / RENDER_SIZE:.3f}em"
        sides = _blank_sides(svg)
        if sides is not None:
            drawn["data-blank"] = " ".join(f"{side / RENDER_SIZE:.3f}" for side in sides)
    missing = "".join(sorted(take_missing()))
    if missing:
        drawn[_GLYPHLESS] = missing
    return drawn


def _blank_sides(svg: str) -> tuple[float, float] | None:
    """How far (px at :data:`RENDER_SIZE`) the image's left and right edges are from the
    formula's ink: the margin, the side bearings, a TeX space at the formula's edge
    (``$np\\;$``). The justification of a line (:mod:`.patches.justify`) counts them as part of
    the word gap beside the formula. None when the SVG holds something not understood here."""
    box = re.search(r'viewBox="([-\d.e]+) [-\d.e]+ ([-\d.e]+) [-\d.e]+"', svg)
    if box is None or "transform" in svg:
        return None
    xs: list[float] = []
    for data in _SVG_PATH.findall(svg):
        command, index = "", 0
        for token in _PATH_TOKEN.findall(data):
            if token.isalpha():
                if token not in "MLQCTSZ":  # relative or H/V/A commands: not ziamath's own
                    return None
                command, index = token, 0
            else:
                if command in "MLQCTS" and index % 2 == 0:
                    xs.append(float(token))
                index += 1
    for x, width in _SVG_RECT.findall(svg):
        xs.extend((float(x), float(x) + float(width)))
    if not xs:
        return None
    left, width = float(box.group(1)), float(box.group(2))
    return max(0.0, min(xs) - left), max(0.0, left + width - max(xs))


def _layout(tex: str, *, display: bool) -> tuple[Any, str]:
    """The ziamath formula and its SVG.

    An empty row (``\\\\ \\\\``, a blank line in an ``align``) makes ziamath lay the
    formula out 20,000 em tall; a ``\\mathstrut`` gives the row a line's height, as in TeX.
    """
    import ziamath  # only books with math pay for loading it

    from .math_fonts import math_font_key
    from .patches import ziamath_speed

    ziamath_speed.install()

    previous = ziamath.config.svg2
    ziamath.config.svg2 = False  # plain paths: no <symbol>/<use> for the PDF renderer
    try:
        tex = _EMPTY_ROW.sub(r"\\\\\\mathstrut ", tex)
        tex = _UNARY_SIGN.sub(_unary, tex)
        formula = ziamath.Latex(tex, size=RENDER_SIZE, inline=not display, font=math_font_key())
        svg = formula.svg()
    finally:
        ziamath.config.svg2 = previous
    return formula, svg


def _unary(match: re.Match[str]) -> str:
    """A sign matched by :data:`_UNARY_SIGN` braced (``{-}``: an ordinary symbol), text kept."""
    if match.group(1):
        return match.group(1)
    return f"{match.group(2)}{match.group(3)}{{{match.group(4)}}}"


def _implausible(formula: Any) -> bool:
    """A box no formula has: empty, negative, or taller than 60 lines of text."""
    width, height = formula.getsize()
    return not (0 < width and 0 < height < 60 * 1.5 * RENDER_SIZE)


def formulas_in(root: html.HtmlElement) -> list[tuple[str, bool]]:
    """The distinct ``(tex, display)`` formulas :func:`mathml_to_svg` would draw in ``root``."""
    found: dict[tuple[str, bool], None] = {}
    for wrapper in root.iter():
        if _local(wrapper.tag) not in {"span", "div"}:
            continue
        kind = next((c for c in (wrapper.get("class") or "").split() if c in _WRAPPERS), None)
        tex = wrapper.get("data-tex")
        if kind is not None and tex is not None and any(
                _local(child.tag) == "math" for child in wrapper):
            found[(tex, _is_display(wrapper, kind))] = None
    return list(found)


def draw_formulas(formulas: list[tuple[str, bool]],
                  directory: Path | None) -> dict[tuple[str, bool], dict[str, str]]:
    """Draw ``formulas`` (through the cache in ``directory``); the ones ziamath cannot draw
    come back as ``{"error": why}`` for the writer to report. Runs in a helper process while
    images are prepared."""
    cache = FormulaCache(directory)
    drawn: dict[tuple[str, bool], dict[str, str]] = {}
    for tex, display in formulas:
        try:
            drawn[(tex, display)] = cache.get(tex, display=display)
        except FormulaError as exc:  # the writer reports it
            drawn[(tex, display)] = {"error": str(exc)}
        except Exception:  # e.g. a failed import: the writer's own attempt reports it
            log.debug("formula %r left to the writer", tex[:60], exc_info=True)
    return drawn


def import_ziamath() -> None:
    """Warm-up for a helper process that will draw formulas."""
    import ziamath  # noqa: F401  (imported for its side effect: loading it)

    from .patches import ziamath_speed

    ziamath_speed.install()


def _is_display(wrapper: Any, kind: str) -> bool:
    """Display math: a ``.math-display`` block, or a ``.math-block`` span inside a sentence."""
    return _WRAPPERS[kind] or "math-block" in (wrapper.get("class") or "").split()


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def mathml_to_svg(root: html.HtmlElement, cache: FormulaCache | None = None,
                  warn: Callable[[str], None] | None = None) -> None:
    """Replace MathML under ``root`` by SVG images rendered from each wrapper's ``data-tex``.

    Works on plain and XHTML-namespaced trees (new elements take the wrapper's namespace).
    ``cache`` keeps drawn formulas (default: in memory, for this call); ``warn`` (default:
    the log) hears of each formula that could not be drawn and is shown as TeX source.
    """
    cache = cache or FormulaCache()
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
        display = _is_display(wrapper, kind)
        try:
            attributes = dict(cache.get(tex, display=display))
        except Exception as exc:  # noqa: BLE001 - ziamath raises many kinds of exception
            message = f"math {tex[:60]!r} could not be drawn for the PDF ({exc}); shown as TeX"
            if warn is not None:
                warn(message)
            else:
                log.warning("%s", message)
            replacement = wrapper.makeelement(namespace + "code", {"class": "math-source"})
            replacement.text = tex
        else:
            # Characters no bundled font has were reported by the math transform already.
            missing = "".join(sorted(covered(attributes.pop(_GLYPHLESS, ""))))
            if missing:
                message = (f"math {tex[:60]!r}: no font for {', '.join(map(repr, missing))} "
                           "inside formulas in the PDF; drawn as empty boxes")
                if warn is not None:
                    warn(message)
                else:
                    log.warning("%s", message)
            replacement = wrapper.makeelement(namespace + "img", attributes)
        replacement.tail = math.tail
        wrapper.replace(math, replacement)
