"""Alt text: replace file names posing as descriptions, mark decorative images, count the rest.

Blogs write ``![png](…)``, ``![IMG_2019.jpg](…)`` or ``![스크린샷 2018-10-18 오후 3.25.25.png](…)``:
a screen reader would read "png" for each. Such alt text counts as missing. An image then gets,
in this order: the author's description (``image_descriptions`` in ``book.yml``/options or in
the post's front matter, keyed by the image path as the post writes it, or its file name), the
caption of its figure, else an empty alt. Images that only decorate (emoji images, spacers) get
``alt=""`` and ``role="presentation"``; the others left without a description keep ``alt=""``
without that role and are counted in one warning per post ("3 images without a description").
Runs after the figures are built (captions exist) and before images are resolved (``src`` is
still the author's path). Knows nothing about PDF or EPUB.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from urllib.parse import unquote

from lxml import html

from . import TransformContext, transform

#: Alt texts that only name a file type or say "image" (English and Korean), in any case.
_GENERIC = re.compile(
    r"^(?:png|jpe?g|gif|svg|webp|bmp|tiff?|heic|image|img|images|picture|pic|photo|figure|fig"
    r"|screenshot|screen ?shot|capture|untitled|unnamed|download|alt|alt ?text|placeholder"
    r"|이미지|사진|그림|스크린샷|캡처|캡쳐|화면|대체 ?문구|대체 ?텍스트)[\s_\-.]*\d*$",
    re.IGNORECASE)
#: A file name with an image extension (``IMG_2019.jpg``, ``스크린샷 … 3.25.25.png``).
_FILE_NAME = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|bmp|tiff?|heic|avif)$", re.IGNORECASE)
#: Names cameras, phones and screenshot tools give files (without their extension).
_CAMERA_NAME = re.compile(
    r"^(?:img|dsc|dscn|dscf|pxl|mvimg|kakaotalk|photo|image|screenshot|screen ?shot|스크린샷"
    r"|캡처|화면 ?캡처|클립보드)[\s_\-]*[\d\s_\-.:년월일오전후ap]*m?$"
    r"|^image-?\d{8,}$|^[0-9a-f]{16,}$|^[\d\s_\-.]+$",
    re.IGNORECASE)
#: Emoji and spacer images: decoration that a reader should skip.
_DECORATIVE_CLASS = re.compile(r"\b(?:emoji|emoticon|spacer|decorative)\b", re.IGNORECASE)
_DECORATIVE_SRC = re.compile(r"(?:^|/)(?:emoji|emojis|emoticons?)/|(?:^|/)(?:spacer|blank|pixel|"
                             r"transparent|1x1)\.(?:gif|png)$", re.IGNORECASE)
#: Attribute a writer may read: ``missing`` for images left without a description.
UNDESCRIBED = "undescribed"


def is_meaningless(alt: str, src: str = "") -> bool:
    """Whether ``alt`` says nothing about the picture: empty, a file type, a file name, a
    camera's or screenshot tool's name, or the image's own file name (``src``)."""
    text = " ".join(alt.split())
    if not text:
        return True
    if _GENERIC.match(text) or _FILE_NAME.search(text) or _CAMERA_NAME.match(text):
        return True
    name = posixpath.basename(unquote(src.split("?", 1)[0].split("#", 1)[0]))
    stem = name.rsplit(".", 1)[0]
    return bool(name) and text.lower() in {name.lower(), stem.lower()}


def is_decorative(img: html.HtmlElement) -> bool:
    """Emoji images and spacers (by class, path or a size of at most 2 px)."""
    if img.get("role") in {"presentation", "none"}:
        return True
    if _DECORATIVE_CLASS.search(img.get("class") or ""):
        return True
    if _DECORATIVE_SRC.search(img.get("src") or ""):
        return True
    sizes = [(img.get(name) or "").strip() for name in ("width", "height")]
    return any(size.isdigit() and int(size) <= 2 for size in sizes)


def description_for(src: str, descriptions: Mapping[str, str]) -> str | None:
    """The author's description of the image at ``src``: keyed by the path as written, the path
    without a leading ``/``, or the file name."""
    if not descriptions or not src:
        return None
    path = unquote(src.split("?", 1)[0].split("#", 1)[0]).strip()
    keys = [src, path, path.lstrip("/"), posixpath.basename(path)]
    normalised = {unquote(str(key)).strip().lstrip("/"): value
                  for key, value in descriptions.items()}
    for key in keys:
        if key in descriptions:
            return str(descriptions[key])
        if key.lstrip("/") in normalised:
            return str(normalised[key.lstrip("/")])
    return None


def _caption(img: html.HtmlElement) -> str:
    """The text of the caption of the figure holding ``img`` (if the figure has one)."""
    for ancestor in img.iterancestors():
        if ancestor.tag == "figure":
            caption = ancestor.find("figcaption")
            if caption is None:
                return ""
            return " ".join(caption.text_content().split())
    return ""


def describe_images(root: html.HtmlElement, descriptions: Mapping[str, str]) -> int:
    """Give every image in ``root`` a real alt text where one can be found; return how many
    (non-decorative) images are left without one."""
    undescribed = 0
    for img in root.iter("img"):
        src = img.get("src") or ""
        if is_decorative(img):
            img.set("alt", "")
            img.set("role", "presentation")
            continue
        supplied = description_for(src, descriptions)
        if supplied is not None and supplied.strip():
            img.set("alt", " ".join(supplied.split()))
            continue
        alt = img.get("alt") or ""
        if not is_meaningless(alt, src):
            img.set("alt", " ".join(alt.split()))
            continue
        caption = _caption(img)
        if caption:
            img.set("alt", caption)
            continue
        img.set("alt", "")
        img.set(f"data-{UNDESCRIBED}", "")
        undescribed += 1
    return undescribed


@transform("alt_text", priority=82)
def run(root: html.HtmlElement, ctx: TransformContext) -> None:
    """Describe images (author's descriptions, real alt, caption); warn about the rest."""
    count = describe_images(root, ctx.image_descriptions)
    if count:
        noun = "image" if count == 1 else "images"
        ctx.warn(f"{count} {noun} without a description (alt text); describe them with "
                 f"image_descriptions")
