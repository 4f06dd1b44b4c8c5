"""Footnotes in the PDF: at the foot of their page, the first ones; the rest as endnotes.

The HTML contract's footnotes are a ``div.footnotes`` list after the text, referenced by
``sup > a`` calls. The PDF moves a note's text to its call site as a
``<span class="footnote">``, which the theme floats to the foot of the page
(``float: footnote``). WeasyPrint lays a page's footnote area out again for each note added to
it, so a post with hundreds of notes takes minutes (500 took 14 s, 5,000 never ended): only
the first ``limit`` notes of each chapter go to their pages; later ones stay in the list,
printed after the chapter as endnotes and numbered on from the page notes (the dialect rule
``markdown_footnotes`` has warned, naming the first one's line).
"""

from __future__ import annotations

from lxml import etree, html


def page_footnotes(root: html.HtmlElement, limit: int) -> None:
    """Move the first ``limit`` footnotes of ``root`` (a chapter's body) to their call sites
    as ``float: footnote`` spans; later ones stay in the endnote list."""
    notes: dict[str, html.HtmlElement] = {}
    containers = [c for c in list(root.find_class("footnotes")) + list(root.find_class("footnote"))
                  if c.tag == "div"]
    for container in containers:
        for item in container.iter("li"):
            if item.get("id") and len(notes) < limit:
                notes[item.get("id")] = item
    moved: set[str] = set()
    for sup in list(root.iter("sup")):
        link = sup.find("a")
        if link is None:
            continue
        target = (link.get("href") or "").lstrip("#")
        item = notes.get(target)
        if item is None:
            continue
        moved.add(target)
        note = html.Element("span", {"class": "footnote"})
        for back in list(item.find_class("footnote-backref")):
            back.drop_tree()
        paragraphs = [p for p in item if p.tag == "p"] or [item]
        for index, p in enumerate(paragraphs):
            if index:
                etree.SubElement(note, "br")
            if p.text:
                if len(note):
                    note[-1].tail = (note[-1].tail or "") + p.text
                else:
                    note.text = (note.text or "") + p.text
            for child in list(p):
                note.append(child)
        note.tail = sup.tail
        sup.getparent().replace(sup, note)
    for container in containers:
        if container.getparent() is None:
            continue
        for item in list(container.iter("li")):
            if item.get("id") in moved:
                item.getparent().remove(item)
        lists = [ol for ol in container.iter("ol")]
        if not any(len(ol) for ol in lists):
            container.drop_tree()
            continue
        for ol in lists:  # endnotes go on from the page notes' numbers (WeasyPrint reads
            # the counter, not ``start``: presentational hints are off)
            ol.set("start", str(len(moved) + 1))
            ol.set("style", f"counter-reset: list-item {len(moved)}")
