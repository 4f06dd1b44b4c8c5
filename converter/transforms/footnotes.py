"""Footnotes (kramdown/PHP-Markdown-Extra ``[^1]``), normalised to the HTML contract.

Python-Markdown writes ``<sup id="fnref-1"><a class="footnote-ref" href="#fn-1">1</a></sup>``
and ``<div class="footnote"><hr><ol><li id="fn-1"><p>… <a class="footnote-backref">↩</a>``.
The contract is ``<sup class="footnote-ref"><a href="#fn-1">1</a></sup>`` and
``<div class="footnotes"><ol><li id="fn-1">…</li></ol></div>``: the rule and the back links
go (the PDF writer moves each note to the foot of its page, where "↩" means nothing).
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
