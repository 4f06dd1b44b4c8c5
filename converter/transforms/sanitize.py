"""Sanitize raw HTML from posts for both outputs (nh3, an html5ever-based allowlist cleaner).

Posts may come from anyone. What survives: structural and phrasing HTML, images, tables, a few
presentational style properties. What never survives: scripts, event handlers, ``javascript:``
URLs, forms, external stylesheets, ``<style>`` blocks, frames and plugins. Embedded players
(``<iframe>``, ``<object>``, ``<embed>``, ``<video>``, ``<audio>``) become plain links first.

Decision: ``<style>`` blocks in posts (Jupyter exports carry them) are dropped, not scoped: the
theme styles tables and code, and a post's CSS must not fight the book's.
"""

from __future__ import annotations

from lxml import html

import nh3

_TAGS = {
    "a", "abbr", "acronym", "address", "article", "aside", "b", "bdi", "bdo", "big", "blockquote",
    "br", "caption", "center", "cite", "code", "col", "colgroup", "dd", "del", "details", "dfn",
    "div", "dl", "dt", "em", "figcaption", "figure", "font", "footer", "h1", "h2", "h3", "h4",
    "h5", "h6", "header", "hr", "i", "img", "input", "ins", "kbd", "li", "main", "mark", "nav",
    "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "section", "small", "span", "strike",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time",
    "tr", "tt", "u", "ul", "var", "wbr",
}
_GENERIC_ATTRIBUTES = {"class", "id", "lang", "dir", "title", "style", "align", "data-tex",
                       "data-math", "data-line"}
_ATTRIBUTES = {
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "valign", "width"},
    "th": {"colspan", "rowspan", "valign", "width", "scope"},
    "col": {"span", "width"},
    "colgroup": {"span"},
    "ol": {"start", "type", "reversed"},
    "li": {"value"},
    "font": {"color", "size", "face"},
    "input": {"type", "checked", "disabled"},
    "time": {"datetime"},
    "abbr": {"title"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "details": {"open"},
    "table": {"border", "width"},
}
_STYLE_PROPERTIES = {
    "color", "background-color", "font-weight", "font-style", "font-size", "text-decoration",
    "text-decoration-line", "text-align", "vertical-align", "width", "max-width", "height",
    "text-transform",
}
_URL_SCHEMES = {"http", "https", "mailto", "data"}
# Elements whose whole content is dropped; embedded players are turned into links before this.
_DROP_WITH_CONTENT = {"script", "style", "noscript", "template", "textarea", "select", "button",
                      "frameset", "noframes", "title", "head", "link", "meta", "base", "math",
                      "svg", "canvas", "map", "param", "track", "source"}
_EMBEDS = {"iframe", "object", "embed", "video", "audio", "frame"}


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    if name in {"href", "src"} and value.strip().lower().startswith("data:") and tag != "img":
        return None
    return value


def embeds_to_links(root: html.HtmlElement) -> None:
    """Replace ``<iframe>``/``<object>``/``<embed>``/media with a link to what they embed."""
    for element in list(root.iter(*_EMBEDS)):
        if element.getparent() is None:
            continue
        url = (element.get("src") or element.get("data") or "").strip()
        if not url:
            source = element.find(".//source")
            url = source.get("src", "").strip() if source is not None else ""
        if url.startswith("//"):
            url = "https:" + url
        replacement: html.HtmlElement
        if url.lower().startswith(("http://", "https://")):
            replacement = html.Element("p", {"class": "video-link"})
            link = html.Element("a", {"href": url})
            link.text = "▶ " + (element.get("title") or url)
            replacement.append(link)
        else:
            replacement = html.Element("span")
        replacement.tail = element.tail
        element.getparent().replace(element, replacement)


def sanitize_html(root: html.HtmlElement) -> str:
    """Clean the tree under ``root`` and return the safe HTML of its content."""
    embeds_to_links(root)
    fragment = (root.text or "") + "".join(
        html.tostring(child, encoding="unicode") for child in root
    )
    attributes = {tag: set(names) for tag, names in _ATTRIBUTES.items()}
    attributes["*"] = set(_GENERIC_ATTRIBUTES)
    return nh3.clean(
        fragment,
        tags=_TAGS,
        clean_content_tags=_DROP_WITH_CONTENT,
        attributes=attributes,
        attribute_filter=_attribute_filter,
        url_schemes=_URL_SCHEMES,
        strip_comments=True,
        link_rel=None,
        filter_style_properties=_STYLE_PROPERTIES,
    )
