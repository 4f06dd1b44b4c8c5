"""Serialize HTML trees (lxml.html, no namespaces) as EPUB XHTML content documents.

Rebuilds the tree element by element in the XHTML namespace, with MathML and SVG subtrees in
their own namespaces, dropping attributes whose names are not valid XML.
"""

from __future__ import annotations

import re

from lxml import etree, html

XHTML_NS = "http://www.w3.org/1999/xhtml"
MATHML_NS = "http://www.w3.org/1998/Math/MathML"
SVG_NS = "http://www.w3.org/2000/svg"
EPUB_NS = "http://www.idpf.org/2007/ops"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XLINK_NS = "http://www.w3.org/1999/xlink"

_XML_NAME = re.compile(r"^[A-Za-z_][\w.\-]*$")
_ILLEGAL_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(text: str | None) -> str | None:
    return _ILLEGAL_XML_CHARS.sub("", text) if text else text


def _convert(source: html.HtmlElement, namespace: str) -> etree._Element:
    tag = source.tag
    if not isinstance(tag, str):
        return None  # type: ignore[return-value]
    local = tag.split("}", 1)[-1].lower() if namespace == XHTML_NS else tag.split("}", 1)[-1]
    if local == "math":
        namespace = MATHML_NS
    elif local == "svg":
        namespace = SVG_NS
    element = etree.Element(f"{{{namespace}}}{local}", nsmap=None)
    for name, value in source.attrib.items():
        name = name.split("}", 1)[-1] if name.startswith("{") else name
        if name == "xmlns" or name.startswith("xmlns:"):
            continue
        if name in {"epub:type", "xml:lang"}:
            ns = EPUB_NS if name.startswith("epub") else XML_NS
            element.set(f"{{{ns}}}{name.split(':', 1)[1]}", value)
            continue
        if name in {"xlink:href"}:
            element.set(f"{{{XLINK_NS}}}href", value)
            continue
        if not _XML_NAME.match(name):
            continue
        element.set(name, _clean(value) or "")
    element.text = _clean(source.text)
    for child in source:
        converted = _convert(child, namespace)
        if converted is not None:
            element.append(converted)
            converted.tail = _clean(child.tail)
        elif child.tail:
            # A comment or processing instruction: keep its tail text.
            if len(element):
                element[-1].tail = (element[-1].tail or "") + child.tail
            else:
                element.text = (element.text or "") + child.tail
    return element


def xhtml_document(*, title: str, lang: str, body_children: list[html.HtmlElement],
                   stylesheets: list[str], body_class: str = "") -> bytes:
    """A complete XHTML5 content document as UTF-8 bytes."""
    nsmap = {None: XHTML_NS, "epub": EPUB_NS}
    root = etree.Element(f"{{{XHTML_NS}}}html", nsmap=nsmap)
    root.set("lang", lang)
    root.set(f"{{{XML_NS}}}lang", lang)
    head = etree.SubElement(root, f"{{{XHTML_NS}}}head")
    meta = etree.SubElement(head, f"{{{XHTML_NS}}}meta")
    meta.set("charset", "utf-8")
    title_el = etree.SubElement(head, f"{{{XHTML_NS}}}title")
    title_el.text = _clean(title) or "Untitled"
    for href in stylesheets:
        link = etree.SubElement(head, f"{{{XHTML_NS}}}link")
        link.set("rel", "stylesheet")
        link.set("type", "text/css")
        link.set("href", href)
    body = etree.SubElement(root, f"{{{XHTML_NS}}}body")
    if body_class:
        body.set("class", body_class)
    for child in body_children:
        converted = _convert(child, XHTML_NS)
        if converted is not None:
            converted.tail = None
            body.append(converted)
    return etree.tostring(root, xml_declaration=True, encoding="utf-8",
                          doctype="<!DOCTYPE html>")
