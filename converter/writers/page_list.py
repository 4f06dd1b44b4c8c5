"""The PDF's page numbers in the EPUB: where each PDF page starts, and the EPUB's page markers
and ``page-list`` navigation at those places.

Two halves, run in different processes:

* :func:`page_starts` runs where WeasyPrint laid a document out: for each page, the first
  text (or image) on it, in document order, as a :data:`PageStart` of plain values: the
  part of the book it is in (a chapter's id, or ``cover``/``title-page``/``toc``), the path of
  child indexes from that part's section to the element holding the text, and how many
  characters of that element's text (whitespace, word joiners and footnote texts not
  counted) come before it.
* :func:`add_page_list` runs once both files exist: it finds the same places in the EPUB's
  XHTML (the writers build both from the same chapter trees), puts an
  ``epub:type="pagebreak"`` / ``role="doc-pagebreak"`` marker labelled with the folio there,
  adds a ``page-list`` nav, and declares the PDF as the page source (``pageBreakSource``,
  ``printPageNumbers``).

Folios are the PDF's page numbers (the themes number every page from the cover, so page *n*
of the PDF shows *n*). Knows the structure both writers share (docs/ARCHITECTURE.md), not their
engines: WeasyPrint's boxes are only read by duck typing.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from lxml import etree

from .accessibility import _SUMMARY, LANDMARK_LABELS, labels, rewrite_epub

#: (part, path, offset): ``part`` is a chapter id or "cover", "title-page", "toc".
PageStart = tuple[str, list[int], int]

XHTML_NS = "http://www.w3.org/1999/xhtml"
EPUB_NS = "http://www.idpf.org/2007/ops"
OPF_NS = "http://www.idpf.org/2007/opf"
#: Characters that do not count when positions are compared across the two formats.
_IGNORED = re.compile(r"[\s\u2060\u00ad\u200b]+")
#: Subtrees whose text differs between the formats: footnote texts (at the foot of the PDF's
#: pages, at the chapter's end in the EPUB), the footnote calls, formulas (SVG / MathML).
_SKIPPED_TAGS = {"math", "svg", "script", "style"}
_SKIPPED_CLASSES = {"footnote", "footnote-ref", "footnotes"}
#: Inline elements: a page marker at their first character goes before them.
_INLINE = {"a", "abbr", "b", "bdi", "cite", "code", "del", "em", "i", "ins", "kbd", "mark", "q",
           "s", "samp", "small", "span", "strong", "sub", "sup", "u", "var"}
_PARTS = ("cover", "title-page", "toc")


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Any) -> list[Any]:
    return [child for child in element if isinstance(child.tag, str)]


def _skipped(element: Any) -> bool:
    if _local(element.tag) in _SKIPPED_TAGS:
        return True
    return bool(_SKIPPED_CLASSES & set((element.get("class") or "").split()))


def _texts(element: Any) -> Iterator[tuple[Any, str, str]]:
    """The text nodes of ``element`` in document order, skipping :data:`_SKIPPED_TAGS` and
    footnotes: (owner, "text" | "tail", text)."""
    if element.text:
        yield element, "text", element.text
    for child in _children(element):
        if not _skipped(child):
            yield from _texts(child)
        if child.tail:
            yield child, "tail", child.tail
    # Comments and processing instructions: only their tails are text.
    for child in element:
        if not isinstance(child.tag, str) and child.tail:
            yield child, "tail", child.tail


def canonical_text(element: Any) -> str:
    """The text of ``element`` as both formats have it: no whitespace, joiners, footnotes."""
    return _IGNORED.sub("", "".join(text for _, _, text in _texts(element)))


# ----------------------------------------------------------------- the PDF side (layout)


def _part_of(element: Any, parents: dict[Any, Any]) -> tuple[str, list[int]] | None:
    """The part (chapter id or furniture) holding ``element``, and its path from there."""
    path: list[int] = []
    current = element
    while current in parents:
        parent = parents[current]
        classes = set((current.get("class") or "").split())
        if _local(current.tag) == "section" and "chapter" in classes and current.get("id"):
            return current.get("id"), path
        for part in _PARTS:
            if part in classes:
                return part, []
        siblings = _children(parent)
        path.insert(0, next(i for i, child in enumerate(siblings) if child is current))
        current = parent
    return None


def _boxes(box: Any) -> Iterator[Any]:
    """Boxes in document order, without margin boxes, footnote areas and repeated headers."""
    kind = type(box).__name__
    if kind in {"MarginBox", "FootnoteAreaBox"}:
        return
    if getattr(box, "is_header", False) or getattr(box, "is_footer", False):
        return
    yield box
    for child in getattr(box, "children", None) or ():
        yield from _boxes(child)


def page_starts(document: Any) -> list[PageStart | None]:
    """Where each page of a laid-out WeasyPrint document starts (see the module doc).

    The offset is exact: the characters of the element's text laid out on earlier pages are
    counted (per element, with its ancestors), so a phrase repeated in a paragraph is no
    trouble.
    """
    if not document.pages:
        return []
    root = _document_root(document)
    parents = ({child: parent for parent in root.iter() for child in parent}
               if root is not None else {})
    seen: dict[Any, int] = {}
    starts: list[PageStart | None] = []
    for page in document.pages:
        start: PageStart | None = None
        found = False
        for box in _boxes(page._page_box):
            tag = getattr(box, "element_tag", "") or ""
            if "::" in tag:  # list markers, footnote calls, generated content
                continue
            kind = type(box).__name__
            element = getattr(box, "element", None)
            if element is None or element not in parents:
                continue
            if kind == "TextBox":
                count = len(_IGNORED.sub("", box.text or ""))
                if not count:
                    continue
            elif "Replaced" in kind:
                count = 0
            else:
                continue
            if not found:
                found = True
                located = _part_of(element, parents)
                if located is not None:
                    part, path = located
                    start = (part, path, seen.get(element, 0))
            current = element
            while count and current is not None:
                seen[current] = seen.get(current, 0) + count
                current = parents.get(current)
        starts.append(start)
    return starts


def _document_root(document: Any) -> Any:
    box = document.pages[0]._page_box
    while getattr(box, "children", None):
        element = getattr(box, "element", None)
        if element is not None and _local(element.tag) == "html":
            return element
        box = box.children[0]
    element = getattr(box, "element", None)
    return element


def book_page_starts(front: Sequence[PageStart | None],
                     segments: Sequence[Sequence[tuple[int, int] | None]],
                     chapters: Sequence[Sequence[PageStart | None]]) -> list[PageStart | None]:
    """A book's page starts from its parts: the front matter's pages, then the pages of each
    chapter's frame segment that the book keeps, which carry chapter pages
    (``(chapter, page)``) or are blank (``None``)."""
    starts = list(front)
    for owners in segments:
        for owner in owners:
            if owner is None:
                starts.append(None)
            else:
                chapter, page = owner
                pages = chapters[chapter]
                starts.append(pages[page] if page < len(pages) else None)
    return starts


# ----------------------------------------------------------------------- the EPUB side


def _marker(folio: str) -> etree._Element:
    span = etree.Element(f"{{{XHTML_NS}}}span")
    span.set(f"{{{EPUB_NS}}}type", "pagebreak")
    span.set("role", "doc-pagebreak")
    span.set("id", f"page-{folio}")
    span.set("aria-label", folio)
    span.set("title", folio)
    return span


def _resolve(section: Any, path: Sequence[int]) -> Any:
    """The element at ``path`` below ``section`` (as far as the path leads)."""
    element = section
    for index in path:
        children = _children(element)
        if index >= len(children):
            break
        element = children[index]
    return element


def _insert(element: Any, offset: int, markers: list[etree._Element]) -> None:
    """Put ``markers`` before the ``offset``-th counted character of ``element``'s text (at
    its first character for 0; before it if it holds no text, like an image)."""
    if _local(element.tag) == "body":
        for index, marker in enumerate(markers):
            element.insert(index, marker)
        return
    if _local(element.tag) in {"img", "svg", "math"} or not canonical_text(element):
        target = element
        while _local(target.getparent().tag) in {"ol", "ul", "dl", "table", "tbody", "thead",
                                                 "tfoot", "tr", "picture"}:
            target = target.getparent()
        for marker in markers:
            target.addprevious(marker)
        return
    if offset == 0 and _local(element.tag) in _INLINE:
        # A page starting with an inline element (``h1 > em``): the markers go before it,
        # not inside it, so that the element keeps its text whole.
        while (_local(element.getparent().tag) in _INLINE and element.getprevious() is None
               and not (element.getparent().text or "").strip()):
            element = element.getparent()
        for marker in markers:
            element.addprevious(marker)
        return
    seen = 0
    for owner, where, text in _texts(element):
        counted = [i for i, ch in enumerate(text) if not _IGNORED.match(ch)]
        if seen + len(counted) <= offset and not (offset == 0 and counted):
            seen += len(counted)
            continue
        cut = counted[offset - seen] if offset - seen < len(counted) else len(text)
        if (where == "text" and owner is not element and not text[:cut].strip()
                and _local(owner.tag) in _INLINE):  # the same, one level down
            while (owner.getparent() is not element and owner.getprevious() is None
                   and _local(owner.getparent().tag) in _INLINE
                   and not (owner.getparent().text or "").strip()):
                owner = owner.getparent()
            for marker in markers:
                owner.addprevious(marker)
            return
        before, after = text[:cut], text[cut:]
        if where == "text":
            owner.text = before
            anchor_parent, index = owner, 0
        else:
            owner.tail = before
            anchor_parent, index = owner.getparent(), owner.getparent().index(owner) + 1
        for marker in markers:
            anchor_parent.insert(index, marker)
            index += 1
        markers[-1].tail = after
        return
    element.append(markers[0])
    for marker in markers[1:]:
        element.append(marker)


def add_page_list(epub_path: Path, starts: Sequence[PageStart | None], *, lang: str,
                  source: str) -> int:
    """Put page markers and a page list for ``starts`` (one per PDF page) into the EPUB at
    ``epub_path`` (rewritten in place); ``source`` names the PDF edition. Returns the number
    of entries."""
    import zipfile

    with zipfile.ZipFile(epub_path) as archive:
        names = archive.namelist()
        opf_name = next(n for n in names if n.endswith(".opf"))
        opf = etree.fromstring(archive.read(opf_name))
        base = posixpath.dirname(opf_name)
        manifest = {item.get("id"): item for item in opf.iter(f"{{{OPF_NS}}}item")}
        spine = [manifest[ref.get("idref")].get("href")
                 for ref in opf.iter(f"{{{OPF_NS}}}itemref")]
        documents = {href: etree.fromstring(archive.read(posixpath.join(base, href)))
                     for href in spine}
    nav_href = next(item.get("href") for item in manifest.values()
                    if "nav" in (item.get("properties") or "").split())

    def file_of(part: str) -> str | None:
        wanted = {"cover": "text/cover.xhtml", "title-page": "text/titlepage.xhtml",
                  "toc": nav_href}.get(part, f"text/{part}.xhtml")
        return wanted if wanted in documents else None

    # Each page goes where it starts, else where the previous one went (blank pages, pages
    # of furniture the EPUB does not have), else at the start of the first document.
    placements: list[tuple[str, Any, int, str]] = []  # file, element, offset, folio
    first_file = next((h for h in spine if h != nav_href), spine[0])
    last: tuple[str, Any, int] | None = None
    pending: list[str] = []
    for index, start in enumerate(starts):
        folio = str(index + 1)
        where = None
        if start is not None:
            part, path, offset = start
            href = file_of(part)
            if href is not None:
                document = documents[href]
                if part in _PARTS:
                    section = document.find(f"{{{XHTML_NS}}}body")
                    element, offset = section, 0
                else:
                    section = document.find(f".//*[@id='{part}']")
                    element = _resolve(section, path) if section is not None else None
                    if element is None:
                        element, offset = document.find(f"{{{XHTML_NS}}}body"), 0
                where = (href, element, offset)
        if where is None:
            if last is None:
                pending.append(folio)
                continue
            where = last
        for early in pending:
            placements.append((*where, early))
        pending = []
        placements.append((*where, folio))
        last = where
    for folio in pending:  # nothing started anywhere: the start of the book
        body = documents[first_file].find(f"{{{XHTML_NS}}}body")
        placements.append((first_file, body, 0, folio))
    # Insert grouped by place, later places first, so earlier offsets stay valid.
    groups: dict[tuple[int, int], list[str]] = {}
    keys: dict[tuple[int, int], tuple[Any, int]] = {}
    for _, element, offset, folio in placements:
        key = (id(element), offset)
        groups.setdefault(key, []).append(folio)
        keys[key] = (element, offset)
    for key in sorted(groups, key=lambda k: -k[1]):
        element, offset = keys[key]
        _insert(element, offset, [_marker(folio) for folio in groups[key]])

    links = [(href, folio) for href, _, _, folio in placements]

    def edit_nav(tree: Any) -> None:
        text = labels(lang, LANDMARK_LABELS)
        body = tree.getroot().find(f"{{{XHTML_NS}}}body")
        nav = etree.SubElement(body, f"{{{XHTML_NS}}}nav")
        nav.set(f"{{{EPUB_NS}}}type", "page-list")
        nav.set("role", "doc-pagelist")
        nav.set("aria-label", text["pages"])
        nav.set("hidden", "hidden")
        ol = etree.SubElement(nav, f"{{{XHTML_NS}}}ol")
        nav_dir = posixpath.dirname(nav_href)
        for href, folio in links:
            li = etree.SubElement(ol, f"{{{XHTML_NS}}}li")
            a = etree.SubElement(li, f"{{{XHTML_NS}}}a")
            a.set("href", posixpath.relpath(href, nav_dir or ".") + f"#page-{folio}")
            a.text = folio

    def edit_opf(tree: Any) -> None:
        metadata = tree.getroot().find(f"{{{OPF_NS}}}metadata")
        summary = labels(lang, _SUMMARY)["pages"]
        for meta in metadata.iter(f"{{{OPF_NS}}}meta"):
            if meta.get("property") == "schema:accessibilitySummary" and summary not in (meta.text or ""):
                meta.text = f"{meta.text} {summary}".strip()
        features = [meta.text for meta in metadata.iter(f"{{{OPF_NS}}}meta")
                    if meta.get("property") == "schema:accessibilityFeature"]
        for value in ("pageNavigation", "printPageNumbers"):
            if value not in features:
                meta = etree.SubElement(metadata, f"{{{OPF_NS}}}meta",
                                        {"property": "schema:accessibilityFeature"})
                meta.text = value
        meta = etree.SubElement(metadata, f"{{{OPF_NS}}}meta", {"property": "pageBreakSource"})
        meta.text = source

    def replace_with(document: Any, then: Any = None) -> Any:
        def edit(tree: Any) -> None:
            tree._setroot(document)
            if then is not None:
                then(tree)
        return edit

    editors: dict[str, Any] = {"opf": edit_opf}
    if nav_href in documents:  # the navigation document is in the spine: it may hold markers
        editors[posixpath.join(base, nav_href)] = replace_with(documents[nav_href], edit_nav)
    else:
        editors["nav"] = edit_nav
    for href, document in documents.items():
        if href != nav_href and any(place[0] == href for place in placements):
            editors[posixpath.join(base, href)] = replace_with(document)
    rewrite_epub(epub_path, editors)
    return len(links)
