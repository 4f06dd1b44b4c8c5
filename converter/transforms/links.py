"""Links: keep web and in-document links; unwrap links a book cannot follow.

Empty ``href``s, links to local files (an image, a download) and fragment links whose target
is not in the chapter are unwrapped to their text. Links between posts of one book are made
internal by the book builder, which knows every chapter.
"""

from __future__ import annotations

from urllib.parse import unquote

from lxml import html

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
        if href.startswith("/") and not href.startswith("//") and site_url:
            # A site-relative link to another page: point readers at the live site.
            link.set("href", site_url + href)
            continue
        if href.startswith("//"):
            link.set("href", "https:" + href)
            continue
        if link.get("id") or link.get("name"):
            link.attrib.pop("href", None)
            continue
        link.drop_tag()
