"""Jekyll URLs: a post's permalink, and the post a ``{% post_url %}`` / ``{% link %}`` names.

Decision: links between posts are written as the URL Jekyll would have served the post at,
computed from the site's ``permalink`` setting exactly as Jekyll's ``Jekyll::URL`` does
(built-in styles ``date``, ``pretty``, ``ordinal``, ``weekdate``, ``none`` and custom templates
with ``:categories``, ``:year``, ``:title``, ``:path`` …; a front-matter ``permalink`` wins, then
one from the site's ``defaults:`` for the post's path). Categories
come from front matter and from folders above ``_posts`` (as in Jekyll), lower-cased. The book
builder later maps ``site.url + permalink`` to chapter-internal links; links to posts outside
the book then still work on the live site. This module knows nothing about Markdown or HTML.
"""

from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..front_matter_defaults import with_defaults

#: Jekyll's built-in permalink styles.
STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
POST_SUFFIXES = (".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".html")

# A post file name: date, then the slug.
_POST_NAME = re.compile(r"^(?P<date>\d{4}-\d{1,2}-\d{1,2})-(?P<slug>.+?)(?:\.[A-Za-z]+)?$")
# A placeholder in a permalink template (longest names first so :short_year beats :year).
_PLACEHOLDER = re.compile(r":(short_year|short_month|short_day|output_ext|categories|i_month|"
                          r"i_day|y_day|title|slug|name|year|month|day|hour|minute|second|"
                          r"week|path|basename|collection)")
# Repeated slashes left by empty placeholders.
_SLASHES = re.compile(r"/{2,}")


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and str(v).strip()]
    return [str(value)]


def categories_of(front_matter: dict[str, Any], source: Path | None, site_root: Path | None) -> list[str]:
    """Jekyll's categories: folders above ``_posts``, then front matter ``category(ies)``."""
    found: list[str] = []
    if source is not None and site_root is not None:
        try:
            parts = source.resolve().relative_to(site_root.resolve()).parts
        except ValueError:
            parts = ()
        if "_posts" in parts:
            found.extend(parts[: parts.index("_posts")])
    found.extend(_as_list(front_matter.get("categories")))
    found.extend(_as_list(front_matter.get("category")))
    return list(dict.fromkeys(found))


def _as_datetime(value: Any) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime.combine(value, dt.time())
    if isinstance(value, str):
        match = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})", value)
        if match:
            try:
                year, month, day = (int(part) for part in match.groups())
                return dt.datetime(year, month, day)
            except ValueError:
                return None
    return None


# Jekyll's ``Utils.slugify(mode: "pretty", cased: true)``: runs of other characters → ``-``.
_PRETTY_RUN = re.compile(r"[^\w.~!$&'()+,;=@]+")


def _pretty_slug(value: str) -> str:
    """``:title`` as Jekyll makes it (``fusion power`` → ``fusion-power``, ``4%-x`` → ``4-x``)."""
    return _PRETTY_RUN.sub("-", value).strip("-") or value


def _collection_path(source: Path | None, site_root: Path | None, stem: str) -> str:
    """Jekyll's ``:path`` of a post: its path below ``_posts`` without the extension
    (``/markdown/2020-11-29-x`` for ``_posts/markdown/2020-11-29-x.md``)."""
    if source is None or site_root is None:
        return stem
    try:
        parts = source.resolve().relative_to(site_root.resolve()).with_suffix("").parts
    except ValueError:
        return stem
    if "_posts" in parts:
        parts = parts[parts.index("_posts") + 1:]
    return "/" + "/".join(parts)


def permalink(*, front_matter: dict[str, Any], source: Path | None, site: dict[str, Any],
              site_root: Path | None) -> str:
    """The URL path (``/…``) Jekyll serves the post at (the site's front-matter ``defaults``
    apply, so a ``permalink`` given there counts)."""
    front_matter = with_defaults(front_matter, source, site_root, site)
    stem = source.stem if source is not None else ""
    name_match = _POST_NAME.match(stem)
    slug = _pretty_slug(str(front_matter.get("slug")
                            or (name_match.group("slug") if name_match else stem)))
    date = _as_datetime(front_matter.get("date"))
    if date is None and name_match:
        date = _as_datetime(name_match.group("date"))
    date = date or dt.datetime(1970, 1, 1)
    template = str(front_matter.get("permalink") or site.get("permalink") or "date")
    template = STYLES.get(template, template)
    categories = [c.lower() for c in categories_of(front_matter, source, site_root)]
    values = {
        "year": f"{date.year:04d}", "short_year": f"{date.year % 100:02d}",
        "month": f"{date.month:02d}", "i_month": str(date.month),
        "short_month": date.strftime("%b"), "day": f"{date.day:02d}", "i_day": str(date.day),
        "short_day": date.strftime("%a"), "y_day": f"{date.timetuple().tm_yday:03d}",
        "week": f"{date.isocalendar()[1]:02d}", "hour": f"{date.hour:02d}",
        "minute": f"{date.minute:02d}", "second": f"{date.second:02d}",
        "title": slug, "slug": slug, "name": stem, "basename": stem,
        "path": _collection_path(source, site_root, stem),
        "categories": "/".join(categories), "output_ext": ".html",
        "collection": "posts",
    }
    url = _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)
    # Empty placeholders leave doubled slashes; Jekyll squeezes them.
    url = _SLASHES.sub("/", "/" + url.lstrip("/"))
    # Jekyll percent-encodes the path (a category "nRF5 SDK" becomes "nrf5%20sdk").
    return quote(url, safe="/:@!$&'()*+,;=-._~")


@lru_cache(maxsize=32)
def _post_index(root: str) -> dict[str, Path]:
    """Post files of a site by file name without extension (``2019-01-01-slug``)."""
    index: dict[str, Path] = {}
    for path in sorted(Path(root).rglob("*")):
        if path.suffix.lower() in POST_SUFFIXES and "_posts" in path.parts and path.is_file():
            index.setdefault(path.stem, path)
    return index


def find_post(site_root: Path | None, name: str) -> Path | None:
    """The post file ``{% post_url name %}`` refers to (``name`` may include sub-folders)."""
    if site_root is None:
        return None
    stem = Path(name.strip()).name
    for suffix in POST_SUFFIXES:
        stem = stem.removesuffix(suffix)
    return _post_index(str(site_root.resolve())).get(stem)
