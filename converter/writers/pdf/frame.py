"""The frame of a book laid out chapter by chapter, and the chapters' documents.

The frame carries what depends on the whole book: the front matter (cover, title page, TOC,
whose page numbers are counted here and shown through ``data-page``, ``frame.css``), and for
each chapter its header, invisible (for the running heads' ``string-set``), with one empty
block per page the chapter took (:func:`page_id`). This module makes the HTML of those
documents from the book's tree; it lays nothing out.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ...errors import OutputError

#: Added to the stylesheet of a book's frame.
FRAME_CSS = Path(__file__).with_name("frame.css")


class FrameMismatch(OutputError):
    """A chapter's pages do not fit its frame pages (text areas of another size)."""


def is_chapter(element: Any) -> bool:
    """Whether ``element`` is a chapter ``<section>`` of the book's HTML contract."""
    return element.tag == "section" and "chapter" in (element.get("class") or "").split()


def document_source(document_tree: Any, children: Sequence[Any], *, head: bool = False) -> str:
    """A document with the book's ``<html>`` and ``<body>`` attributes around ``children``
    (serialised as they are, not copied); with the book's ``<head>`` or just a charset."""
    from lxml import etree, html

    root = html.Element("html", dict(document_tree.attrib))
    if head:  # the stylesheet comes separately (shared, parsed once)
        root.append(etree.Element("head"))
        root[0].extend(copy.deepcopy(c) for c in document_tree.find("head") if c.tag != "style")
    else:
        etree.SubElement(etree.SubElement(root, "head"), "meta", {"charset": "utf-8"})
    body = etree.SubElement(root, "body", dict(document_tree.find("body").attrib))
    body.append(etree.Comment(_CONTENT))
    before, after = html.tostring(root, encoding="unicode",
                                  doctype="<!DOCTYPE html>").split(f"<!--{_CONTENT}-->")
    content = "".join(html.tostring(child, encoding="unicode", with_tail=False)
                      for child in children)
    return before + content + after


#: Where :func:`document_source` puts the children's markup.
_CONTENT = "hanji-document-content"


def front_source(document_tree: Any, sections: Sequence[Any],
                 starts: Sequence[int] | None) -> str:
    """The front matter (cover, title page, TOC) with each TOC entry's page number in
    ``data-page`` (``starts``: each chapter's first page; ``None``: a placeholder as wide)."""
    chapter_of = {}
    for index, section in enumerate(sections):
        header = next((c for c in section if c.tag == "header"), None)
        for element in [section, *(header.iter() if header is not None else ())]:
            if element.get("id"):
                chapter_of[element.get("id")] = index
    front = [copy.deepcopy(child) for child in document_tree.find("body")
             if not is_chapter(child)]
    widest = "9" * len(str(len(sections) * 1000))
    for element in front:
        for link in element.iter("a"):
            href = link.get("href") or ""
            if not href.startswith("#"):
                continue
            chapter = chapter_of.get(href[1:])
            if chapter is not None:
                link.set("data-page", widest if starts is None else str(starts[chapter]))
            elif element.get("id") == "toc":
                raise FrameMismatch(f"the TOC links to {href}, not to a chapter title")
    return document_source(document_tree, front, head=True)


def segment_source(document_tree: Any, section: Any, chapter: int, pages: int,
                   recto: bool) -> str:
    """The frame of one chapter: its header (hidden) and one empty block per page; begun on
    a throw-away page when the chapter starts on a left-hand page."""
    from lxml import etree, html

    children = []
    if not recto:
        children.append(html.Element("div", {"class": "hanji-frame-blank"}))
    frame = html.Element("section", dict(section.attrib))
    etree.SubElement(frame, "div", {"class": "hanji-frame-start", "id": page_id(chapter, 1)})
    header = next((c for c in section if c.tag == "header"), None)
    if header is not None:
        frame.append(copy.deepcopy(header))
        frame[-1].tail = None
    for number in range(2, pages + 1):
        etree.SubElement(frame, "div", {"class": "hanji-frame-page",
                                        "id": page_id(chapter, number)})
    children.append(frame)
    return document_source(document_tree, children)



PAGE_ID = re.compile(r"hanji-frame-(\d+)-(\d+)")


def page_id(chapter: int, page: int) -> str:
    """The id of the frame's empty block standing for page ``page`` (from 1) of a chapter."""
    return f"hanji-frame-{chapter}-{page}"

