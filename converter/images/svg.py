"""Sanitise SVG images so they can be embedded without running code or fetching anything.

An SVG passes through byte for byte unless something must go: ``<script>``, ``<foreignObject>``,
event-handler attributes (``on*``), processing instructions (``<?xml-stylesheet?>``), and every
external reference — ``href``/``xlink:href`` not starting with ``#`` or ``data:image/``, CSS
``url()`` and ``@import`` pointing elsewhere. An SVG embedded as a ``data:image/svg+xml`` URL is
sanitised the same way (up to :data:`MAX_NESTING` deep; deeper or undecodable ones are
dropped); in CSS, such URLs are dropped. Documents that declare entities are refused
(billion-laughs), as is anything that is not well-formed XML with an ``<svg>`` root.
Parsing uses lxml with no network, no DTD loading, no entity resolution and no huge trees.
Knows nothing about output formats.
"""

from __future__ import annotations

import base64
import binascii
import logging
import re
import urllib.parse
from pathlib import Path

from lxml import etree

from .model import ImageError

logger = logging.getLogger(__name__)

#: Elements removed with everything inside them.
_DROP_ELEMENTS = frozenset({"script", "foreignobject", "handler", "listener"})
#: Animation elements that could set a dropped attribute (``<set attributeName="href" …>``).
_ANIMATION_ELEMENTS = frozenset({"set", "animate", "animatetransform", "animatemotion"})

_SAFE_REFERENCE = re.compile(r"\s*(?:#|data:image/)", re.IGNORECASE)
_DATA_SVG = re.compile(r"\s*data:image/svg\+xml", re.IGNORECASE)
#: SVGs inside SVGs (as data URLs) are sanitised this many levels deep; deeper ones go.
MAX_NESTING = 3
_CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)""", re.IGNORECASE | re.DOTALL)
_CSS_IMPORT = re.compile(r"@import\b[^;]*;?", re.IGNORECASE)

#: CSS px per unit, for ``width``/``height`` attributes.
_UNITS = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54,
          "in": 96.0}
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)\s*(px|pt|pc|mm|cm|in)?\s*\Z",
                     re.IGNORECASE)
#: Size of an SVG that states none (the CSS default for replaced elements).
DEFAULT_SIZE = (300, 150)


def _local(name: object) -> str:
    """Lower-case local part of an element or attribute name (``{ns}foo`` -> ``foo``)."""
    return str(name).rsplit("}", 1)[-1].lower() if isinstance(name, str) else ""


def _safe_css(text: str) -> str:
    """``text`` with ``@import`` removed and external ``url()`` references replaced by ``none``."""
    text = _CSS_IMPORT.sub("", text)
    return _CSS_URL.sub(lambda m: m.group(0) if _SAFE_REFERENCE.match(m.group(2))
                        and not _DATA_SVG.match(m.group(2)) else "none", text)


def _safe_nested_svg(url: str, depth: int) -> str | None:
    """The ``data:image/svg+xml`` ``url`` with its SVG sanitised too, or ``None`` to drop it."""
    if depth >= MAX_NESTING:
        return None
    header, _, payload = url.strip().partition(",")
    try:
        raw = (base64.b64decode(payload) if ";base64" in header.lower()
               else urllib.parse.unquote_to_bytes(payload))
        root = _parse(raw, Path("<data:image/svg+xml>")).getroot()
    except (ValueError, binascii.Error, ImageError):
        return None
    _sanitise(root, depth + 1)
    return "data:image/svg+xml;base64," + base64.b64encode(etree.tostring(root)).decode("ascii")


def _parse(data: bytes, path: Path) -> etree._ElementTree:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             dtd_validation=False, huge_tree=False, remove_blank_text=False)
    try:
        root = etree.fromstring(data, parser)
    except (etree.LxmlError, ValueError) as exc:
        message = " ".join(str(getattr(exc, "msg", "") or exc).split())
        raise ImageError(path, f"corrupt SVG: {message}") from None
    tree = root.getroottree()
    dtd = tree.docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise ImageError(path, "unsupported SVG: it declares XML entities")
    if _local(root.tag) != "svg":
        raise ImageError(path, f"corrupt SVG: the root element is <{_local(root.tag)}>, not <svg>")
    return tree


#: Text in SVG images is drawn with the bundled fonts: a font the SVG names (Roboto, Arial)
#: would otherwise come from the system (or be missing on a reader's device).
BUNDLED_FONT_STACK = "hanji-sans, hanji-sans-ext, hanji-hanja, hanji-symbols, sans-serif"
_CSS_FONT_FAMILY = re.compile(r"font-family\s*:\s*[^;}\"]+", re.I)


def _bundled_fonts(node: etree._Element) -> bool:
    """Point ``font-family`` (attribute, inline style, <style> text) at the bundled fonts."""
    changed = False
    if node.get("font-family") is not None:
        node.set("font-family", BUNDLED_FONT_STACK)
        changed = True
    style = node.get("style")
    if style and "font-family" in style.lower():
        node.set("style", _CSS_FONT_FAMILY.sub(f"font-family: {BUNDLED_FONT_STACK}", style))
        changed = True
    if _local(node.tag) == "style" and node.text and "font-family" in node.text.lower():
        node.text = _CSS_FONT_FAMILY.sub(f"font-family: {BUNDLED_FONT_STACK}", node.text)
        changed = True
    return changed


def _sanitise(root: etree._Element, depth: int = 0) -> bool:
    """Remove what is unsafe from ``root``, in place; return whether anything was removed.
    ``depth`` counts the SVG data URLs ``root`` sits in.

    Processing instructions beside the root element cannot be removed in place; they count as
    a change, and :func:`sanitise_svg` then serialises the root element alone.
    """
    changed = any(isinstance(node, etree._ProcessingInstruction)
                  for node in (*root.itersiblings(preceding=True), *root.itersiblings()))
    doomed: list[etree._Element] = []
    for node in root.iter():
        if isinstance(node, (etree._ProcessingInstruction, etree._Entity)):
            doomed.append(node)
            continue
        if not isinstance(node.tag, str):
            continue  # comments
        name = _local(node.tag)
        if name in _DROP_ELEMENTS:
            doomed.append(node)
            continue
        if name in _ANIMATION_ELEMENTS:
            target = (node.get("attributeName") or "").strip().lower()
            if target.endswith("href") or target.startswith("on"):
                doomed.append(node)
                continue
        for attr, value in list(node.attrib.items()):
            key = _local(attr)
            if key.startswith("on") or (key == "href" and not _SAFE_REFERENCE.match(value)):
                del node.attrib[attr]
                changed = True
            elif key == "href" and _DATA_SVG.match(value):
                nested = _safe_nested_svg(value, depth)
                if nested is None:
                    del node.attrib[attr]
                else:
                    node.set(attr, nested)
                changed = True
            elif "url(" in value.lower() or "@import" in value.lower():
                safe = _safe_css(value)
                if safe != value:
                    node.set(attr, safe)
                    changed = True
        if name == "style" and node.text:
            safe = _safe_css(node.text)
            if safe != node.text:
                node.text = safe
                changed = True
        if _bundled_fonts(node):
            changed = True
    for node in doomed:
        _remove(node)
    return changed or bool(doomed)


def _remove(node: etree._Element) -> None:
    """Remove ``node`` (and what it contains) but keep the text that follows it."""
    parent = node.getparent()
    if parent is None:  # the root element, which is never removed
        return
    if node.tail:
        previous = node.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + node.tail
        else:
            parent.text = (parent.text or "") + node.tail
    parent.remove(node)


def _length(value: str | None) -> float | None:
    match = _LENGTH.match(value or "")
    if not match:
        return None  # missing, percentage, or garbage
    number = float(match.group(1)) * _UNITS[(match.group(2) or "").lower()]
    return number if number > 0 else None


def svg_size(root: etree._Element) -> tuple[int, int]:
    """Intrinsic size in CSS px from ``width``/``height`` and ``viewBox``."""
    width, height = _length(root.get("width")), _length(root.get("height"))
    box: tuple[float, float] | None = None
    parts = re.split(r"[\s,]+", (root.get("viewBox") or "").strip())
    if len(parts) == 4:
        try:
            box_w, box_h = float(parts[2]), float(parts[3])
        except ValueError:
            box_w = box_h = 0.0
        if box_w > 0 and box_h > 0:
            box = (box_w, box_h)
    if width is None and height is None and box is not None:
        width, height = box
    elif width is not None and height is None and box is not None:
        height = width * box[1] / box[0]
    elif height is not None and width is None and box is not None:
        width = height * box[0] / box[1]
    if width is None or height is None:
        return DEFAULT_SIZE
    return max(1, round(width)), max(1, round(height))


def sanitise_svg(data: bytes, path: Path) -> tuple[bytes, int, int]:
    """The safe SVG bytes of ``data`` (unchanged if nothing was unsafe) and its size in px.

    Raises :class:`ImageError` for malformed XML, a non-SVG root, or entity declarations.
    """
    root = _parse(data, path).getroot()
    width, height = svg_size(root)
    if not _sanitise(root):
        return data, width, height
    logger.debug("%s: removed scripts, handlers or external references from the SVG", path)
    # The root element alone: the DOCTYPE (entity-free, so useless) and anything beside the
    # root, such as <?xml-stylesheet?>, are left behind.
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), width, height
