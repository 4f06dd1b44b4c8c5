"""Footnotes (kramdown/PHP-Markdown-Extra ``[^1]``), normalised to the HTML contract.

Python-Markdown writes ``<sup id="fnref-1"><a class="footnote-ref" href="#fn-1">1</a></sup>``
and ``<div class="footnote"><hr><ol><li id="fn-1"><p>… <a class="footnote-backref">↩</a>``.
The contract is ``<sup class="footnote-ref"><a href="#fn-1">1</a></sup>`` and
``<div class="footnotes"><ol><li id="fn-1">…</li></ol></div>``: the rule and the back links
go (the PDF writer moves each note to the foot of its page, where "↩" means nothing).

Numbering follows kramdown: notes are numbered in the order they are first referenced (from
the site's ``footnote_nr``), not in the order they are defined; a definition nothing refers to
is not printed.
"""

from __future__ import annotations

from lxml import html

from . import TransformContext, transform


@transform("footnotes", priority=45)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Move the reference class to ``<sup>``; rename the list; drop rules and back links."""
    for link in list(root.iter("a")):
        classes = (link.get("class") or "").split()
        if "footnote-ref" in classes:
            link.attrib.pop("class")
            sup = link.getparent()
            if sup is not None and sup.tag == "sup":
                sup.set("class", "footnote-ref")
        elif "footnote-backref" in classes:
            parent = link.getparent()
            previous = link.getprevious()
            # The back link follows a no-break space; take it too.
            if previous is not None:
                previous.tail = (previous.tail or "").rstrip("\xa0 ") or None
            elif parent is not None:
                parent.text = (parent.text or "").rstrip("\xa0 ") or None
            link.drop_tree()
    for box in list(root.iter("div")):
        if "footnote" not in (box.get("class") or "").split():
            continue
        box.set("class", "footnotes")
        for rule in box.findall("hr"):
            rule.drop_tree()
    _number_as_kramdown(root, ctx.kramdown.footnote_nr)


def _number_as_kramdown(root: html.HtmlElement, start: int) -> None:
    """Order and number the notes by first reference; drop notes nothing refers to."""
    for box in root.xpath("//div[@class='footnotes']"):
        ol = box.find("ol")
        if ol is None:
            continue
        notes = {li.get("id"): li for li in ol.findall("li") if li.get("id")}
        order: list[str] = []
        refs: list[tuple[html.HtmlElement, str]] = []
        for link in root.xpath("//sup[contains(@class,'footnote-ref')]/a[@href]"):
            target = (link.get("href") or "")[1:]
            if target in notes:
                refs.append((link, target))
                if target not in order:
                    order.append(target)
        if not order:
            continue
        for li in list(ol):
            ol.remove(li)
        for ident in order:
            ol.append(notes[ident])
        for link, target in refs:
            link.text = str(start + order.index(target))
        if start != 1:
            ol.set("start", str(start))
