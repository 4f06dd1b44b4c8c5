"""The shared names of the HTML contract (docs/ARCHITECTURE.md) that transforms write and
writers read: the attributes that carry data from one stage to the next, and the placeholder
for an image that cannot be shown.

Transforms and writers both import this module, so that writers never import transforms. It
knows nothing of either, of Markdown or of any output format.
"""

from __future__ import annotations

from lxml import html

#: On ``<img>``: the id of the book asset the image shows (writers set ``src`` to their copy).
ASSET_ATTRIBUTE = "data-hanji-asset"
#: A link to a page of a site without a ``url`` in its ``_config.yml``: the site-relative path,
#: kept (instead of ``href``) until the book builder has made links between its posts internal;
#: :func:`converter.transforms.links.unwrap_site_paths` then unwraps the rest.
SITE_PATH_ATTRIBUTE = "data-hanji-site-path"
#: The class of the box standing in for an image that cannot be shown.
IMAGE_MISSING_CLASS = "image-missing"


def placeholder(img: html.HtmlElement, reason: str) -> html.HtmlElement:
    """A box standing in for an image that cannot be shown."""
    span = html.Element("span", {"class": IMAGE_MISSING_CLASS, "role": "img"})
    alt = (img.get("alt") or "").strip()
    span.text = f"[{alt or 'image'}: {reason}]"
    # role="img" hides the text from assistive technology: the name must be a label.
    span.set("aria-label", span.text)
    span.tail = img.tail
    return span
