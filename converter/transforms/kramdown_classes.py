"""Theme classes kramdown attribute lists put on blocks, turned into the HTML contract.

* minimal-mistakes notices: a block with ``notice`` / ``notice--info|warning|danger|success|
  primary`` becomes ``<div class="notice notice--info">`` around it (a ``<div>`` already is
  the box). Older Michael Rose themes' ``notice-info`` is ``notice--info``; Hydejack's ``.note``
  paragraph is a plain ``notice``.
* Hydejack ``{:.figcaption}``: the paragraph right after a figure becomes its
  ``<figcaption>``; after a paragraph of several images (one per line) the images become a
  one-column ``figure-group`` first.
* ``align-center|left|right`` on an image that became a figure moves to the figure; on other
  blocks it stays where the author put it (themes style ``.align-*`` on any block, as
  html_quirks leaves ``align="center"``).

Runs after the figures transform, which has made lone images into figures.
"""

from __future__ import annotations

from lxml import html

from . import TransformContext, transform
from .figures import make_group

_NOTICE_VARIANTS = {"notice--info", "notice--warning", "notice--danger", "notice--success",
                    "notice--primary"}
_NOTICE_ALIASES = {"note": "notice"}
_ALIGN = {"align-center", "align-left", "align-right"}
_CELL_TAGS = {"li", "td", "th", "dd", "dt"}


def _notice_alias(name: str) -> str:
    """Older Michael Rose themes write ``notice-info``; Hydejack writes ``note``."""
    if name.startswith("notice-") and not name.startswith("notice--"):
        return "notice--" + name[len("notice-"):]
    return _NOTICE_ALIASES.get(name, name)


def _classes(element: html.HtmlElement) -> list[str]:
    return (element.get("class") or "").split()


def _set_classes(element: html.HtmlElement, classes: list[str]) -> None:
    if classes:
        element.set("class", " ".join(dict.fromkeys(classes)))
    else:
        element.attrib.pop("class", None)


def _notices(root: html.HtmlElement) -> None:
    for element in list(root.iter()):
        if not isinstance(element.tag, str) or element is root:
            continue
        classes = [_notice_alias(c) for c in _classes(element)]
        notice = [c for c in classes if c == "notice" or c in _NOTICE_VARIANTS
                  or c.startswith("notice--")]
        if not notice:
            continue
        box_classes = ["notice", *(c for c in notice if c != "notice")]
        if element.tag == "div":
            _set_classes(element, box_classes + [c for c in classes if c not in notice])
            continue
        parent = element.getparent()
        if parent is None or (parent.tag == "div" and "notice" in _classes(parent)):
            continue
        box = html.Element("div", {"class": " ".join(box_classes)})
        _set_classes(element, [c for c in classes if c not in notice])
        if element.tag in _CELL_TAGS:
            # A list item or cell cannot sit in a div: the box goes inside it instead.
            box.text, element.text = element.text, None
            for child in list(element):
                box.append(child)
            element.append(box)
            continue
        parent.replace(element, box)
        box.tail, element.tail = element.tail, None
        box.append(element)


def _only_images(p: html.HtmlElement) -> bool:
    """A paragraph holding images (and line breaks) and no text."""
    return (any(child.tag == "img" for child in p)
            and all(child.tag in {"img", "br"} for child in p)
            and not p.text_content().strip())


def _figcaptions(root: html.HtmlElement) -> None:
    for p in list(root.iter("p")):
        if "figcaption" not in _classes(p):
            continue
        figure = p.getprevious()
        if figure is not None and figure.tag == "p" and _only_images(figure):
            # Several images in one paragraph (one per line): a one-column figure group.
            group = make_group(list(figure.iter("img")), 1, None)
            group.tail = figure.tail
            figure.getparent().replace(figure, group)
            figure = group
        if figure is None or figure.tag != "figure" or figure.find("figcaption") is not None:
            continue
        caption = html.Element("figcaption")
        caption.text = p.text
        for child in list(p):
            caption.append(child)
        figure.append(caption)
        # The paragraph goes; text after it (rare in a block context) stays.
        p.drop_tree()


def _aligned_images(root: html.HtmlElement) -> None:
    for figure in root.iter("figure"):
        images = list(figure.iter("img"))
        if len(images) != 1:
            continue
        aligned = [c for c in _classes(images[0]) if c in _ALIGN]
        if aligned:
            _set_classes(images[0], [c for c in _classes(images[0]) if c not in _ALIGN])
            _set_classes(figure, _classes(figure) + aligned)


@transform("kramdown_classes", priority=88)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Notices, Hydejack figcaptions and aligned images, per the HTML contract."""
    _figcaptions(root)
    _aligned_images(root)
    _notices(root)
