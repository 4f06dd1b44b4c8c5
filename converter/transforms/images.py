"""Images: resolve every ``<img src>`` to a local file and register it as a book asset.

Resolved images get ``data-hanji-asset="<asset id>"`` (writers set ``src`` to their own prepared
copy). Missing, remote-but-not-allowed and refused references become
``<span class="image-missing">alt</span>`` with a warning naming the post and the path.
Remote images (only with ``remote_images=fetch``) and small ``data:image/…`` URLs are first
made local files by :mod:`converter.remote`.
"""

from __future__ import annotations

from lxml import html

from ..images.budget import ImageBudget
from ..markup import ASSET_ATTRIBUTE, placeholder
from . import TransformContext, transform
from .figures import WIDTH_FRACTION_ATTRIBUTE


@transform("images", priority=80)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Resolve images; replace the unusable ones with placeholders."""
    count = 0
    budget = ImageBudget(max_pixels=ctx.options.max_post_pixels,
                         max_svg_bytes=ctx.options.max_svg_bytes)
    for img in list(root.iter("img")):
        src = img.get("src") or ""
        fraction = float(img.attrib.pop(WIDTH_FRACTION_ATTRIBUTE, "1") or 1)
        resolution = ctx.resolver.resolve(src)
        reason: str | None = None
        if resolution.path is None:
            if resolution.remote_url and ctx.options.remote_images == "fetch":
                from ..remote import fetch_remote_image  # fetched only when allowed

                fetched = fetch_remote_image(resolution.remote_url, ctx.options, ctx.warn)
                if fetched is not None:
                    resolution = resolution.__class__(src, path=fetched)
                else:
                    reason = ""  # fetch_remote_image has warned with the reason
            elif src.lstrip().lower().startswith("data:"):
                from ..remote import data_url_image

                decoded = data_url_image(src, ctx.options, ctx.warn)
                if decoded is not None:
                    resolution = resolution.__class__(src, path=decoded)
                else:
                    reason = ""  # data_url_image has warned with the reason
            else:
                reason = ("remote image not fetched (remote_images=skip)"
                          if resolution.remote_url else resolution.problem or "not found")
        if resolution.path is not None and count >= ctx.options.max_images:
            reason = f"more than {ctx.options.max_images} images"
        elif resolution.path is not None:
            reason = budget.refuse(resolution.path)
        if reason is not None or resolution.path is None:
            if reason != "":
                ctx.warn(f"image {src!r}: {reason}")
            shown = "missing" if "not found" in (reason or "") else "not shown"
            img.getparent().replace(img, placeholder(img, shown))
            continue
        count += 1
        asset = ctx.assets.add(resolution.path, width_fraction=fraction)
        img.set(ASSET_ATTRIBUTE, asset.id)
        img.set("src", asset.id)
        if img.get("alt") is None:
            img.set("alt", "")
        img.attrib.pop("height", None)
        width = (img.get("width") or "").strip()
        if width:
            img.attrib.pop("width")
            if width.isdigit():
                img.set("style", f"width:{width}px;" + (img.get("style") or ""))
            elif width.endswith("%") and width[:-1].isdigit():
                img.set("style", f"width:{width};" + (img.get("style") or ""))
