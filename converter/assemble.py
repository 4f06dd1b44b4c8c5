"""Turn a loaded post into a :class:`~converter.book.Chapter`: normalize → render → transform.

This is the part of the pipeline shared by single posts and books; it never writes output.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from lxml import html

from . import render_cache
from .assets import AssetResolver
from .book import AssetStore, Chapter, Heading
from .dialect import DialectContext, normalize
from .front_matter_defaults import with_defaults
from .kramdown_config import kramdown_options
from .language import choose_lang
from .options import Options
from .post import Post
from .site import Site
from .titles import title_html, title_text
from .transforms import TransformContext, apply_transforms

_HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def page_variables(post: Post, site: Site) -> dict[str, Any]:
    """The ``page`` object Liquid sees: front matter plus Jekyll's computed fields."""
    page: dict[str, Any] = dict(post.front_matter)
    page.setdefault("title", post.title)
    if post.date is not None:
        page.setdefault("date", dt.datetime.combine(post.date, dt.time()))
    page["path"] = str(post.source)
    page["slug"] = post.slug
    return page


def shift_headings(root: html.HtmlElement, top: int = 2) -> None:
    """Renumber body headings so the highest level used becomes ``h{top}`` (the chapter is h1)."""
    levels = [int(el.tag[1]) for el in root.iter(*_HEADING_TAGS)]
    if not levels:
        return
    shift = top - min(levels)
    if shift <= 0:
        return
    for element in root.iter(*_HEADING_TAGS):
        element.tag = f"h{min(6, int(element.tag[1]) + shift)}"


def collect_headings(root: html.HtmlElement, prefix: str) -> list[Heading]:
    """Headings (h2–h4) with unique ids prefixed by the chapter id, for outline and TOC."""
    headings = []
    seen: set[str] = set()
    for index, element in enumerate(root.iter(*_HEADING_TAGS)):
        level = int(element.tag[1])
        ident = re.sub(r"\s+", "-", element.get("id") or f"{prefix}-h{index}")
        while ident in seen:
            ident += "-1"
        seen.add(ident)
        element.set("id", ident)
        title = " ".join(element.text_content().split())
        # kramdown's TOC leaves out headings outside ``toc_levels`` and of class ``no_toc``.
        listed = element.attrib.pop("data-toc", None) is None and "no_toc" not in (
            element.get("class") or "").split()
        if title and level <= 4 and listed:
            headings.append(Heading(level=level, title=title, id=ident))
    return headings


_SAFE_ID = re.compile(r"^[A-Za-z0-9_.:-]+$")


def _prefix_ids(root: html.HtmlElement, prefix: str) -> None:
    """Make ids unique across a book and ASCII (``fn-1`` → ``<chapter>-fn-1``; a Hangul heading
    id → ``<chapter>-s3``), and point in-chapter links at the new ids.

    ASCII ids survive every reader and WeasyPrint's anchor lookup (which does not decode
    percent-encoded non-ASCII fragments).
    """
    renamed: dict[str, str] = {}
    for index, element in enumerate(root.iter()):
        ident = element.get("id")
        if not ident:
            continue
        new = f"{prefix}-{ident}" if _SAFE_ID.match(ident) else f"{prefix}-s{index}"
        while new in renamed.values():
            new += "x"
        renamed.setdefault(ident, new)
        element.set("id", new)
    for link in root.iter("a"):
        href = link.get("href") or ""
        if href.startswith("#"):
            target = unquote(href[1:])
            if target in renamed:
                link.set("href", "#" + renamed[target])


def image_descriptions(post: Post, options: Options) -> dict[str, str]:
    """The author's image descriptions for ``post``: the options' (``book.yml``), then the
    post's front matter ``image_descriptions`` (which wins)."""
    descriptions = dict(options.image_descriptions)
    own = post.front_matter.get("image_descriptions")
    if isinstance(own, dict):
        descriptions.update({str(k): str(v) for k, v in own.items() if v is not None})
    elif own is not None:
        post.warnings.warn("front matter 'image_descriptions' is not a mapping (path: text); "
                           "ignored")
    return descriptions


def build_chapter(post: Post, site: Site, options: Options, assets: AssetStore, *,
                  chapter_id: str, html_cache: Path | None = None) -> Chapter:
    """Run the shared pipeline on one post; its rendered Markdown kept in ``html_cache``
    (:mod:`.render_cache`), if given."""
    # Jekyll's front-matter defaults (``_config.yml`` ``defaults:``) under the post's own.
    post.front_matter = with_defaults(post.front_matter, post.source, site.root, site.config)
    ctx = DialectContext(site=site.config, page=page_variables(post, site), post_path=post.source,
                         body_line=post.body_line, diagnostics=post.warnings, site_root=site.root,
                         options=options, allowed_roots=site.allowed_roots())
    markdown_text = normalize(post.body, ctx)
    root = render_cache.render_body(markdown_text, html_cache)
    lang = choose_lang(options.lang or post.lang, site.locale, text=root.text_content()[:20000])
    tctx_kramdown = kramdown_options(site.config)
    tctx = TransformContext(resolver=AssetResolver(site, post.source), assets=assets,
                            diagnostics=post.warnings, options=options, post_path=post.source,
                            lang=lang, kramdown=tctx_kramdown,
                            image_descriptions=image_descriptions(post, options))
    apply_transforms(root, tctx)
    shift_headings(root)
    _prefix_ids(root, chapter_id)
    headings = collect_headings(root, chapter_id)
    return Chapter(id=chapter_id, title=title_text(post.title, tctx_kramdown),
                   title_html=title_html(post.title, tctx_kramdown), body=root,
                   source=post.source, date=post.date,
                   tags=post.tags, lang=lang, headings=headings, toc=post.flag("toc"),
                   has_math=bool(tctx.flags.get("math")))
