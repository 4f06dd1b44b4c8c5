"""Links between the posts of a book made links inside it (:func:`link_chapters`), however
the author wrote them."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from ..book import Chapter
from ..dialect import permalinks
from ..markup import SITE_PATH_ATTRIBUTE
from ..post import Post
from ..site import Site

# GitHub/kramdown-GFM heading ids: lower case, punctuation dropped, spaces to hyphens.
_GFM_DROP = re.compile(r"[^\w\- ]")
# Index suffixes a permalink may be written with or without.
_INDEX_SUFFIX = re.compile(r"/index\.html?$|\.html?$")


def link_chapters(chapters: Sequence[Chapter], posts: Sequence[Post],
                  sites: Mapping[Path, Site] | Site, *,
                  linking: Sequence[Chapter] | None = None) -> None:
    """Turn links to other posts of the book into links inside it (the links of ``linking``
    only, if given: a live preview relinks the one chapter it rebuilt).

    A link is recognised however the author wrote it: ``{% post_url %}`` (already a
    permalink), a site-relative permalink (``/works/2019/02/07/x.html``), the site's own
    absolute URL (``https://blog.github.io/ble/ble-mesh/``; ``http``/``https`` and ``www.``
    alike), percent-encoded or not (``nrf%20connect%20sdk``), with or without ``.html``,
    ``index.html`` or the trailing slash, and in the site's configured permalink style or
    Jekyll's defaults (a blog that changed style keeps old links), or, failing all those, a
    page of the site whose last path segment is the slug of exactly one post of the book (a
    blog that renamed a category keeps old links too). A ``#fragment`` naming a
    heading (by its original id or its GitHub-style id) points at that heading, otherwise
    the link goes to the chapter title. Links to posts outside the book stay web links.
    """
    site_list = [sites] if isinstance(sites, Site) else list(sites.values())
    targets: dict[str, Chapter] = {}
    by_source = {p.source.resolve(): p for p in posts}
    urls: list[tuple[Chapter, list[str]]] = []
    for chapter in chapters:
        post = by_source.get(chapter.source.resolve()) if chapter.source else None
        if post is not None:
            urls.append((chapter, _cached_post_urls(post, _owning_site(post.source,
                                                                        site_list))))
    # Every post's real permalink first: a fallback form never shadows another post's URL.
    for rank in (0, 1):
        for chapter, candidates in urls:
            for url in candidates[:1] if rank == 0 else candidates[1:]:
                key = _url_key(url, None)
                if key is not None:
                    targets.setdefault(key, chapter)
    if not targets:
        return
    # Last resort, for blogs that renamed their categories (old links keep the old folders):
    # a page of the site whose last segment is the slug of exactly one post of the book.
    slugs: dict[str, list[Chapter]] = {}
    for chapter, candidates in urls:
        slug = (_url_key(candidates[0], None) or "").rsplit("/", 1)[-1]
        slugs.setdefault(slug, []).append(chapter)
    fragments: dict[str, dict[str, str]] = {}
    for chapter in chapters if linking is None else linking:
        for link in chapter.body.iter("a"):
            href = (link.get("href") or link.get(SITE_PATH_ATTRIBUTE) or "").strip()
            if not href or href.startswith("#"):
                continue
            key = _url_key(href, site_list)
            if key is None:
                continue
            target = targets.get(key)
            if target is None:
                same_slug = slugs.get(key.rsplit("/", 1)[-1], [])
                target = same_slug[0] if len(same_slug) == 1 else None
            if target is None:
                continue
            fragment = unquote(urlsplit(href).fragment)
            if fragment and target.id not in fragments:
                fragments[target.id] = _fragment_ids(target)
            anchor = fragments[target.id].get(fragment.casefold()) if fragment else None
            link.set("href", "#" + (anchor or f"{target.id}-title"))
            link.attrib.pop(SITE_PATH_ATTRIBUTE, None)


def _owning_site(path: Path, sites: Sequence[Site]) -> Site | None:
    resolved = path.resolve()
    best = None
    for site in sites:
        if resolved.is_relative_to(site.root) and (best is None or
                                                   len(site.root.parts) > len(best.root.parts)):
            best = site
    return best


#: :func:`_post_urls` by post file, front matter and site (a live preview links a chapter
#: against every other post of its book after each edit).
_URLS: dict[tuple[str, ...], list[str]] = {}


def _cached_post_urls(post: Post, site: Site | None) -> list[str]:
    key = (str(post.source), repr(post.front_matter), str(site.root) if site else "",
           repr(site.config) if site else "", site.baseurl if site else "")
    if key not in _URLS:
        if len(_URLS) > 4096:
            _URLS.clear()
        _URLS[key] = _post_urls(post, site)
    return _URLS[key]


def _post_urls(post: Post, site: Site | None) -> list[str]:
    """Site-relative URL paths a post may be linked by, its real permalink first (each also
    with the site's baseurl)."""
    config = dict(site.config) if site else {}
    root = site.root if site else None
    fm = post.front_matter
    baseurl = site.baseurl if site else ""
    canonical = permalinks.permalink(front_matter=fm, source=post.source, site=config,
                                     site_root=root)
    urls = [baseurl + canonical, canonical]
    # Jekyll's defaults too: blogs change permalink styles and old links keep the old form.
    for style in ("date", "pretty", "none", "/:categories/:title/", "/:title/"):
        url = permalinks.permalink(front_matter={**fm, "permalink": None}, source=post.source,
                                   site={**config, "permalink": style}, site_root=root)
        urls += [baseurl + url, url]
    return list(dict.fromkeys(urls))


def _url_key(href: str, sites: Sequence[Site] | None) -> str | None:
    """A comparable form of a link to a page of one of ``sites`` (None: not such a link).

    With ``sites`` None, ``href`` is a site-relative path already.
    """
    parts = urlsplit(href)
    path = parts.path
    if sites is not None:
        if parts.scheme or parts.netloc:
            if parts.scheme.lower() not in ("http", "https", ""):
                return None
            host = _host(parts.netloc)
            own = [s for s in sites if s.url and _host(urlsplit(s.url).netloc) == host]
            if not own:
                return None
            prefixes = [urlsplit(s.url).path.rstrip("/") for s in own]
            for prefix in sorted(prefixes, key=len, reverse=True):
                if prefix and path.startswith(prefix + "/"):
                    path = path[len(prefix):]
                    break
        elif not path.startswith("/"):
            return None
    path = unquote(path).strip()
    path = _INDEX_SUFFIX.sub("", path).rstrip("/")
    return unicodedata.normalize("NFC", path).casefold() or "/"


def _host(netloc: str) -> str:
    host = netloc.lower().rsplit("@", 1)[-1].split(":", 1)[0]
    return host.removeprefix("www.")


def _fragment_ids(chapter: Chapter) -> dict[str, str]:
    """Fragments a link to this chapter may carry → the id now in the book."""
    prefix = f"{chapter.id}-"
    found: dict[str, str] = {}
    for heading in chapter.headings:
        found.setdefault(_gfm_id(heading.title), heading.id)
        found.setdefault(_kramdown_id(heading.title), heading.id)
    for element in chapter.body.iter():
        ident = element.get("id")
        if ident and ident.startswith(prefix):
            found.setdefault(ident[len(prefix):].casefold(), ident)
    found.pop("", None)
    return found


def _gfm_id(text: str) -> str:
    return _GFM_DROP.sub("", unicodedata.normalize("NFC", text).lower()).replace(" ", "-")


def _kramdown_id(text: str) -> str:
    # kramdown's own auto_ids: ASCII letters, digits, spaces and hyphens, no leading digits.
    value = re.sub(r"^[^a-zA-Z]+", "", text)
    value = re.sub(r"[^a-zA-Z0-9 -]", "", value)
    return value.replace(" ", "-").lower()

