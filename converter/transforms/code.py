"""Code blocks: Pygments output tidied to the HTML contract (highlighting happens in render).

``pymdownx.highlight`` writes ``<div class="language-X highlight"><pre><span></span><code>``;
the contract is ``<div class="highlight"><pre><code class="language-X">``. Plain ``<pre>``
blocks (raw HTML in posts) are wrapped the same way so themes style one structure.
"""

from __future__ import annotations

from lxml import html

from . import TransformContext, transform


def _move_language_class(wrapper: html.HtmlElement, pre: html.HtmlElement) -> None:
    classes = (wrapper.get("class") or "").split()
    languages = [c for c in classes if c.startswith("language-")]
    if not languages:
        return
    wrapper.set("class", " ".join(c for c in classes if not c.startswith("language-")))
    code = pre.find("code")
    if code is not None:
        code_classes = (code.get("class") or "").split()
        code.set("class", " ".join(dict.fromkeys(code_classes + languages)))


@transform("code", priority=60)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Drop Pygments' empty leading span; put the language on ``<code>``; wrap plain ``<pre>``."""
    for pre in list(root.iter("pre")):
        first = pre[0] if len(pre) else None
        if first is not None and first.tag == "span" and len(first) == 0 and not first.text:
            first.drop_tree()
        parent = pre.getparent()
        if parent is None:
            continue
        if "highlight" in (parent.get("class") or "").split():
            _move_language_class(parent, pre)
            continue
        wrapper = html.Element("div", {"class": "highlight"})
        parent.replace(pre, wrapper)
        wrapper.tail = pre.tail
        pre.tail = None
        wrapper.append(pre)
