"""Book furniture shared by the writers: chapter headers, title page, table of contents.

Builds markup from the HTML contract (docs/ARCHITECTURE.md); the themes style it.
"""

from __future__ import annotations

from lxml import etree, html

from ..book import Book, Chapter

#: Labels by primary language.
LABELS = {
    "ko": {"toc": "차례", "contents": "목차"},
    "ja": {"toc": "目次", "contents": "目次"},
    "zh": {"toc": "目录", "contents": "目录"},
    "en": {"toc": "Contents", "contents": "Contents"},
}


def label(lang: str, key: str) -> str:
    return LABELS.get(lang.split("-")[0], LABELS["en"])[key]


#: Attribute holding a heading's plain text, for PDF bookmarks and running heads
#: (``bookmark-label: attr(data-label)``): the writer's word joiners never reach the outline.
LABEL_ATTRIBUTE = "data-label"
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def label_headings(root: html.HtmlElement) -> None:
    """Copy each heading's text, whitespace collapsed, into ``data-label``."""
    for heading in root.iter(*_HEADINGS):
        heading.set(LABEL_ATTRIBUTE, " ".join(heading.text_content().split()))


def chapter_header(chapter: Chapter) -> html.HtmlElement:
    """``<header class="chapter-header">`` with title, date and tags."""
    header = html.Element("header", {"class": "chapter-header"})
    title = etree.SubElement(header, "h1", {"class": "chapter-title", "id": f"{chapter.id}-title"})
    if chapter.title_html:
        parsed = html.fragment_fromstring(chapter.title_html, create_parent="div")
        title.text = parsed.text
        for child in list(parsed):
            title.append(child)
    else:
        title.text = chapter.title
    if chapter.date or chapter.tags:
        meta = etree.SubElement(header, "p", {"class": "chapter-meta"})
        if chapter.date:
            time = etree.SubElement(meta, "time", {"datetime": chapter.date.isoformat()})
            time.text = chapter.date.isoformat()
            time.tail = " "
        if chapter.tags:
            tags = etree.SubElement(meta, "span", {"class": "tags"})
            for tag in chapter.tags:
                span = etree.SubElement(tags, "span", {"class": "tag"})
                span.text = tag
                span.tail = " "
    return header


def chapter_section(chapter: Chapter, body: html.HtmlElement) -> html.HtmlElement:
    """``<section class="chapter">``: header, then the body's content."""
    section = html.Element("section", {"class": "chapter", "id": chapter.id, "lang": chapter.lang})
    section.append(chapter_header(chapter))
    if body.text and body.text.strip():
        p = etree.SubElement(section, "p")
        p.text = body.text
    for child in list(body):
        section.append(child)
    return section


def toc_entries(book: Book) -> list[tuple[int, str, str]]:
    """(level, title, target id) for the table of contents and outline."""
    entries: list[tuple[int, str, str]] = []
    if book.kind == "book":
        for chapter in book.chapters:
            entries.append((1, chapter.title, f"{chapter.id}-title"))
    else:
        for chapter in book.chapters:
            for heading in chapter.headings:
                if heading.level <= 3:
                    entries.append((heading.level - 1, heading.title, heading.id))
    return entries


def wants_toc(book: Book) -> bool:
    """Books always get a TOC; a single post only with ``toc: true`` and headings."""
    if book.kind == "book":
        return len(book.chapters) > 0
    return any(c.toc and c.headings for c in book.chapters)


def toc_nav(book: Book) -> html.HtmlElement:
    """``<nav class="toc">`` with nested lists of links (page numbers come from CSS)."""
    nav = html.Element("nav", {"class": "toc", "id": "toc"})
    heading = etree.SubElement(nav, "h1", {"class": "toc-title"})
    heading.text = label(book.meta.lang, "toc")
    root_list = etree.SubElement(nav, "ol")
    lists = [root_list]  # lists[i]: the open list at depth i + 1
    items: list[html.HtmlElement] = []  # items[i]: the last item of lists[i]
    entries = toc_entries(book)
    base = min((lvl for lvl, _, _ in entries), default=1)
    for level, title, target in entries:
        # Never skip a level: a deeper heading nests one step under the last item.
        depth = max(1, min(level - base + 1, len(items) + 1))
        if depth > len(lists):
            lists.append(etree.SubElement(items[-1], "ol"))
        del lists[depth:]
        del items[depth - 1:]
        item = etree.SubElement(lists[-1], "li", {"class": f"toc-level-{depth}"})
        link = etree.SubElement(item, "a", {"href": f"#{target}"})
        link.text = title
        items.append(item)
    return nav


def title_page(book: Book) -> html.HtmlElement:
    """``<section class="title-page">``: title, subtitle, author, date."""
    section = html.Element("section", {"class": "title-page", "lang": book.meta.lang})
    h = etree.SubElement(section, "p", {"class": "book-title"})
    h.text = book.meta.title
    if book.meta.subtitle:
        sub = etree.SubElement(section, "p", {"class": "book-subtitle"})
        sub.text = book.meta.subtitle
    if book.meta.author:
        author = etree.SubElement(section, "p", {"class": "book-author"})
        author.text = book.meta.author
    if book.meta.date:
        date = etree.SubElement(section, "p", {"class": "book-date"})
        date.text = book.meta.date.isoformat()
    return section
