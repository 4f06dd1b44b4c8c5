"""Links: keep web and in-document links; unwrap links a book cannot follow.

Empty ``href``s, links to local files (an image, a download) and fragment links whose target
is not in the chapter are unwrapped to their text. Links between posts of one book are made
internal by the book builder, which knows every chapter. Site-relative links (``/2019/x/``)
point at the live site when ``_config.yml`` has a ``url``; without one they wait in
:data:`~converter.markup.SITE_PATH_ATTRIBUTE` for the book builder, and
:func:`unwrap_site_paths` unwraps those that lead outside the book.
"""

from __future__ import annotations

from urllib.parse import unquote

from lxml import html

from ..markup import SITE_PATH_ATTRIBUTE
from . import TransformContext, transform

_KEEP_SCHEMES = ("http://", "https://", "mailto:")


@transform("links", priority=40)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Unwrap links that cannot work in a book."""
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    site_url = ctx.resolver.site.url
    for link in list(root.iter("a")):
        href = (link.get("href") or "").strip()
        if href.lower().startswith(_KEEP_SCHEMES):
            continue
        if href.startswith("#") and unquote(href[1:]) in ids:
            continue
        if href.startswith("/") and not href.startswith("//"):
            if site_url:  # a site-relative link to another page: point at the live site
                link.set("href", site_url + href)
            else:  # perhaps a post of the same book (series.link_chapters decides)
                del link.attrib["href"]
                link.set(SITE_PATH_ATTRIBUTE, href)
            continue
        if href.startswith("//"):
            link.set("href", "https:" + href)
            continue
        if link.get("id") or link.get("name"):
            link.attrib.pop("href", None)
            continue
        link.drop_tag()


def unwrap_site_paths(root: html.HtmlElement) -> None:
    """Unwrap the site-relative links that no chapter took (see the module doc)."""
    for link in list(root.iter("a")):
        if link.attrib.pop(SITE_PATH_ATTRIBUTE, None) is None or link.get("href"):
            continue
        if not (link.get("id") or link.get("name")):
            link.drop_tag()
