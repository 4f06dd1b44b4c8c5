"""Sanitize raw HTML from posts for both outputs (nh3, an html5ever-based allowlist cleaner).

Posts may come from anyone. What survives: structural and phrasing HTML, images, tables, a few
presentational style properties. What never survives: scripts, event handlers, ``javascript:``
URLs, forms, external stylesheets, ``<style>`` blocks, frames and plugins. Embedded players
(``<iframe>``, ``<object>``, ``<embed>``, ``<video>``, ``<audio>``) become plain links first;
a local ``<object>``/``<embed>`` of an image becomes an ``<img>`` (judged by the resolver).

Decision: ``<style>`` blocks in posts (Jupyter exports carry them) are dropped, not scoped: the
theme styles tables and code, and a post's CSS must not fight the book's. Dropping them also
closes every path by which a post's CSS could name a file (``url()``, ``@import``).

URLs: ``href``/``src``/``cite`` keep only ``http``, ``https``, ``mailto`` and fragment or
relative references (images may also carry ``data:image/…``, which the asset resolver then
judges). The scheme is read the way a browser reads it — ASCII tabs, newlines and control
characters removed, percent-escaped control characters too — so ``jav&#x09;ascript:`` and
``java%0ascript:`` are refused.
Inline ``style`` keeps a few presentational properties, and never a value that could load
something (``url()``, ``image-set()``, ``expression()``, CSS escapes, comments).

Inline ``<svg>`` and ``<math>`` in raw HTML go with their content (they can carry scripts and
references of their own); SVG *files* are sanitised by the image stage, and math comes from
TeX through the math transform.

Order: this runs on the rendered HTML, before any transform; transforms then add only markup
they build themselves, and every ``<img src>`` goes through the one asset resolver.
"""

from __future__ import annotations

import re

import nh3
from lxml import html

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
                       "data-math", "data-line", "data-raw"}
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


_URL_ATTRIBUTES = {"href", "src", "cite"}
_SAFE_SCHEMES = {"http", "https", "mailto"}
# What a browser's URL parser removes or ignores before it reads the scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
# The same characters percent-escaped (and escaped again: "%2509"), an obfuscation trick.
_ESCAPED_NOISE = re.compile(r"%(?:25)*(?:[01][0-9a-fA-F]|20|7[fF])")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.\-]*):")
# CSS that can fetch or run something, or hide it (escapes, comments): the declaration goes.
_UNSAFE_CSS = re.compile(r"url\s*\(|image(?:-set)?\s*\(|expression\s*\(|@import|\\|/\*|"
                         r"javascript:|behavior\s*:|-moz-binding|[<>]", re.IGNORECASE)


def url_scheme(value: str) -> str | None:
    """The scheme a browser would see in ``value`` (lower case), or ``None`` if relative."""
    text = _ESCAPED_NOISE.sub("", _URL_NOISE.sub("", value))
    match = _SCHEME.match(text.lower())
    return match.group(1) if match else None


def safe_url(tag: str, value: str) -> bool:
    """Whether a ``href``/``src``/``cite`` value may stay (see the module docstring)."""
    scheme = url_scheme(value)
    if scheme is None or scheme in _SAFE_SCHEMES:
        return True
    return (scheme == "data" and tag == "img"
            and _URL_NOISE.sub("", value).lower().startswith("data:image/"))


def safe_style(value: str) -> str:
    """``value`` without the declarations that could load or run something."""
    kept = [d.strip() for d in value.split(";") if d.strip() and not _UNSAFE_CSS.search(d)]
    return "; ".join(kept)


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    if name in _URL_ATTRIBUTES:
        return value if safe_url(tag, value) else None
    if name == "style":
        return safe_style(value) or None
    return value


_IMAGE_NAME = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|avif|bmp)(?:[?#].*)?$", re.IGNORECASE)


def embeds_to_links(root: html.HtmlElement) -> None:
    """Replace ``<iframe>``/``<object>``/``<embed>``/media with a link to what they embed.

    A local ``<object data="x.svg">`` or ``<embed src="x.png">`` (an image) becomes an
    ``<img>``, which the asset resolver then judges like any other image reference; other
    local embeds (a video file, a PDF) have no place in a book and are dropped.
    """
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
        elif element.tag in {"object", "embed"} and url and (
                _IMAGE_NAME.search(url) or (element.get("type") or "").startswith("image/")):
            replacement = html.Element("img", {"src": url, "alt": element.get("title") or ""})
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
